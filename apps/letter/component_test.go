package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/authn/authntest"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"

	"github.com/lettertomyself/ltm/apps/letter/internal/crypto"
	"github.com/lettertomyself/ltm/apps/letter/internal/postgres"
)

// t0 is 10:00 on 2026-03-10 in Seoul.
var t0 = time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC)

// sidecar stands in for the Dapr HTTP API: user-service's contact lookup
// and letter-storage's attach/detach.
type sidecar struct {
	mu        sync.Mutex
	zones     map[string]string // user id → timezone; absent → 404
	down      bool              // user-service unreachable
	rejected  map[string]bool   // image ids letter-storage refuses
	attached  []map[string]any
	detached  []string
	requestID []string
}

func (s *sidecar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	const users, storage = "/v1.0/invoke/user-service/method/internal/users/", "/v1.0/invoke/letter-storage-service/method/internal/images/"
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, users) && strings.HasSuffix(r.URL.Path, "/contact"):
		if s.down {
			http.Error(w, `{"errorCode":"ERR_DIRECT_INVOKE"}`, http.StatusInternalServerError)
			return
		}
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, users), "/contact")
		tz, ok := s.zones[id]
		if !ok {
			// What user-service answers for an account without a profile.
			problem.Write(w, problem.Typed(http.StatusNotFound, "profile-not-found", "Profile not found", "No profile."))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"user_id": id, "email": "me@example.com", "nickname": "me", "locale": "ko", "timezone": tz, "notifications": map[string]bool{}})
	case r.Method == http.MethodPost && r.URL.Path == storage+"attach":
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		s.requestID = append(s.requestID, r.Header.Get("X-Request-ID"))
		for _, id := range body["image_ids"].([]any) {
			if s.rejected[id.(string)] {
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusUnprocessableEntity)
				_, _ = io.WriteString(w, `{"type":"about:blank","title":"Unprocessable","status":422,"errors":{"image_ids":"image `+id.(string)+` is not yours or is in use"}}`)
				return
			}
		}
		s.attached = append(s.attached, body)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && r.URL.Path == storage+"detach":
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		s.detached = append(s.detached, body["letter_id"])
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/v1.0/healthz/outbound":
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

type env struct {
	t     *testing.T
	srv   *servicetest.Server
	clk   *clock.Fake
	side  *sidecar
	iss   *authntest.Issuer
	subs  []daprx.Subscription
	store *postgres.Store
}

func start(t *testing.T, keys *crypto.Holder) *env {
	t.Helper()
	side := &sidecar{zones: map[string]string{}, rejected: map[string]bool{}}
	clk := clock.NewFake(t0)
	iss := authntest.NewIssuer(t, clk)
	s := spec(Config{Database: *servicetest.Database(t)}, keys)
	s.Clock, s.Keys = clk, iss
	srv := servicetest.Start(t, s, side)
	return &env{t: t, srv: srv, clk: clk, side: side, iss: iss, subs: srv.Subs.Declared(), store: postgres.New(srv.DB, keys)}
}

func testKeys(t *testing.T) *crypto.Holder {
	raw := make([]byte, crypto.KeySize)
	_, _ = rand.Read(raw)
	k, err := crypto.NewKey("test-1", raw)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := crypto.NewKeyring(k)
	return crypto.NewHolder(r)
}

type response = servicetest.Response

// do calls the API as user (uuid.Nil: without a token).
func (e *env) do(method, path string, user uuid.UUID, body any) response {
	e.t.Helper()
	var header map[string]string
	if user != uuid.Nil {
		header = map[string]string{"Authorization": e.iss.Bearer(user.String())}
	}
	return e.srv.Do(e.t, method, path, body, header)
}

func (e *env) want(r response, status int) response {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var sealedKeys = []string{"id", "open_at", "open_date", "sealed", "title"}

func TestLettersOverHTTP(t *testing.T) {
	e := start(t, testKeys(t))
	me, stranger := uuid.New(), uuid.New()
	e.side.zones[me.String()] = "Asia/Seoul"
	img := uuid.NewString()

	// A letter for tomorrow, with an image: 201 in its sealed form.
	sealed := e.want(e.do("POST", "/api/letters", me, map[string]any{
		"title": "내일의 나에게", "content": "SEALED-BODY 아직 읽으면 안 돼", "open_date": "2026-03-11", "image_ids": []string{img},
	}), http.StatusCreated)
	if got := keys(sealed.Body); !slices.Equal(got, sealedKeys) || sealed.Body["sealed"] != true {
		t.Fatalf("created sealed letter shows %v, want only %v", got, sealedKeys)
	}
	if sealed.Body["open_at"] != "2026-03-11T00:00:00Z" || sealed.Header.Get("Location") != "/api/letters/"+sealed.Body["id"].(string) {
		t.Errorf("open_at %v, Location %q", sealed.Body["open_at"], sealed.Header.Get("Location"))
	}
	sealedID := sealed.Body["id"].(string)
	if len(e.side.attached) != 1 {
		t.Fatalf("attach calls: %v", e.side.attached)
	}
	att := e.side.attached[0]
	if att["user_id"] != me.String() || att["letter_id"] != sealedID || att["open_at"] != "2026-03-11T00:00:00Z" || att["image_ids"].([]any)[0] != img {
		t.Errorf("attach body = %v", att)
	}
	if e.side.requestID[0] == "" {
		t.Error("X-Request-ID not propagated to letter-storage")
	}

	// Sealed: 423 with open_at and nothing else of the letter.
	r := e.want(e.do("GET", "/api/letters/"+sealedID, me, nil), http.StatusLocked)
	if r.Body["type"] != "https://lettertomyself.app/problems/sealed" || r.Body["open_at"] != "2026-03-11T00:00:00Z" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") || strings.Contains(r.Raw, "SEALED-BODY") {
		t.Errorf("sealed answer: %s", r.Raw)
	}

	// Another user: 404, for reading and deleting; so is a bad id.
	e.want(e.do("GET", "/api/letters/"+sealedID, stranger, nil), http.StatusNotFound)
	e.want(e.do("DELETE", "/api/letters/"+sealedID, stranger, nil), http.StatusNotFound)
	e.want(e.do("GET", "/api/letters/not-a-uuid", me, nil), http.StatusNotFound)
	e.want(e.do("GET", "/api/letters/"+sealedID, uuid.Nil, nil), http.StatusUnauthorized)

	// Open now: today at 09:00 in Seoul, written at 10:01.
	e.clk.Advance(time.Minute)
	open := e.want(e.do("POST", "/api/letters", me, map[string]any{
		"title": "오늘의 나", "content": "지금 열려 있어", "open_date": "2026-03-10", "open_time": "09:00",
	}), http.StatusCreated)
	if open.Body["sealed"] != false || open.Body["content"] != "지금 열려 있어" || open.Body["timezone"] != "Asia/Seoul" {
		t.Errorf("created open letter: %s", open.Raw)
	}
	openID := open.Body["id"].(string)
	got := e.want(e.do("GET", "/api/letters/"+openID, me, nil), http.StatusOK)
	if got.Body["content"] != "지금 열려 있어" || got.Body["open_time"] != "09:00" || got.Body["mood"] != nil ||
		got.Body["images"] == nil || len(got.Body["images"].([]any)) != 0 {
		t.Errorf("open letter: %s", got.Raw)
	}

	// Categories by open date against today in Seoul.
	list := func(query string) []any {
		r := e.want(e.do("GET", "/api/letters"+query, me, nil), http.StatusOK)
		return r.Body["items"].([]any)
	}
	if items := list("?category=today"); len(items) != 1 || items[0].(map[string]any)["id"] != openID {
		t.Errorf("today: %v", items)
	}
	if items := list("?category=future"); len(items) != 1 || !slices.Equal(keys(items[0].(map[string]any)), sealedKeys) {
		t.Errorf("future: %v", items)
	}
	if items := list("?category=past"); len(items) != 0 {
		t.Errorf("past: %v", items)
	}
	if items := list(""); len(items) != 2 || items[0].(map[string]any)["id"] != openID {
		t.Errorf("all, newest first: %v", items)
	}
	item := list("?category=today")[0].(map[string]any)
	for _, k := range []string{"open_time", "created_at", "image_count", "mood", "detailed_mood"} {
		if _, ok := item[k]; !ok {
			t.Errorf("opened list item lacks %s: %v", k, item)
		}
	}
	page := e.want(e.do("GET", "/api/letters?limit=1", me, nil), http.StatusOK)
	next, _ := page.Body["next_cursor"].(string)
	if next == "" {
		t.Fatalf("no next_cursor with limit=1: %s", page.Raw)
	}
	page2 := e.want(e.do("GET", "/api/letters?limit=1&cursor="+next, me, nil), http.StatusOK)
	if items := page2.Body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != sealedID || page2.Body["next_cursor"] != nil {
		t.Errorf("second page: %s", page2.Raw)
	}
	bad := e.want(e.do("GET", "/api/letters?category=sealed&limit=500&cursor=zz", me, nil), http.StatusBadRequest)
	if errs, _ := bad.Body["errors"].(map[string]any); len(errs) != 3 {
		t.Errorf("bad query: %s", bad.Raw)
	}

	// The analysis arrives; shown only on the open letter.
	for _, id := range []string{openID, sealedID} {
		r := e.event("emotion.analyzed", map[string]any{"letter_id": id, "user_id": me.String(), "mood": "joy", "detailed_mood": "excitement", "analyzed_at": t0})
		if r != "SUCCESS" {
			t.Fatalf("emotion.analyzed: %s", r)
		}
	}
	if got := e.want(e.do("GET", "/api/letters/"+openID, me, nil), http.StatusOK); got.Body["mood"] != "joy" || got.Body["detailed_mood"] != "excitement" {
		t.Errorf("mood not shown on the open letter: %s", got.Raw)
	}
	if r := e.want(e.do("GET", "/api/letters?category=future", me, nil), http.StatusOK); strings.Contains(r.Raw, "joy") {
		t.Errorf("sealed list item leaks the mood: %s", r.Raw)
	}

	// Export: opened in full, sealed as the list shows it.
	ex := e.want(e.do("GET", "/api/letters/export", me, nil), http.StatusOK)
	if cd := ex.Header.Get("Content-Disposition"); cd != `attachment; filename="letters-2026-03-10.json"` {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if strings.Contains(ex.Raw, "SEALED-BODY") || !strings.Contains(ex.Raw, "지금 열려 있어") || len(ex.Body["letters"].([]any)) != 2 {
		t.Errorf("export: %s", ex.Raw)
	}

	// Time passes: the sealed letter opens, with its image.
	e.clk.Set(time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC))
	opened := e.want(e.do("GET", "/api/letters/"+sealedID, me, nil), http.StatusOK)
	images := opened.Body["images"].([]any)
	if opened.Body["content"] != "SEALED-BODY 아직 읽으면 안 돼" || len(images) != 1 || images[0].(map[string]any)["url"] != "/api/images/"+img {
		t.Errorf("opened letter: %s", opened.Raw)
	}

	// Delete: 204, then 404.
	e.want(e.do("DELETE", "/api/letters/"+sealedID, me, nil), http.StatusNoContent)
	e.want(e.do("GET", "/api/letters/"+sealedID, me, nil), http.StatusNotFound)
	e.want(e.do("DELETE", "/api/letters/"+sealedID, me, nil), http.StatusNotFound)
}

func TestWriteFailures(t *testing.T) {
	e := start(t, testKeys(t))
	me := uuid.New()
	e.side.zones[me.String()] = "America/New_York"

	r := e.want(e.do("POST", "/api/letters", me, map[string]any{"title": " ", "content": "", "open_date": "2026-02-30", "open_time": "25:00",
		"image_ids": []string{uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()}}), http.StatusBadRequest)
	if errs, _ := r.Body["errors"].(map[string]any); len(errs) != 5 {
		t.Errorf("want all five field errors at once: %s", r.Raw)
	}
	// 21:00 UTC on Mar 9 is 17:00 in New York: Mar 10 is still tomorrow there.
	e.clk.Set(time.Date(2026, 3, 9, 21, 0, 0, 0, time.UTC))
	if r := e.want(e.do("POST", "/api/letters", me, map[string]any{"title": "t", "content": "c", "open_date": "2026-03-09"}), http.StatusCreated); r.Body["sealed"] != false {
		t.Errorf("today 09:00 in New York at 17:00 should be open: %s", r.Raw)
	}

	// Images letter-storage refuses: 400 on image_ids, nothing stored.
	refused := uuid.NewString()
	e.side.rejected[refused] = true
	r = e.want(e.do("POST", "/api/letters", me, map[string]any{"title": "t", "content": "c", "open_date": "2026-03-20", "image_ids": []string{refused}}), http.StatusBadRequest)
	if errs, _ := r.Body["errors"].(map[string]any); errs["image_ids"] == nil {
		t.Errorf("refused image: %s", r.Raw)
	}
	if items := e.want(e.do("GET", "/api/letters?category=future", me, nil), http.StatusOK).Body["items"].([]any); len(items) != 0 {
		t.Errorf("a letter with refused images was stored: %v", items)
	}

	// No profile at user-service: Asia/Seoul.
	nobody := uuid.New()
	if r := e.want(e.do("POST", "/api/letters", nobody, map[string]any{"title": "t", "content": "c", "open_date": "2026-03-12"}), http.StatusCreated); r.Body["open_at"] != "2026-03-12T00:00:00Z" {
		t.Errorf("default zone: %s", r.Raw)
	}
	// user-service down: 503, not a guess.
	e.side.down = true
	e.want(e.do("POST", "/api/letters", me, map[string]any{"title": "t", "content": "c", "open_date": "2026-03-12"}), http.StatusServiceUnavailable)
	e.want(e.do("GET", "/api/letters?category=today", me, nil), http.StatusServiceUnavailable)
	e.want(e.do("GET", "/api/letters", me, nil), http.StatusOK) // no category: no zone needed

	e.want(e.do("POST", "/api/letters", me, json.RawMessage(`"not an object"`)), http.StatusBadRequest)
}

func TestNothingWithoutKeys(t *testing.T) {
	e := start(t, crypto.NewHolder(nil))
	me := uuid.New()
	for _, r := range []response{
		e.do("GET", "/api/letters", me, nil),
		e.do("POST", "/api/letters", me, map[string]any{"title": "t", "content": "c", "open_date": "2026-03-10"}),
		e.do("GET", "/api/letters/"+uuid.NewString(), me, nil),
	} {
		e.want(r, http.StatusServiceUnavailable)
	}
	e.want(e.do("GET", "/api/letters", uuid.Nil, nil), http.StatusUnauthorized)
}

// event delivers a CloudEvent on topic as the sidecar does and returns
// the status the handler answered.
func (e *env) event(topic string, data any) string {
	e.t.Helper()
	return e.srv.Publish(e.t, topic, "", data)
}

func TestSubscriptions(t *testing.T) {
	e := start(t, testKeys(t))
	var topics []string
	for _, s := range e.subs {
		topics = append(topics, s.Topic)
	}
	slices.Sort(topics)
	if !slices.Equal(topics, []string{"emotion.analyzed", "user.deleted"}) {
		t.Fatalf("subscribed to %v", topics)
	}
	// Every declared route exists; poison is dropped, not retried.
	if got := e.event("emotion.analyzed", map[string]any{"letter_id": "x"}); got != "DROP" {
		t.Errorf("bad emotion.analyzed: %s", got)
	}
	if got := e.event("user.deleted", map[string]any{"user_id": 7}); got != "DROP" {
		t.Errorf("bad user.deleted: %s", got)
	}
	// An analysis of a letter that is gone is a success.
	if got := e.event("emotion.analyzed", map[string]any{"letter_id": uuid.NewString(), "user_id": uuid.NewString(), "mood": "joy"}); got != "SUCCESS" {
		t.Errorf("unknown letter: %s", got)
	}

	me := uuid.New()
	e.want(e.do("POST", "/api/letters", me, map[string]any{"title": "t", "content": "c", "open_date": "2026-03-10"}), http.StatusCreated)
	if got := e.event("user.deleted", map[string]any{"user_id": me.String()}); got != "SUCCESS" {
		t.Fatalf("user.deleted: %s", got)
	}
	if items := e.want(e.do("GET", "/api/letters", me, nil), http.StatusOK).Body["items"].([]any); len(items) != 0 {
		t.Errorf("letters left after user.deleted: %v", items)
	}
	// The deleted account's still-valid token writes nothing more (401
	// problem), and a late analysis for the user is acknowledged and dropped.
	r := e.want(e.do("POST", "/api/letters", me, map[string]any{"title": "t", "content": "c", "open_date": "2026-03-10"}), http.StatusUnauthorized)
	if r.Header.Get("Content-Type") != "application/problem+json" || r.Body["detail"] != "This account no longer exists." {
		t.Errorf("write after user.deleted: %s %s", r.Header.Get("Content-Type"), r.Raw)
	}
	if got := e.event("emotion.analyzed", map[string]any{"letter_id": uuid.NewString(), "user_id": me.String(), "mood": "joy"}); got != "SUCCESS" {
		t.Errorf("emotion.analyzed for a deleted user: %s, want SUCCESS (dropped)", got)
	}
	var n int
	if err := e.srv.DB.QueryRow(context.Background(), `SELECT count(*) FROM letters WHERE user_id = $1`, me).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d letters of the deleted user (%v)", n, err)
	}
}

// internal calls path as the named app's sidecar would.
func (e *env) internal(path, app string) response {
	e.t.Helper()
	header := map[string]string{authn.AppTokenHeader: servicetest.AppToken}
	if app != "" {
		header[authn.CallerAppHeader] = app
	}
	return e.srv.Do(e.t, http.MethodGet, path, nil, header)
}

func TestInternalRoutesForEmotions(t *testing.T) {
	e := start(t, testKeys(t))
	me := uuid.New()
	// A sealed letter: its text still reaches emotion-ml (the statistics
	// count it), and nobody else.
	r := e.want(e.do("POST", "/api/letters", me, map[string]any{"title": "먼 훗날", "content": "그때의 나는 행복할까", "open_date": "2030-01-01"}), http.StatusCreated)
	id := r.Body["id"].(string)

	text := "/internal/letters/" + id + "/text"
	for _, app := range []string{"", "gateway", "emotion-store-service", "scheduler-service"} {
		if got := e.internal(text, app); got.Status != http.StatusForbidden {
			t.Errorf("text for %q: %d, want 403", app, got.Status)
		}
	}
	got := e.internal(text, "emotion-ml-service")
	var body struct {
		Title, Content string
		WrittenAt      time.Time `json:"written_at"`
	}
	if err := json.Unmarshal([]byte(got.Raw), &body); got.Status != http.StatusOK || err != nil ||
		body.Title != "먼 훗날" || body.Content != "그때의 나는 행복할까" || !body.WrittenAt.Equal(t0) {
		t.Errorf("text: %d %s", got.Status, got.Raw)
	}
	if got := e.internal("/internal/letters/"+uuid.NewString()+"/text", "emotion-ml-service"); got.Status != http.StatusNotFound ||
		!strings.Contains(got.Raw, "letter-not-found") {
		t.Errorf("a letter that is gone: %d %s, want 404 letter-not-found", got.Status, got.Raw)
	}

	list := "/internal/users/" + me.String() + "/letters"
	if got := e.internal(list, "emotion-ml-service"); got.Status != http.StatusForbidden {
		t.Errorf("letters for emotion-ml: %d, want 403", got.Status)
	}
	got = e.internal(list, "emotion-store-service")
	var written []struct {
		LetterID  string    `json:"letter_id"`
		WrittenAt time.Time `json:"written_at"`
	}
	if err := json.Unmarshal([]byte(got.Raw), &written); got.Status != http.StatusOK || err != nil ||
		len(written) != 1 || written[0].LetterID != id || !written[0].WrittenAt.Equal(t0) {
		t.Errorf("letters: %d %s", got.Status, got.Raw)
	}
	if got := e.internal("/internal/users/"+uuid.NewString()+"/letters", "emotion-store-service"); got.Status != http.StatusOK || got.Raw != "[]" {
		t.Errorf("a user without letters: %d %s, want []", got.Status, got.Raw)
	}
}
