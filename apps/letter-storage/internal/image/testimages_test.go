package image

import (
	"bytes"
	"encoding/binary"
	stdimage "image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

func tiny() stdimage.Image {
	img := stdimage.NewRGBA(stdimage.Rect(0, 0, 4, 3))
	for x := range 4 {
		for y := range 3 {
			img.Set(x, y, color.RGBA{uint8(60 * x), uint8(80 * y), 200, 255})
		}
	}
	return img
}

func jpegBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, tiny(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, tiny()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, tiny(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// webpBytes is a lossless 1×1 WebP: RIFF header, VP8L chunk.
func webpBytes() []byte {
	vp8l := []byte{0x2f, 0x00, 0x00, 0x00, 0x00, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00}
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(4+8+len(vp8l)))
	b.WriteString("WEBPVP8L")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(vp8l)))
	b.Write(vp8l)
	return b.Bytes()
}

// The position written into the test EXIF: 37°33'12.34" N.
var latitude = []uint32{37, 1, 33, 1, 1234, 100}

// exifTIFF builds a little-endian TIFF block: IFD0 with Orientation (6)
// and a GPS IFD pointer; the GPS IFD holds GPSVersionID, GPSLatitudeRef "N"
// and GPSLatitude (three rationals, stored out of line).
func exifTIFF() []byte {
	le := binary.LittleEndian
	var b []byte
	u16 := func(v uint16) { b = le.AppendUint16(b, v) }
	u32 := func(v uint32) { b = le.AppendUint32(b, v) }
	entry := func(tag, typ uint16, count, value uint32) { u16(tag); u16(typ); u32(count); u32(value) }

	const ifd0 = 8
	const gpsIFD = ifd0 + 2 + 2*12 + 4 // 38
	const latOff = gpsIFD + 2 + 3*12 + 4
	b = append(b, 'I', 'I')
	u16(42)
	u32(ifd0)
	u16(2)
	entry(0x0112, 3, 1, 6)      // Orientation SHORT = 6 (inline, low bytes)
	entry(0x8825, 4, 1, gpsIFD) // GPS IFD pointer
	u32(0)                      // no IFD1
	u16(3)
	entry(0x0000, 1, 4, 0x00000302)  // GPSVersionID 2.3.0.0
	entry(0x0001, 2, 2, uint32('N')) // GPSLatitudeRef "N\0"
	entry(0x0002, 5, 3, latOff)      // GPSLatitude
	u32(0)
	for _, v := range latitude {
		u32(v)
	}
	return b
}

func latitudeBytes() []byte {
	var b []byte
	for _, v := range latitude {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// withSegment inserts a JPEG marker segment right after SOI.
func withSegment(jpg []byte, marker byte, payload []byte) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func jpegWithGPS(t testing.TB) []byte {
	t.Helper()
	return withSegment(jpegBytes(t), 0xE1, append([]byte("Exif\x00\x00"), exifTIFF()...))
}
