package image

import (
	"bytes"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
)

// Sniff decides the content type from the bytes alone (never the file name
// or the part's header) and accepts only JPEG, PNG, GIF and WebP. For the
// formats the standard library reads, the header must also parse, so a
// file that merely starts with magic bytes is refused too.
func Sniff(b []byte) (string, error) {
	if len(b) == 0 {
		return "", ErrEmpty
	}
	ct := http.DetectContentType(b)
	var err error
	switch ct {
	case JPEG:
		_, err = jpeg.DecodeConfig(bytes.NewReader(b))
	case PNG:
		_, err = png.DecodeConfig(bytes.NewReader(b))
	case GIF:
		_, err = gif.DecodeConfig(bytes.NewReader(b))
	case WebP:
		if !validWebP(b) {
			return "", ErrUnsupportedType
		}
	default:
		return "", ErrUnsupportedType
	}
	if err != nil {
		return "", ErrUnsupportedType
	}
	return ct, nil
}

// validWebP checks the RIFF container: "RIFF" <size> "WEBP" and a first
// chunk that is one of the three WebP bitstream kinds.
func validWebP(b []byte) bool {
	if len(b) < 20 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return false
	}
	switch string(b[12:16]) {
	case "VP8 ", "VP8L", "VP8X":
		return true
	}
	return false
}
