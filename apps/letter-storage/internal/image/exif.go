package image

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// StripLocation removes location metadata from a JPEG:
//   - in each EXIF (APP1 "Exif") segment, the GPS IFD is zeroed and its
//     pointer (tag 0x8825) removed from IFD0; everything else, orientation
//     included, stays byte for byte where it was, so no offset moves;
//   - an EXIF segment that cannot be parsed safely, or that still has
//     something to remove after one pass (a second GPS pointer, a GPS IFD
//     laid over IFD0), is dropped whole;
//   - XMP (APP1 "http://ns.adobe.com/…") segments are dropped whole, since
//     XMP can repeat the GPS position (exif:GPSLatitude…).
//
// Entropy-coded data is copied unchanged. Vendor maker notes are left as
// they are.
func StripLocation(src []byte) ([]byte, error) {
	if len(src) < 4 || src[0] != 0xFF || src[1] != 0xD8 {
		return nil, errMalformedJPEG
	}
	out := make([]byte, 0, len(src))
	out = append(out, src[:2]...)
	i := 2
	for {
		if i >= len(src) || src[i] != 0xFF {
			return nil, errMalformedJPEG
		}
		j := i
		for j < len(src) && src[j] == 0xFF { // fill bytes
			j++
		}
		if j >= len(src) {
			return nil, errMalformedJPEG
		}
		marker := src[j]
		switch {
		case marker == 0xD9, marker == 0xDA: // EOI, or SOS: the rest is image data
			return append(out, src[i:]...), nil
		case marker >= 0xD0 && marker <= 0xD7, marker == 0x01: // no length
			out = append(out, src[i:j+1]...)
			i = j + 1
			continue
		}
		if j+3 > len(src) {
			return nil, errMalformedJPEG
		}
		length := int(binary.BigEndian.Uint16(src[j+1 : j+3]))
		end := j + 1 + length
		if length < 2 || end > len(src) {
			return nil, errMalformedJPEG
		}
		payload := src[j+3 : end]
		if marker == 0xE1 {
			switch {
			case bytes.HasPrefix(payload, exifHeader):
				tiff, err := removeGPS(payload[len(exifHeader):])
				if err == nil {
					// A crafted block can hold a second GPS pointer, or a GPS
					// IFD laid over IFD0: what one pass leaves must be clean.
					var again []byte
					if again, err = removeGPS(tiff); err == nil && !bytes.Equal(again, tiff) {
						err = errMalformedEXIF
					}
				}
				if err != nil {
					i = end // unparseable: drop the whole segment
					continue
				}
				out = append(out, src[i:j+3]...)
				out = append(out, exifHeader...)
				out = append(out, tiff...)
				i = end
				continue
			case bytes.HasPrefix(payload, []byte("http://ns.adobe.com/")):
				i = end
				continue
			}
		}
		out = append(out, src[i:end]...)
		i = end
	}
}

var (
	exifHeader       = []byte("Exif\x00\x00")
	errMalformedJPEG = errors.New("malformed JPEG")
	errMalformedEXIF = errors.New("malformed EXIF")
)

// TIFF tags used here.
const (
	tagGPSIFD = 0x8825
	entrySize = 12
)

// removeGPS returns a copy of a TIFF (EXIF) block without its GPS IFD.
func removeGPS(src []byte) ([]byte, error) {
	t := bytes.Clone(src)
	bo, err := byteOrder(t)
	if err != nil {
		return nil, err
	}
	ifd0 := int64(bo.Uint32(t[4:8]))
	n, entries, err := ifdBounds(t, bo, ifd0)
	if err != nil {
		return nil, err
	}
	// IFD0 ends with the 4-byte offset of IFD1.
	tableEnd := entries + int64(n)*entrySize + 4
	if tableEnd > int64(len(t)) {
		return nil, errMalformedEXIF
	}
	for k := range int64(n) {
		e := entries + k*entrySize
		if bo.Uint16(t[e:e+2]) != tagGPSIFD {
			continue
		}
		if err := zeroIFD(t, bo, int64(bo.Uint32(t[e+8:e+12]))); err != nil {
			return nil, err
		}
		// Shift the later entries and the next-IFD offset up over this
		// entry; the freed 12 bytes at the end become zeros.
		copy(t[e:tableEnd-entrySize], t[e+entrySize:tableEnd])
		clear(t[tableEnd-entrySize : tableEnd])
		bo.PutUint16(t[ifd0:ifd0+2], n-1)
		return t, nil
	}
	return t, nil
}

func byteOrder(t []byte) (binary.ByteOrder, error) {
	if len(t) < 8 {
		return nil, errMalformedEXIF
	}
	var bo binary.ByteOrder
	switch string(t[0:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil, errMalformedEXIF
	}
	if bo.Uint16(t[2:4]) != 42 {
		return nil, errMalformedEXIF
	}
	return bo, nil
}

// ifdBounds returns an IFD's entry count and where its entries start, after
// checking that they lie inside t.
func ifdBounds(t []byte, bo binary.ByteOrder, off int64) (uint16, int64, error) {
	if off < 8 || off+2 > int64(len(t)) {
		return 0, 0, errMalformedEXIF
	}
	n := bo.Uint16(t[off : off+2])
	if off+2+int64(n)*entrySize > int64(len(t)) {
		return 0, 0, errMalformedEXIF
	}
	return n, off + 2, nil
}

// zeroIFD overwrites an IFD, its next-IFD offset and every value it stores
// out of line with zeros.
func zeroIFD(t []byte, bo binary.ByteOrder, off int64) error {
	n, entries, err := ifdBounds(t, bo, off)
	if err != nil {
		return err
	}
	for k := range int64(n) {
		e := entries + k*entrySize
		unit := typeSize(bo.Uint16(t[e+2 : e+4]))
		if unit == 0 {
			return errMalformedEXIF
		}
		size := unit * int64(bo.Uint32(t[e+4:e+8]))
		if size <= 4 {
			continue // stored inline, zeroed with the entry
		}
		valOff := int64(bo.Uint32(t[e+8 : e+12]))
		if valOff+size > int64(len(t)) {
			return errMalformedEXIF
		}
		clear(t[valOff : valOff+size])
	}
	end := min(entries+int64(n)*entrySize+4, int64(len(t)))
	clear(t[off:end])
	return nil
}

// typeSize is the byte size of one value of a TIFF field type; 0 if unknown.
func typeSize(typ uint16) int64 {
	switch typ {
	case 1, 2, 6, 7: // BYTE, ASCII, SBYTE, UNDEFINED
		return 1
	case 3, 8: // SHORT, SSHORT
		return 2
	case 4, 9, 11: // LONG, SLONG, FLOAT
		return 4
	case 5, 10, 12: // RATIONAL, SRATIONAL, DOUBLE
		return 8
	}
	return 0
}
