package image

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image/png"
	"slices"
	"testing"
)

// pngChunk is one PNG chunk with its length and CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// pngWith inserts chunks right after IHDR (8 + 25 bytes in) and appends
// trailer after IEND.
func pngWith(t testing.TB, chunks [][]byte, trailer []byte) []byte {
	src := pngBytes(t)
	out := slices.Clone(src[:33])
	for _, c := range chunks {
		out = append(out, c...)
	}
	out = append(out, src[33:]...)
	return append(out, trailer...)
}

func pngChunkTypes(t *testing.T, b []byte) []string {
	t.Helper()
	var types []string
	for i := 8; i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		types = append(types, string(b[i+4:i+8]))
		i += 12 + n
	}
	return types
}

// webpChunk is one RIFF chunk, padded to an even size.
func webpChunk(fourCC string, data []byte) []byte {
	b := append([]byte(fourCC), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// webpWith is an extended WebP: VP8X (flags), the 1×1 VP8L image of
// webpBytes, then chunks.
func webpWith(flags byte, chunks ...[]byte) []byte {
	vp8x := []byte{flags, 0, 0, 0, 0, 0, 0, 0, 0, 0} // 1×1 canvas: sizes minus one
	body := append([]byte("WEBP"), webpChunk("VP8X", vp8x)...)
	body = append(body, webpBytes()[12:]...)
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

// Issue 15, finding 6: GPS in a PNG eXIf chunk came back byte for byte.
func TestStripPNGRemovesMetadataKeepsThePicture(t *testing.T) {
	exif := exifTIFF()
	src := pngWith(t, [][]byte{
		pngChunk("eXIf", exif),
		pngChunk("tEXt", []byte("Comment\x00written at home, 37.5N")),
		pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta exif:GPSLatitude=\"37,33.2N\"/>")),
		pngChunk("zTXt", []byte("Author\x00\x00x\x9c")),
		pngChunk("gAMA", []byte{0, 0, 0xb1, 0x8f}),
	}, []byte("data hidden after IEND"))
	got, err := StripPNG(src)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"IHDR", "gAMA", "IDAT", "IEND"}; !slices.Equal(pngChunkTypes(t, got), want) {
		t.Errorf("chunks = %v, want %v", pngChunkTypes(t, got), want)
	}
	for _, leak := range [][]byte{latitudeBytes(), []byte("37.5N"), []byte("GPSLatitude"), []byte("hidden")} {
		if bytes.Contains(got, leak) {
			t.Errorf("stripped PNG still holds %q", leak)
		}
	}
	if _, err := png.Decode(bytes.NewReader(got)); err != nil {
		t.Errorf("stripped PNG does not decode: %v", err)
	}
	plain := pngBytes(t)
	if again, err := StripPNG(plain); err != nil || !bytes.Equal(again, plain) {
		t.Errorf("a PNG without metadata changed: %v", err)
	}
}

func TestStripPNGRefusesBrokenFiles(t *testing.T) {
	good := pngBytes(t)
	badCRC := slices.Clone(good)
	badCRC[30] ^= 0xff // inside IHDR
	tests := map[string][]byte{
		"not a PNG":      []byte("GIF89a"),
		"cut in a chunk": good[:40],
		"no IEND":        good[:len(good)-12],
		"a wrong CRC":    badCRC,
		"a huge length":  append(slices.Clone(good[:8]), 0xff, 0xff, 0xff, 0xff, 'I', 'H', 'D', 'R'),
	}
	for name, b := range tests {
		if _, err := StripPNG(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Issue 15, finding 6: GPS in a WebP EXIF chunk came back byte for byte.
func TestStripWebPRemovesEXIFAndXMP(t *testing.T) {
	const iccFlag, exifFlag, xmpFlag = 0x20, 0x08, 0x04
	src := webpWith(iccFlag|exifFlag|xmpFlag,
		webpChunk("EXIF", exifTIFF()),
		webpChunk("XMP ", []byte(`<x:xmpmeta exif:GPSLatitude="37,33.2N"/>`)),
	)
	got, err := StripWebP(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range [][]byte{latitudeBytes(), []byte("GPSLatitude"), []byte("EXIF"), []byte("XMP ")} {
		if bytes.Contains(got, leak) {
			t.Errorf("stripped WebP still holds %q", leak)
		}
	}
	if flags := got[20]; flags != iccFlag {
		t.Errorf("VP8X flags = %#x, want only ICC (%#x)", flags, iccFlag)
	}
	if size := binary.LittleEndian.Uint32(got[4:8]); int(size) != len(got)-8 {
		t.Errorf("RIFF size %d for %d bytes", size, len(got))
	}
	if ct, err := Sniff(got); err != nil || ct != WebP {
		t.Errorf("Sniff = %q, %v", ct, err)
	}
	plain := webpBytes()
	if again, err := StripWebP(plain); err != nil || !bytes.Equal(again, plain) {
		t.Errorf("a WebP without metadata changed: %v", err)
	}
}

func TestStripWebPRefusesBrokenFiles(t *testing.T) {
	good := webpWith(0, webpChunk("EXIF", []byte("x")))
	tests := map[string][]byte{
		"not RIFF":          []byte("RIFX\x04\x00\x00\x00WEBP"),
		"RIFF size too big": append(slices.Clone(good[:4]), append([]byte{0xff, 0xff, 0, 0}, good[8:]...)...),
		"a chunk too long":  append(slices.Clone(good[:12]), "VP8L\xff\xff\x00\x00"...),
		"a short VP8X":      webpBodyOnly(webpChunk("VP8X", []byte{0x08})),
	}
	for name, b := range tests {
		if _, err := StripWebP(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func webpBodyOnly(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

// The strippers parse untrusted bytes: they must never panic, and what
// they return must be stripped already (stripping again changes nothing)
// and no longer than what came in.
func FuzzStripPNG(f *testing.F) {
	f.Add(pngBytes(f))
	f.Add(pngWith(f, [][]byte{pngChunk("eXIf", exifTIFF()), pngChunk("tEXt", []byte("k\x00v"))}, []byte("tail")))
	f.Fuzz(func(t *testing.T, b []byte) { checkStripper(t, StripPNG, b) })
}

func FuzzStripWebP(f *testing.F) {
	f.Add(webpBytes())
	f.Add(webpWith(0x0c, webpChunk("EXIF", exifTIFF()), webpChunk("XMP ", []byte("<x/>"))))
	f.Fuzz(func(t *testing.T, b []byte) { checkStripper(t, StripWebP, b) })
}

func FuzzStripLocation(f *testing.F) {
	f.Add(jpegWithGPS(f))
	f.Fuzz(func(t *testing.T, b []byte) { checkStripper(t, StripLocation, b) })
}

func checkStripper(t *testing.T, strip func([]byte) ([]byte, error), b []byte) {
	out, err := strip(b)
	if err != nil {
		return
	}
	if len(out) > len(b) {
		t.Fatalf("output %d bytes from %d", len(out), len(b))
	}
	again, err := strip(out)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("stripping the output again: %v, changed %v", err, !bytes.Equal(again, out))
	}
}

// Upload strips by the sniffed type: every format that can carry a
// position loses it.
func TestStripMetadataByType(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"jpeg", jpegWithGPS(t)},
		{"png", pngWith(t, [][]byte{pngChunk("eXIf", exifTIFF())}, nil)},
		{"webp", webpWith(0x08, webpChunk("EXIF", exifTIFF()))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := Sniff(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			out, err := stripMetadata(ct, tt.in)
			if err != nil || bytes.Contains(out, latitudeBytes()) {
				t.Errorf("%s: err %v, latitude left %v", ct, err, bytes.Contains(out, latitudeBytes()))
			}
		})
	}
	gif := gifBytes(t)
	if out, err := stripMetadata(GIF, gif); err != nil || !bytes.Equal(out, gif) {
		t.Errorf("GIF changed: %v", err)
	}
}
