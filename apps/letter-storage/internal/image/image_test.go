package image

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"strings"
	"testing"
	"time"
)

func TestSniff(t *testing.T) {
	jpg, pngB, gifB, webp := jpegBytes(t), pngBytes(t), gifBytes(t), webpBytes()
	tests := []struct {
		name    string
		data    []byte
		want    string
		wantErr error
	}{
		{"jpeg", jpg, JPEG, nil},
		{"jpeg with exif", jpegWithGPS(t), JPEG, nil},
		{"png", pngB, PNG, nil},
		{"gif", gifB, GIF, nil},
		{"webp", webp, WebP, nil},
		{"text renamed .png", []byte("hello, this is not a picture\n"), "", ErrUnsupportedType},
		{"html", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "", ErrUnsupportedType},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`), "", ErrUnsupportedType},
		{"pdf", []byte("%PDF-1.4\n%âãÏÓ\n"), "", ErrUnsupportedType},
		{"empty", nil, "", ErrEmpty},
		{"png magic only", pngB[:12], "", ErrUnsupportedType},
		{"jpeg magic then garbage", append([]byte{0xFF, 0xD8, 0xFF}, bytes.Repeat([]byte{'x'}, 100)...), "", ErrUnsupportedType},
		{"riff but not webp", append([]byte("RIFF\x10\x00\x00\x00WAVEfmt "), make([]byte, 16)...), "", ErrUnsupportedType},
		{"webp with unknown chunk", append([]byte("RIFF\x10\x00\x00\x00WEBPVP9 "), make([]byte, 16)...), "", ErrUnsupportedType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Sniff(tc.data)
			if !errors.Is(err, tc.wantErr) || got != tc.want {
				t.Fatalf("Sniff = %q, %v; want %q, %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// ifd0Tags parses the EXIF segment of a JPEG and returns IFD0's tags and
// values (inline value field).
func ifd0Tags(t *testing.T, jpg []byte) map[uint16]uint32 {
	t.Helper()
	i := bytes.Index(jpg, []byte("Exif\x00\x00"))
	if i < 0 {
		t.Fatal("no EXIF segment left")
	}
	tiff := jpg[i+6:]
	le := binary.LittleEndian
	off := le.Uint32(tiff[4:])
	n := le.Uint16(tiff[off:])
	tags := map[uint16]uint32{}
	for k := range uint32(n) {
		e := off + 2 + 12*k
		tags[le.Uint16(tiff[e:])] = le.Uint32(tiff[e+8:])
	}
	return tags
}

func TestStripLocationRemovesGPSKeepsOrientation(t *testing.T) {
	in := jpegWithGPS(t)
	if !bytes.Contains(in, latitudeBytes()) {
		t.Fatal("test image lacks the latitude")
	}
	if got := ifd0Tags(t, in); got[0x8825] == 0 {
		t.Fatalf("test image lacks the GPS pointer: %v", got)
	}

	out, err := StripLocation(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, latitudeBytes()) {
		t.Error("latitude still in the image")
	}
	if bytes.Contains(out, []byte{0x02, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00}) {
		t.Error("GPSLatitude entry still in the image")
	}
	tags := ifd0Tags(t, out)
	if _, ok := tags[0x8825]; ok {
		t.Errorf("GPS IFD pointer still in IFD0: %v", tags)
	}
	if got := tags[0x0112] & 0xFFFF; got != 6 {
		t.Errorf("orientation = %d, want 6 (kept)", got)
	}
	if len(out) != len(in) {
		t.Errorf("length changed %d → %d; offsets must not move", len(in), len(out))
	}
	if ct, err := Sniff(out); err != nil || ct != JPEG {
		t.Errorf("Sniff(stripped) = %q, %v", ct, err)
	}
	if _, err := jpeg.Decode(bytes.NewReader(out)); err != nil {
		t.Errorf("stripped image does not decode: %v", err)
	}
}

func TestStripLocation(t *testing.T) {
	plain := jpegBytes(t)
	xmp := withSegment(plain, 0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>37,33.2N</exif:GPSLatitude></x:xmpmeta>"))
	brokenExif := append([]byte("Exif\x00\x00II*\x00"), 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3)
	tests := []struct {
		name      string
		in        []byte
		mustLack  []byte
		wantSame  bool
		wantError bool
	}{
		{"no metadata: unchanged", plain, nil, true, false},
		{"xmp dropped", xmp, []byte("GPSLatitude"), false, false},
		{"unparseable exif dropped", withSegment(plain, 0xE1, brokenExif), []byte("Exif\x00\x00"), false, false},
		{"exif without gps: unchanged", withSegment(plain, 0xE1, append([]byte("Exif\x00\x00"), noGPSTIFF()...)), nil, true, false},
		{"not a jpeg", []byte("GIF89a"), nil, false, true},
		{"truncated segment", plain[:30], nil, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := StripLocation(tc.in)
			if tc.wantError {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantSame && !bytes.Equal(out, tc.in) {
				t.Error("bytes changed")
			}
			if tc.mustLack != nil && bytes.Contains(out, tc.mustLack) {
				t.Errorf("still contains %q", tc.mustLack)
			}
			if _, err := jpeg.Decode(bytes.NewReader(out)); err != nil {
				t.Errorf("does not decode: %v", err)
			}
		})
	}
}

func noGPSTIFF() []byte {
	le := binary.LittleEndian
	b := []byte{'I', 'I'}
	b = le.AppendUint16(b, 42)
	b = le.AppendUint32(b, 8)
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, 0x0112)
	b = le.AppendUint16(b, 3)
	b = le.AppendUint32(b, 1)
	b = le.AppendUint32(b, 1)
	return le.AppendUint32(b, 0)
}

func TestCheckQuota(t *testing.T) {
	l := Limits{MaxBytes: 100, QuotaImages: 3, QuotaBytes: 1000}
	tests := []struct {
		name  string
		count int
		used  int64
		size  int64
		ok    bool
	}{
		{"empty", 0, 0, 100, true},
		{"last image slot", 2, 500, 100, true},
		{"count full", 3, 500, 1, false},
		{"bytes exactly at the limit", 1, 900, 100, true},
		{"bytes one over", 1, 901, 100, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := l.CheckQuota(tc.count, tc.used, tc.size)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckQuota = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrQuotaExceeded) {
				t.Fatalf("error %v is not ErrQuotaExceeded", err)
			}
		})
	}
}

func TestSealed(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		img  Image
		want bool
	}{
		{"unattached", Image{}, false},
		{"letter opens later", Image{letterID: "l", openAt: now.Add(time.Second)}, true},
		{"letter opens now", Image{letterID: "l", openAt: now}, false},
		{"letter opened", Image{letterID: "l", openAt: now.Add(-time.Hour)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.img.Sealed(now); got != tc.want {
				t.Fatalf("Sealed = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAttachErrorSummaryIsSorted(t *testing.T) {
	e := &AttachError{Reasons: map[string]string{"b": ReasonOtherLetter, "a": ReasonNotFound}}
	if got, want := e.Summary(), "a: not found; b: already belongs to another letter"; got != want {
		t.Fatalf("Summary = %q, want %q", got, want)
	}
	if !strings.Contains(e.Error(), "cannot attach") {
		t.Fatal(e.Error())
	}
}

func TestNewChecksTheUpload(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	id, user, sum := "0b9f2a3e-6c4d-4f7a-9a51-3f1e2d4c5b6a", "7d7c1e0a-2b3c-4d5e-8f90-a1b2c3d4e5f6", strings.Repeat("ab", 32)
	img, err := New(id, user, PNG, 10, sum, now)
	if err != nil || img.ObjectKey() != ObjectKey(user, id) || img.Attached() {
		t.Fatalf("New = %+v, %v", img, err)
	}
	for _, tc := range []struct {
		name, id, ct string
		size         int64
	}{
		{"id not a uuid", "x", PNG, 10},
		{"content type not sniffed", id, "text/html", 10},
		{"empty", id, PNG, 0},
	} {
		if _, err := New(tc.id, user, tc.ct, tc.size, sum, now); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}
