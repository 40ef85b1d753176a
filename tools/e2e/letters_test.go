//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writer is a signed-up, logged-in user whose profile exists.
type writer struct {
	account
	token string
}

func newWriter(t *testing.T) writer {
	t.Helper()
	a := signup(t)
	w := writer{account: a, token: mustLogin(t, a.Username, a.Password).AccessToken}
	eventually(t, 30*time.Second, "profile of "+a.Username, func() error {
		if r := me(t, w.token); r.Status != http.StatusOK {
			return fmt.Errorf("GET /api/users/me = %d", r.Status)
		}
		return nil
	})
	return w
}

func (w writer) call(t *testing.T, method, path string, body any) response {
	t.Helper()
	return call(t, method, sys.gatewayURL(t)+path, body, bearer(w.token)...)
}

// upload sends data as the multipart field "file" named name.
func (w writer) upload(t *testing.T, name string, data []byte) response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(data)
	_ = mw.Close()
	return call(t, http.MethodPost, sys.gatewayURL(t)+"/api/images", buf.Bytes(),
		append(bearer(w.token), "Content-Type", mw.FormDataContentType())...)
}

func (w writer) uploadPNG(t *testing.T) (string, []byte) {
	t.Helper()
	img := testPNG(t)
	r := w.upload(t, "photo.png", img)
	expect(t, r, http.StatusCreated, "upload")
	var out struct {
		ID          string `json:"id"`
		ContentType string `json:"content_type"`
		Size        int    `json:"size"`
	}
	r.json(t, &out)
	if out.ContentType != "image/png" || out.Size != len(img) {
		t.Fatalf("upload answered %s", r.Body)
	}
	return out.ID, img
}

// write creates a letter opening at the given instant (in Asia/Seoul, the
// default timezone of a new profile) and returns its id.
func (w writer) write(t *testing.T, title, content string, openAt time.Time, images ...string) string {
	t.Helper()
	seoul, _ := time.LoadLocation("Asia/Seoul")
	local := openAt.In(seoul)
	body := map[string]any{"title": title, "content": content, "open_date": local.Format("2006-01-02"), "open_time": local.Format("15:04")}
	if len(images) > 0 {
		body["image_ids"] = images
	}
	r := w.call(t, http.MethodPost, "/api/letters", body)
	expect(t, r, http.StatusCreated, "write a letter")
	var out struct{ ID string }
	r.json(t, &out)
	return out.ID
}

func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 32, 24))
	for x := range 32 {
		for y := range 24 {
			img.Set(x, y, color.NRGBA{uint8(x * 8), uint8(y * 10), 0x80, 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// imagesAreOpenedByTheirLetter runs the whole image journey on whichever
// images binding letter-storage-service currently uses; stored tells
// whether the object exists in the backing store.
func imagesAreOpenedByTheirLetter(t *testing.T, stored func(userID, imageID string) bool) {
	w := newWriter(t)
	imgID, img := w.uploadPNG(t)
	if !stored(w.ID, imgID) {
		t.Fatal("uploaded image not in the store")
	}
	content := "오늘의 나에게: the letter body " + randomHex(4)
	letterID := w.write(t, "열린 편지", content, time.Now(), imgID)

	r := w.call(t, http.MethodGet, "/api/letters/"+letterID, nil)
	expect(t, r, http.StatusOK, "read an open letter")
	var letter struct {
		Content string
		Sealed  bool
		Images  []struct{ ID string }
	}
	r.json(t, &letter)
	if letter.Content != content || letter.Sealed || len(letter.Images) != 1 || letter.Images[0].ID != imgID {
		t.Fatalf("open letter = %s", r.Body)
	}
	r = w.call(t, http.MethodGet, "/api/images/"+imgID, nil)
	expect(t, r, http.StatusOK, "read the letter's image")
	if !bytes.Equal(r.Body, img) || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("image: %d bytes %q, want the %d bytes uploaded as image/png", len(r.Body), r.Header.Get("Content-Type"), len(img))
	}

	expect(t, w.call(t, http.MethodDelete, "/api/letters/"+letterID, nil), http.StatusNoContent, "delete the letter")
	expect(t, w.call(t, http.MethodGet, "/api/letters/"+letterID, nil), http.StatusNotFound, "the deleted letter")
	eventually(t, 30*time.Second, "the letter's image deleted with it", func() error {
		if r := w.call(t, http.MethodGet, "/api/images/"+imgID, nil); r.Status != http.StatusNotFound {
			return fmt.Errorf("GET image = %d", r.Status)
		}
		if stored(w.ID, imgID) {
			return fmt.Errorf("object still stored")
		}
		return nil
	})
}

func TestLetterOpenNowWithItsImage(t *testing.T) {
	imagesAreOpenedByTheirLetter(t, func(userID, imageID string) bool {
		_, err := os.Stat(filepath.Join(sys.W.Data, "images", "users", userID, imageID))
		return err == nil
	})
}

// The same journey with letter-storage-service on the gcp.bucket binding,
// against a GCS emulator.
func TestLetterImagesOnGCS(t *testing.T) {
	switchImages(t, "images-gcs")
	t.Cleanup(func() { switchImages(t, "images") })
	imagesAreOpenedByTheirLetter(t, func(userID, imageID string) bool {
		_, err := sys.GCS.GetObject(gcsBucket, "users/"+userID+"/"+imageID)
		return err == nil
	})
}

func switchImages(t *testing.T, binding string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := sys.Launch.StopApp(ctx, "letter-storage-service"); err != nil {
		t.Fatalf("stop letter-storage-service: %v", err)
	}
	if err := sys.Launch.StartAppWith(ctx, "letter-storage-service", map[string]string{"IMAGES_BINDING": binding}); err != nil {
		t.Fatalf("start letter-storage-service on %s: %v", binding, err)
	}
}

func TestSealedUntilItsOpenTime(t *testing.T) {
	w := newWriter(t)
	imgID, _ := w.uploadPNG(t)
	content := "not before tomorrow " + randomHex(4)
	letterID := w.write(t, "내일의 편지", content, time.Now().Add(26*time.Hour), imgID)

	r := w.call(t, http.MethodGet, "/api/letters/"+letterID, nil)
	expect(t, r, http.StatusLocked, "a sealed letter")
	var sealed struct {
		OpenAt string `json:"open_at"`
	}
	r.json(t, &sealed)
	if _, err := time.Parse(time.RFC3339, sealed.OpenAt); err != nil || strings.Contains(string(r.Body), content) {
		t.Errorf("423 body = %s", r.Body)
	}
	expect(t, w.call(t, http.MethodGet, "/api/images/"+imgID, nil), http.StatusLocked, "the sealed letter's image")

	r = w.call(t, http.MethodGet, "/api/letters?category=future", nil)
	expect(t, r, http.StatusOK, "future letters")
	if !strings.Contains(string(r.Body), letterID) || strings.Contains(string(r.Body), content) || !strings.Contains(string(r.Body), `"sealed":true`) {
		t.Errorf("future list = %s", r.Body)
	}
	r = w.call(t, http.MethodGet, "/api/letters/export", nil)
	expect(t, r, http.StatusOK, "export")
	if !strings.Contains(string(r.Body), letterID) || strings.Contains(string(r.Body), content) {
		t.Errorf("export shows a sealed letter's content or lacks it: %s", r.Body)
	}

	other := newWriter(t)
	expect(t, other.call(t, http.MethodGet, "/api/letters/"+letterID, nil), http.StatusNotFound, "another user's letter")
	expect(t, other.call(t, http.MethodGet, "/api/images/"+imgID, nil), http.StatusNotFound, "another user's image")
	expect(t, other.call(t, http.MethodDelete, "/api/letters/"+letterID, nil), http.StatusNotFound, "deleting another user's letter")

	// At rest, the letter's text is nowhere in its database.
	dump, err := exec.Command("pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--data-only", sys.W.ID+"_ltm_letter").CombinedOutput()
	if err != nil {
		t.Fatalf("pg_dump: %v: %s", err, dump)
	}
	if bytes.Contains(dump, []byte(content)) || bytes.Contains(dump, []byte("내일의 편지")) {
		t.Error("a dump of letter-service's database contains the letter's text")
	}
}

// withPrivateChunk puts data in a private ancillary chunk ("ltMz") just
// before a PNG's IEND chunk (its last 12 bytes).
func withPrivateChunk(pngBytes, data []byte) []byte {
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "ltMz"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	end := len(pngBytes) - 12
	return append(append(append([]byte{}, pngBytes[:end]...), chunk...), pngBytes[end:]...)
}

func TestImageUploadLimits(t *testing.T) {
	w := newWriter(t)
	// Just under 5 MiB passes gateway, both sidecars and the binding, and
	// comes back byte for byte. The bulk is a private ancillary chunk, which
	// uploads keep (bytes after IEND, like metadata chunks, are stripped).
	almost := withPrivateChunk(testPNG(t), bytes.Repeat([]byte{7}, 5<<20-4096))
	r := w.upload(t, "large.png", almost)
	expect(t, r, http.StatusCreated, "an image just under 5 MiB")
	var up struct{ ID string }
	r.json(t, &up)
	r = w.call(t, http.MethodGet, "/api/images/"+up.ID, nil)
	expect(t, r, http.StatusOK, "read the large image")
	if !bytes.Equal(r.Body, almost) {
		t.Errorf("large image read back as %d bytes, want %d", len(r.Body), len(almost))
	}

	r = w.upload(t, "notes.png", []byte("just some text, named like a picture\n"))
	expect(t, r, http.StatusUnsupportedMediaType, "text renamed .png")
	big := append(testPNG(t), bytes.Repeat([]byte{0}, 6<<20)...)
	r = w.upload(t, "huge.png", big)
	expect(t, r, http.StatusRequestEntityTooLarge, "a 6 MiB image")
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("413 is not a problem: %q", r.Header.Get("Content-Type"))
	}
}
