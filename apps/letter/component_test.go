package main

import (
	"bytes"
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
	url   string
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
	return &env{t: t, url: srv.URL, clk: clk, side: side, iss: iss, subs: srv.Subs.Declared(), store: postgres.New(srv.DB, keys)}
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

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (e *env) do(method, path string, user uuid.UUID, body any) response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != uuid.Nil {
		req.Header.Set("Authorization", e.iss.Bearer(user.String()))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func (e *env) want(r response, status int) response {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
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
	if got := keys(sealed.body); !slices.Equal(got, sealedKeys) || sealed.body["sealed"] != true {
		t.Fatalf("created sealed letter shows %v, want only %v", got, sealedKeys)
	}
	if sealed.body["open_at"] != "2026-03-11T00:00:00Z" || sealed.header.Get("Location") != "/api/letters/"+sealed.body["id"].(string) {
		t.Errorf("open_at %v, Location %q", sealed.body["open_at"], sealed.header.Get("Location"))
	}
	sealedID := sealed.body["id"].(string)
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
	if r.body["type"] != "https://lettertomyself.app/problems/sealed" || r.body["open_at"] != "2026-03-11T00:00:00Z" ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") || strings.Contains(r.raw, "SEALED-BODY") {
		t.Errorf("sealed answer: %s", r.raw)
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
	if open.body["sealed"] != false || open.body["content"] != "지금 열려 있어" || open.body["timezone"] != "Asia/Seoul" {
		t.Errorf("created open letter: %s", open.raw)
	}
	openID := open.body["id"].(string)
	got := e.want(e.do("GET", "/api/letters/"+openID, me, nil), http.StatusOK)
	if got.body["content"] != "지금 열려 있어" || got.body["open_time"] != "09:00" || got.body["mood"] != nil ||
		got.body["images"] == nil || len(got.body["images"].([]any)) != 0 {
		t.Errorf("open letter: %s", got.raw)
	}

	// Categories by open date against today in Seoul.
	list := func(query string) []any {
		r := e.want(e.do("GET", "/api/letters"+query, me, nil), http.StatusOK)
		return r.body["items"].([]any)
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
	next, _ := page.body["next_cursor"].(string)
	if next == "" {
		t.Fatalf("no next_cursor with limit=1: %s", page.raw)
	}
	page2 := e.want(e.do("GET", "/api/letters?limit=1&cursor="+next, me, nil), http.StatusOK)
	if items := page2.body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != sealedID || page2.body["next_cursor"] != nil {
		t.Errorf("second page: %s", page2.raw)
	}
	bad := e.want(e.do("GET", "/api/letters?category=sealed&limit=500&cursor=zz", me, nil), http.StatusBadRequest)
	if errs, _ := bad.body["errors"].(map[string]any); len(errs) != 3 {
		t.Errorf("bad query: %s", bad.raw)
	}

	// The analysis arrives; shown only on the open letter.
	for _, id := range []string{openID, sealedID} {
		r := e.event("emotion.analyzed", map[string]any{"letter_id": id, "user_id": me.String(), "mood": "joy", "detailed_mood": "excitement", "analyzed_at": t0})
		if r != "SUCCESS" {
			t.Fatalf("emotion.analyzed: %s", r)
		}
	}
	if got := e.want(e.do("GET", "/api/letters/"+openID, me, nil), http.StatusOK); got.body["mood"] != "joy" || got.body["detailed_mood"] != "excitement" {
		t.Errorf("mood not shown on the open letter: %s", got.raw)
	}
	if r := e.want(e.do("GET", "/api/letters?category=future", me, nil), http.StatusOK); strings.Contains(r.raw, "joy") {
		t.Errorf("sealed list item leaks the mood: %s", r.raw)
	}

	// Export: opened in full, sealed as the list shows it.
	ex := e.want(e.do("GET", "/api/letters/export", me, nil), http.StatusOK)
	if cd := ex.header.Get("Content-Disposition"); cd != `attachment; filename="letters-2026-03-10.json"` {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if strings.Contains(ex.raw, "SEALED-BODY") || !strings.Contains(ex.raw, "지금 열려 있어") || len(ex.body["letters"].([]any)) != 2 {
		t.Errorf("export: %s", ex.raw)
	}

	// Time passes: the sealed letter opens, with its image.
	e.clk.Set(time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC))
	opened := e.want(e.do("GET", "/api/letters/"+sealedID, me, nil), http.StatusOK)
	images := opened.body["images"].([]any)
	if opened.body["content"] != "SEALED-BODY 아직 읽으면 안 돼" || len(images) != 1 || images[0].(map[string]any)["url"] != "/api/images/"+img {
		t.Errorf("opened letter: %s", opened.raw)
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
	if errs, _ := r.body["errors"].(map[string]any); len(errs) != 5 {
		t.Errorf("want all five field errors at once: %s", r.raw)
	}
	// 21:00 UTC on Mar 9 is 17:00 in New York: Mar 10 is still tomorrow there.
	e.clk.Set(time.Date(2026, 3, 9, 21, 0, 0, 0, time.UTC))
	if r := e.want(e.do("POST", "/api/letters", me, map[string]any{"title": "t", "content": "c", "open_date": "2026-03-09"}), http.StatusCreated); r.body["sealed"] != false {
		t.Errorf("today 09:00 in New York at 17:00 should be open: %s", r.raw)
	}

	// Images letter-storage refuses: 400 on image_ids, nothing stored.
	refused := uuid.NewString()
	e.side.rejected[refused] = true
	r = e.want(e.do("POST", "/api/letters", me, map[string]any{"title": "t", "content": "c", "open_date": "2026-03-20", "image_ids": []string{refused}}), http.StatusBadRequest)
	if errs, _ := r.body["errors"].(map[string]any); errs["image_ids"] == nil {
		t.Errorf("refused image: %s", r.raw)
	}
	if items := e.want(e.do("GET", "/api/letters?category=future", me, nil), http.StatusOK).body["items"].([]any); len(items) != 0 {
		t.Errorf("a letter with refused images was stored: %v", items)
	}

	// No profile at user-service: Asia/Seoul.
	nobody := uuid.New()
	if r := e.want(e.do("POST", "/api/letters", nobody, map[string]any{"title": "t", "content": "c", "open_date": "2026-03-12"}), http.StatusCreated); r.body["open_at"] != "2026-03-12T00:00:00Z" {
		t.Errorf("default zone: %s", r.raw)
	}
	// user-service down: 503, not a guess.
	e.side.down = true
	e.want(e.do("POST", "/api/letters", me, map[string]any{"title": "t", "content": "c", "open_date": "2026-03-12"}), http.StatusServiceUnavailable)
	e.want(e.do("GET", "/api/letters?category=today", me, nil), http.StatusServiceUnavailable)
	e.want(e.do("GET", "/api/letters", me, nil), http.StatusOK) // no category: no zone needed

	e.want(e.do("POST", "/api/letters", me, "not an object"), http.StatusBadRequest)
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

// event posts a CloudEvent to the route declared for topic and returns
// the status the handler answered.
func (e *env) event(topic string, data any) string {
	e.t.Helper()
	var route string
	for _, s := range e.subs {
		if s.Topic == topic {
			route = s.Route
		}
	}
	if route == "" {
		e.t.Fatalf("no subscription to %s", topic)
	}
	b, _ := json.Marshal(data)
	env, _ := json.Marshal(map[string]any{"id": uuid.NewString(), "topic": topic, "datacontenttype": "application/json", "data": json.RawMessage(b)})
	req, _ := http.NewRequest(http.MethodPost, e.url+route, bytes.NewReader(env))
	req.Header.Set("Content-Type", "application/cloudevents+json")
	req.Header.Set(authn.AppTokenHeader, servicetest.AppToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Status string }
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("%s: HTTP %d", route, resp.StatusCode)
	}
	return out.Status
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
	if items := e.want(e.do("GET", "/api/letters", me, nil), http.StatusOK).body["items"].([]any); len(items) != 0 {
		t.Errorf("letters left after user.deleted: %v", items)
	}
}

// internal calls path as the named app's sidecar would.
func (e *env) internal(path, app string) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.url+path, nil)
	req.Header.Set(authn.AppTokenHeader, servicetest.AppToken)
	if app != "" {
		req.Header.Set(authn.CallerAppHeader, app)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
}

func TestInternalRoutesForEmotions(t *testing.T) {
	e := start(t, testKeys(t))
	me := uuid.New()
	// A sealed letter: its text still reaches emotion-ml (the statistics
	// count it), and nobody else.
	r := e.want(e.do("POST", "/api/letters", me, map[string]any{"title": "먼 훗날", "content": "그때의 나는 행복할까", "open_date": "2030-01-01"}), http.StatusCreated)
	id := r.body["id"].(string)

	text := "/internal/letters/" + id + "/text"
	for _, app := range []string{"", "gateway", "emotion-store-service", "scheduler-service"} {
		if got := e.internal(text, app); got.status != http.StatusForbidden {
			t.Errorf("text for %q: %d, want 403", app, got.status)
		}
	}
	got := e.internal(text, "emotion-ml-service")
	var body struct {
		Title, Content string
		WrittenAt      time.Time `json:"written_at"`
	}
	if err := json.Unmarshal([]byte(got.raw), &body); got.status != http.StatusOK || err != nil ||
		body.Title != "먼 훗날" || body.Content != "그때의 나는 행복할까" || !body.WrittenAt.Equal(t0) {
		t.Errorf("text: %d %s", got.status, got.raw)
	}
	if got := e.internal("/internal/letters/"+uuid.NewString()+"/text", "emotion-ml-service"); got.status != http.StatusNotFound ||
		!strings.Contains(got.raw, "letter-not-found") {
		t.Errorf("a letter that is gone: %d %s, want 404 letter-not-found", got.status, got.raw)
	}

	list := "/internal/users/" + me.String() + "/letters"
	if got := e.internal(list, "emotion-ml-service"); got.status != http.StatusForbidden {
		t.Errorf("letters for emotion-ml: %d, want 403", got.status)
	}
	got = e.internal(list, "emotion-store-service")
	var written []struct {
		LetterID  string    `json:"letter_id"`
		WrittenAt time.Time `json:"written_at"`
	}
	if err := json.Unmarshal([]byte(got.raw), &written); got.status != http.StatusOK || err != nil ||
		len(written) != 1 || written[0].LetterID != id || !written[0].WrittenAt.Equal(t0) {
		t.Errorf("letters: %d %s", got.status, got.raw)
	}
	if got := e.internal("/internal/users/"+uuid.NewString()+"/letters", "emotion-store-service"); got.status != http.StatusOK || got.raw != "[]" {
		t.Errorf("a user without letters: %d %s, want []", got.status, got.raw)
	}
}
