package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/authn/authntest"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"

	"github.com/lettertomyself/ltm/apps/letter-storage/internal/blob/blobtest"
	limage "github.com/lettertomyself/ltm/apps/letter-storage/internal/image"
)

const appToken = servicetest.AppToken

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

type env struct {
	t     *testing.T
	srv   *servicetest.Server
	url   string
	fake  *blobtest.Sidecar
	clock *clock.Fake
	iss   *authntest.Issuer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := clock.NewFake(t0)
	iss := authntest.NewIssuer(t, clk)
	fake := blobtest.New(t, "images", blobtest.LocalStorage)
	vars := map[string]string{"DATABASE_URL": "postgres://unused", "QUOTA_IMAGES": "3", "QUOTA_BYTES": "104857600"}
	cfg, err := config.Load[Config](func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = *servicetest.Database(t)
	s := spec(cfg)
	s.Clock, s.Keys = clk, iss
	// The service reaches the binding through servicetest's sidecar, which
	// hands every call to the fake's handler.
	srv := servicetest.Start(t, s, fake.Config.Handler)
	return &env{t: t, srv: srv, url: srv.URL, fake: fake, clock: clk, iss: iss}
}

func (e *env) do(req *http.Request) (*http.Response, []byte) {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, body
}

// upload posts data as the multipart field (with a file name and part
// content type that claim PNG, whatever data is).
func (e *env) upload(user, field string, data []byte) (*http.Response, []byte) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("note", "ignored")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename="picture.png"`, field))
	h.Set("Content-Type", "image/png")
	pw, _ := mw.CreatePart(h)
	_, _ = pw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/api/images", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", e.iss.Bearer(user))
	return e.do(req)
}

func (e *env) uploadOK(user string, data []byte) string {
	e.t.Helper()
	resp, body := e.upload(user, "file", data)
	if resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	var out struct{ ID string }
	_ = json.Unmarshal(body, &out)
	return out.ID
}

func (e *env) get(user, id string) (*http.Response, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.url+"/api/images/"+id, nil)
	req.Header.Set("Authorization", e.iss.Bearer(user))
	return e.do(req)
}

func (e *env) internal(path string, v any) (*http.Response, []byte) {
	e.t.Helper()
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPost, e.url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(authn.AppTokenHeader, appToken)
	req.Header.Set(authn.CallerAppHeader, "letter-service")
	return e.do(req)
}

func (e *env) event(topic string, data any) string {
	e.t.Helper()
	return e.srv.Publish(e.t, topic, "", data)
}

func pngBytes(t *testing.T) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	img.Set(3, 3, color.NRGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func problemOf(t *testing.T, resp *http.Response, body []byte, status int) map[string]any {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want problem+json", ct)
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUploadAndServe(t *testing.T) {
	e := newEnv(t)
	alice, bob := uuid.NewString(), uuid.NewString()
	data := pngBytes(t)

	resp, body := e.upload(alice, "file", data)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	var created struct {
		ID          string    `json:"id"`
		ContentType string    `json:"content_type"`
		Size        int64     `json:"size"`
		CreatedAt   time.Time `json:"created_at"`
	}
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	if created.ContentType != "image/png" || created.Size != int64(len(data)) || !created.CreatedAt.Equal(t0) {
		t.Fatalf("created = %+v", created)
	}
	if _, ok := e.fake.Object("users/" + alice + "/" + created.ID); !ok {
		t.Fatal("object not stored under users/<user>/<id>")
	}

	resp, got := e.get(alice, created.ID)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("get: %d, %d bytes (want the %d uploaded)", resp.StatusCode, len(got), len(data))
	}
	for k, want := range map[string]string{
		"Content-Type":           "image/png",
		"Content-Length":         fmt.Sprint(len(data)),
		"Cache-Control":          "private, max-age=3600",
		"X-Content-Type-Options": "nosniff",
	} {
		if v := resp.Header.Get(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	if etag := resp.Header.Get("ETag"); len(etag) != 66 {
		t.Errorf("ETag = %q, want the quoted sha256", etag)
	}

	for name, id := range map[string]string{"another user's": created.ID, "unknown": uuid.NewString(), "malformed": "../x"} {
		resp, body := e.get(bob, id)
		if name == "another user's" || name == "unknown" {
			problemOf(t, resp, body, http.StatusNotFound)
		} else if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s id: %d", name, resp.StatusCode)
		}
	}

	req, _ := http.NewRequest(http.MethodGet, e.url+"/api/images/"+created.ID, nil)
	if resp, _ := e.do(req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", resp.StatusCode)
	}
}

func TestUploadJPEGLosesNothingButLocation(t *testing.T) {
	e := newEnv(t)
	user := uuid.NewString()
	var b bytes.Buffer
	_ = jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 16, 16)), nil)
	id := e.uploadOK(user, b.Bytes())
	resp, got := e.get(user, id)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("get: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, err := jpeg.Decode(bytes.NewReader(got)); err != nil {
		t.Fatalf("served JPEG does not decode: %v", err)
	}
}

func TestUploadRefusals(t *testing.T) {
	e := newEnv(t)
	user := uuid.NewString()
	big := append(pngBytes(t), make([]byte, 6<<20)...)

	tests := []struct {
		name   string
		field  string
		data   []byte
		status int
	}{
		{"text renamed .png", "file", []byte("just some text, honestly\n"), http.StatusUnsupportedMediaType},
		{"6 MiB", "file", big, http.StatusRequestEntityTooLarge},
		{"empty file", "file", nil, http.StatusBadRequest},
		{"no file field", "picture", pngBytes(t), http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.upload(user, tc.field, tc.data)
			problemOf(t, resp, body, tc.status)
		})
	}
	t.Run("6 MiB without Content-Length", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		pw, _ := mw.CreateFormFile("file", "big.png")
		_, _ = pw.Write(big)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, e.url+"/api/images", io.MultiReader(&buf)) // length unknown: chunked
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", e.iss.Bearer(user))
		resp, body := e.do(req)
		problemOf(t, resp, body, http.StatusRequestEntityTooLarge)
	})
	if n := e.fake.Len(); n != 0 {
		t.Fatalf("%d objects stored by refused uploads", n)
	}

	t.Run("quota", func(t *testing.T) {
		for range 3 {
			e.uploadOK(user, pngBytes(t))
		}
		resp, body := e.upload(user, "file", pngBytes(t))
		p := problemOf(t, resp, body, http.StatusRequestEntityTooLarge)
		if !strings.Contains(p["type"].(string), "quota") {
			t.Fatalf("problem %v", p)
		}
	})
}

func TestSealedUntilTheLetterOpens(t *testing.T) {
	e := newEnv(t)
	user, letter := uuid.NewString(), uuid.NewString()
	id := e.uploadOK(user, pngBytes(t))
	openAt := t0.Add(24 * time.Hour)

	resp, body := e.internal("/internal/images/attach", map[string]any{"user_id": user, "letter_id": letter, "image_ids": []string{id}, "open_at": openAt})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("attach: %d %s", resp.StatusCode, body)
	}
	resp, body = e.get(user, id)
	p := problemOf(t, resp, body, http.StatusLocked)
	if p["open_at"] != openAt.Format(time.RFC3339) {
		t.Fatalf("open_at = %v, want %s", p["open_at"], openAt.Format(time.RFC3339))
	}

	e.clock.Set(openAt)
	if resp, _ := e.get(user, id); resp.StatusCode != http.StatusOK {
		t.Fatalf("at open time: %d", resp.StatusCode)
	}
}

func TestInternalAttachDetach(t *testing.T) {
	e := newEnv(t)
	alice, bob := uuid.NewString(), uuid.NewString()
	l1, l2 := uuid.NewString(), uuid.NewString()
	mine := e.uploadOK(alice, pngBytes(t))
	bobs := e.uploadOK(bob, pngBytes(t))
	attach := func(letter string, ids ...string) (*http.Response, []byte) {
		return e.internal("/internal/images/attach", map[string]any{"user_id": alice, "letter_id": letter, "image_ids": ids, "open_at": t0})
	}

	if resp, body := attach(l1, mine); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("attach: %d %s", resp.StatusCode, body)
	}
	if resp, body := attach(l1, mine); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("retried attach: %d %s", resp.StatusCode, body)
	}
	resp, body := attach(l2, mine, bobs)
	p := problemOf(t, resp, body, http.StatusUnprocessableEntity)
	msg := p["errors"].(map[string]any)["image_ids"].(string)
	if !strings.Contains(msg, mine+": already belongs to another letter") || !strings.Contains(msg, bobs+": not found") {
		t.Fatalf("errors.image_ids = %q", msg)
	}

	if resp, body := e.internal("/internal/images/detach", map[string]any{"letter_id": l1}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("detach: %d %s", resp.StatusCode, body)
	}
	if resp, body := attach(l2, mine); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("attach after detach: %d %s", resp.StatusCode, body)
	}

	resp, body = e.internal("/internal/images/attach", map[string]any{"user_id": "x", "letter_id": l1, "image_ids": []string{mine}})
	p = problemOf(t, resp, body, http.StatusBadRequest)
	if errs := p["errors"].(map[string]any); errs["user_id"] == nil || errs["open_at"] == nil {
		t.Fatalf("errors = %v", errs)
	}

	req, _ := http.NewRequest(http.MethodPost, e.url+"/internal/images/detach", strings.NewReader(`{"letter_id":"`+l1+`"}`))
	req.Header.Set("Authorization", e.iss.Bearer(alice)) // a user token is not the app token
	if resp, _ := e.do(req); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("internal route without the app token: %d", resp.StatusCode)
	}

	// Through Dapr but from another app: detaching would unseal the images.
	for _, caller := range []string{"gateway", "emotion-ml-service", ""} {
		req, _ = http.NewRequest(http.MethodPost, e.url+"/internal/images/detach", strings.NewReader(`{"letter_id":"`+l1+`"}`))
		req.Header.Set(authn.AppTokenHeader, appToken)
		req.Header.Set(authn.CallerAppHeader, caller)
		if resp, _ := e.do(req); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("detach called by %q: %d, want 403", caller, resp.StatusCode)
		}
	}
}

func TestLetterDeletedRemovesObjectsAndRows(t *testing.T) {
	e := newEnv(t)
	user, letter := uuid.NewString(), uuid.NewString()
	id := e.uploadOK(user, pngBytes(t))
	keep := e.uploadOK(user, pngBytes(t))
	e.internal("/internal/images/attach", map[string]any{"user_id": user, "letter_id": letter, "image_ids": []string{id}, "open_at": t0})

	if st := e.event("letter.deleted", map[string]string{"letter_id": letter, "user_id": user}); st != "SUCCESS" {
		t.Fatalf("status %s", st)
	}
	if _, ok := e.fake.Object(limage.ObjectKey(user, id)); ok {
		t.Fatal("object still stored")
	}
	if resp, _ := e.get(user, id); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("get after delete: %d", resp.StatusCode)
	}
	if resp, _ := e.get(user, keep); resp.StatusCode != http.StatusOK {
		t.Fatalf("unattached image affected: %d", resp.StatusCode)
	}
	if st := e.event("letter.deleted", map[string]string{"letter_id": "nope"}); st != "DROP" {
		t.Fatalf("bad payload: %s, want DROP", st)
	}

	other := uuid.NewString()
	id2 := e.uploadOK(user, pngBytes(t))
	e.internal("/internal/images/attach", map[string]any{"user_id": user, "letter_id": other, "image_ids": []string{id2}, "open_at": t0})
	// The bucket down: the rows go at once (the image is unreachable), the
	// object stays doomed, and the sweep deletes it once the bucket is back.
	e.fake.FailAll(true)
	if st := e.event("letter.deleted", map[string]string{"letter_id": other, "user_id": user}); st != "SUCCESS" {
		t.Fatalf("bucket down: %s, want SUCCESS (the sweep finishes the job)", st)
	}
	e.fake.FailAll(false)
	if resp, _ := e.get(user, id2); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("image of a deleted letter while its object waits: %d, want 404", resp.StatusCode)
	}
	if _, ok := e.fake.Object(limage.ObjectKey(user, id2)); !ok {
		t.Fatal("object gone although the bucket was down")
	}
	e.clock.Advance(11 * time.Minute)
	e.sweep()
	if _, ok := e.fake.Object(limage.ObjectKey(user, id2)); ok {
		t.Fatal("the sweep left the doomed object")
	}
}

func TestUserDeletedAndSweep(t *testing.T) {
	e := newEnv(t)
	alice, bob := uuid.NewString(), uuid.NewString()
	a1 := e.uploadOK(alice, pngBytes(t))
	a2 := e.uploadOK(alice, pngBytes(t))
	b1 := e.uploadOK(bob, pngBytes(t))
	b2 := e.uploadOK(bob, pngBytes(t))
	e.internal("/internal/images/attach", map[string]any{"user_id": bob, "letter_id": uuid.NewString(), "image_ids": []string{b2}, "open_at": t0})

	if st := e.event("user.deleted", map[string]string{"user_id": alice}); st != "SUCCESS" {
		t.Fatalf("status %s", st)
	}
	for _, id := range []string{a1, a2} {
		if _, ok := e.fake.Object(limage.ObjectKey(alice, id)); ok {
			t.Fatal("alice's object still stored")
		}
	}

	e.clock.Advance(25 * time.Hour)
	e.sweep()
	if resp, _ := e.get(bob, b1); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("stale unattached image survived the sweep: %d", resp.StatusCode)
	}
	if resp, _ := e.get(bob, b2); resp.StatusCode != http.StatusOK {
		t.Fatalf("attached image swept: %d", resp.StatusCode)
	}
	if n := e.fake.Len(); n != 1 {
		t.Fatalf("%d objects left, want 1", n)
	}
}

func TestSubscriptionsDeclared(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(must(http.NewRequest(http.MethodGet, e.url+"/dapr/subscribe", nil)))
	if resp.StatusCode != http.StatusOK {
		t.Fatal(resp.StatusCode)
	}
	var subs []daprx.Subscription
	_ = json.Unmarshal(body, &subs)
	topics := map[string]bool{}
	for _, s := range subs {
		topics[s.Topic] = true
	}
	if !topics["letter.deleted"] || !topics["user.deleted"] || len(subs) != 2 {
		t.Fatalf("subscriptions = %+v", subs)
	}
}

func must(r *http.Request, err error) *http.Request {
	if err != nil {
		panic(err)
	}
	return r
}

// as calls an internal route as app's sidecar would.
func (e *env) as(app, path string, v any) (*http.Response, []byte) {
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPost, e.url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(authn.AppTokenHeader, appToken)
	req.Header.Set(authn.CallerAppHeader, app)
	return e.do(req)
}

// A profile picture is one of the user's own uploads, on no letter, kept
// from the sweep and readable by its owner; a new one replaces the old.
func TestAvatar(t *testing.T) {
	e := newEnv(t)
	alice, bob := uuid.NewString(), uuid.NewString()
	first, second := e.uploadOK(alice, pngBytes(t)), e.uploadOK(alice, pngBytes(t))
	onLetter := e.uploadOK(alice, pngBytes(t))
	bobs := e.uploadOK(bob, pngBytes(t))
	e.internal("/internal/images/attach", map[string]any{"user_id": alice, "letter_id": uuid.NewString(), "image_ids": []string{onLetter}, "open_at": t0.Add(time.Hour)})

	set := func(user string, id any) int {
		resp, _ := e.as("user-service", "/internal/images/avatar", map[string]any{"user_id": user, "image_id": id})
		return resp.StatusCode
	}
	if resp, _ := e.as("gateway", "/internal/images/avatar", map[string]any{"user_id": alice, "image_id": first}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("from the gateway: %d, want 403", resp.StatusCode)
	}
	if got := set(alice, bobs); got != http.StatusNotFound {
		t.Errorf("another user's image: %d, want 404", got)
	}
	if got := set(alice, onLetter); got != http.StatusUnprocessableEntity {
		t.Errorf("a letter's image: %d, want 422", got)
	}
	if got := set(alice, first); got != http.StatusNoContent {
		t.Fatalf("set: %d", got)
	}
	if got := set(alice, second); got != http.StatusNoContent {
		t.Fatalf("replace: %d", got)
	}
	if _, ok := e.fake.Object(limage.ObjectKey(alice, first)); ok {
		t.Error("the replaced avatar's object is still stored")
	}
	if resp, _ := e.get(alice, first); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the replaced avatar: %d, want 404", resp.StatusCode)
	}
	// A profile picture never goes on a letter.
	resp, body := e.internal("/internal/images/attach", map[string]any{"user_id": alice, "letter_id": uuid.NewString(), "image_ids": []string{second}, "open_at": t0})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "profile picture") {
		t.Errorf("attach the avatar to a letter: %d %s, want 422", resp.StatusCode, body)
	}

	e.clock.Advance(25 * time.Hour)
	e.sweep()
	if resp, _ := e.get(alice, second); resp.StatusCode != http.StatusOK {
		t.Errorf("the avatar after a day's sweep: %d, want 200 to its owner", resp.StatusCode)
	}
	if resp, _ := e.get(bob, second); resp.StatusCode != http.StatusNotFound {
		t.Errorf("someone else reading the avatar: %d, want 404", resp.StatusCode)
	}
	if got := set(alice, nil); got != http.StatusNoContent {
		t.Fatalf("clear: %d", got)
	}
	if _, ok := e.fake.Object(limage.ObjectKey(alice, second)); ok {
		t.Error("a cleared avatar's object is still stored")
	}
}

// sweep delivers one cron tick of the image sweep, as the sidecar does.
func (e *env) sweep() {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/image-sweep", nil)
	req.Header.Set(authn.AppTokenHeader, appToken)
	if resp, body := e.do(req); resp.StatusCode != http.StatusOK {
		e.t.Fatalf("sweep: %d %s", resp.StatusCode, body)
	}
}
