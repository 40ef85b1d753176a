package image

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

var (
	errMalformedPNG  = errors.New("malformed PNG")
	errMalformedWebP = errors.New("malformed WebP")
	pngSignature     = []byte("\x89PNG\r\n\x1a\n")
)

// pngMetadata are the chunks that carry metadata rather than pixels: EXIF
// (eXIf, which holds GPS as a JPEG's does) and text (tEXt, zTXt, iTXt; XMP
// travels in an iTXt keyed "XML:com.adobe.xmp"). Issue 15 found GPS in an
// eXIf chunk served back byte for byte.
var pngMetadata = map[string]bool{"eXIf": true, "tEXt": true, "zTXt": true, "iTXt": true}

// StripPNG returns src without its metadata chunks, and without anything
// after IEND. Every other chunk is copied byte for byte (its CRC checked,
// so a chunk the parser misread is refused rather than passed on).
func StripPNG(src []byte) ([]byte, error) {
	if len(src) < len(pngSignature) || string(src[:len(pngSignature)]) != string(pngSignature) {
		return nil, errMalformedPNG
	}
	out := make([]byte, 0, len(src))
	out = append(out, pngSignature...)
	for i := len(pngSignature); ; {
		if len(src)-i < 12 {
			return nil, errMalformedPNG
		}
		n := binary.BigEndian.Uint32(src[i : i+4])
		if n > uint32(len(src)-i-12) {
			return nil, errMalformedPNG
		}
		end := i + 12 + int(n)
		typ := string(src[i+4 : i+8])
		if crc32.ChecksumIEEE(src[i+4:end-4]) != binary.BigEndian.Uint32(src[end-4:end]) {
			return nil, errMalformedPNG
		}
		if !pngMetadata[typ] {
			out = append(out, src[i:end]...)
		}
		if typ == "IEND" {
			return out, nil
		}
		i = end
	}
}

// StripWebP returns src without its EXIF and XMP chunks, with the VP8X
// header's flags for them cleared and the RIFF size fixed. Other chunks
// (image data, ICC profile, animation) are copied byte for byte.
func StripWebP(src []byte) ([]byte, error) {
	if len(src) < 12 || string(src[0:4]) != "RIFF" || string(src[8:12]) != "WEBP" {
		return nil, errMalformedWebP
	}
	riff := binary.LittleEndian.Uint32(src[4:8])
	if uint64(riff)+8 > uint64(len(src)) || riff < 4 {
		return nil, errMalformedWebP
	}
	body := src[12 : 8+riff] // bytes past the RIFF size are not part of the file
	out := make([]byte, 12, len(src))
	copy(out, src[:12])
	for i := 0; i < len(body); {
		if len(body)-i < 8 {
			return nil, errMalformedWebP
		}
		fourCC := string(body[i : i+4])
		n := uint64(binary.LittleEndian.Uint32(body[i+4 : i+8]))
		end := uint64(i) + 8 + n + n%2 // chunks are padded to even sizes
		if end > uint64(len(body)) {
			if end-1 == uint64(len(body)) && n%2 == 1 { // a missing final pad byte
				end--
			} else {
				return nil, errMalformedWebP
			}
		}
		switch fourCC {
		case "EXIF", "XMP ":
		case "VP8X":
			if n < 10 {
				return nil, errMalformedWebP
			}
			start := len(out)
			out = append(out, body[i:end]...)
			out[start+8] &^= 0x08 | 0x04 // EXIF and XMP flags
		default:
			out = append(out, body[i:end]...)
		}
		i = int(end)
	}
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-8))
	return out, nil
}
