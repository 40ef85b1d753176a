package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn/authntest"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/service"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/statestore/statestoretest"
)

const appToken = "test-app-token"

// now is the fake clock's time: Monday 2026-11-30 12:00 UTC.
var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// fakePeers stands in for user-service, letter-service and emotion-ml behind
// the sidecar's invocation API (the edge of this service's world); the
// state store is the real one, through a real daprd.
type fakePeers struct {
	mu       sync.Mutex
	contacts map[string]string   // user id → contact JSON
	letters  map[string][]string // user id → letter ids
	analyze  []map[string]string // requests emotion-ml received
	refuse   int                 // status emotion-ml answers instead of 202, when set
}

func (p *fakePeers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	path := r.URL.Path
	switch {
	case path == "/v1.0/healthz/outbound":
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(path, "/v1.0/invoke/user-service/method/internal/users/") && strings.HasSuffix(path, "/contact"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/v1.0/invoke/user-service/method/internal/users/"), "/contact")
		body, ok := p.contacts[id]
		if !ok {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"type":"https://lettertomyself.app/problems/profile-not-found","title":"Profile not found","status":404}`)
			return
		}
		_, _ = io.WriteString(w, body)
	case strings.HasPrefix(path, "/v1.0/invoke/letter-service/method/internal/users/") && strings.HasSuffix(path, "/letters"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/v1.0/invoke/letter-service/method/internal/users/"), "/letters")
		out := []map[string]string{}
		for _, l := range p.letters[id] {
			out = append(out, map[string]string{"letter_id": l, "written_at": now.Format(time.RFC3339)})
		}
		_ = json.NewEncoder(w).Encode(out)
	case path == "/v1.0/invoke/emotion-ml-service/method/internal/analyze" && r.Method == http.MethodPost:
		var req map[string]string
		_ = json.NewDecoder(r.Body).Decode(&req)
		p.analyze = append(p.analyze, req)
		if p.refuse != 0 {
			w.WriteHeader(p.refuse)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

func (p *fakePeers) analyzeRequests() []map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]string(nil), p.analyze...)
}

type world struct {
	t   *testing.T
	url string
	iss *authntest.Issuer
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start builds emotion-store-service from main's spec through service.New
// and runs it as main does, against a real daprd with the real
// emotion-state component. (servicetest does not fit: this service's
// state goes over the sidecar's gRPC port and its jobs are a worker.)
func start(t *testing.T, p *fakePeers) *world {
	t.Helper()
	sidecar := statestoretest.Sidecar(t)
	fake := httptest.NewServer(p)
	t.Cleanup(fake.Close)
	clk := clock.NewFake(now)
	iss := authntest.NewIssuer(t, clk)
	port := freePort(t)
	base := config.Base{
		Port: port, DaprHost: "127.0.0.1", DaprGRPCPort: sidecar.GRPCPort,
		DaprHTTPPort: fake.Listener.Addr().(*net.TCPAddr).Port,
		AppAPIToken:  appToken, ShutdownTimeout: 2 * time.Second,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second,
	}
	cfg := Config{Base: base, Database: *servicetest.Database(t), StateStore: "emotion-state", ReanalyzeConcurrency: 2, ReanalyzeResume: time.Hour}
	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("service log:\n%s", logs.String())
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	sp := spec(cfg, edges{backoff: time.Millisecond})
	sp.Keys, sp.Clock = iss, clk
	svc, err := service.New(ctx, base, sp, logs)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("service stopped with %v", err)
		}
		svc.Close()
	})
	w := &world{t: t, url: "http://127.0.0.1:" + strconv.Itoa(port), iss: iss}
	w.waitReady()
	// /readyz asks the sidecar's HTTP side; the state store is reached
	// over gRPC, connected right after.
	select {
	case <-svc.Dapr.Connected():
	case <-time.After(30 * time.Second):
		t.Fatal("the sidecar's gRPC client did not connect")
	}
	return w
}

// syncBuffer collects the service's log for a failing test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitReady polls /readyz: the sidecar connection is made in the
// background, and state calls fail until it is.
func (w *world) waitReady() {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(w.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.t.Fatal("emotion-store-service did not become ready")
}

type response struct {
	status int
	body   []byte
	ctype  string
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (w *world) do(method, path string, body any, header map[string]string) response {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			w.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.url+path, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: b, ctype: resp.Header.Get("Content-Type")}
}

func (w *world) as(user, method, path string) response {
	return w.do(method, path, nil, map[string]string{"Authorization": w.iss.Bearer(user)})
}

// event delivers one CloudEvent as the sidecar does and returns the
// subscriber's verdict.
func (w *world) event(topic string, data any) string {
	w.t.Helper()
	envelope := map[string]any{
		"id": uuid.NewString(), "source": "test", "type": "com.dapr.event.sent", "topic": topic,
		"pubsubname": "pubsub", "datacontenttype": "application/json", "data": data,
	}
	r := w.do(http.MethodPost, "/events/"+strings.ReplaceAll(topic, ".", "-"), envelope, map[string]string{"dapr-api-token": appToken})
	if r.status != http.StatusOK {
		w.t.Fatalf("event %s: status %d %s", topic, r.status, r.body)
	}
	var v struct{ Status string }
	r.json(w.t, &v)
	return v.Status
}

func analyzed(user, letter, mood, detailed string, written time.Time, job string) map[string]any {
	ev := map[string]any{
		"letter_id": letter, "user_id": user, "written_at": written.Format(time.RFC3339), "mood": mood,
		"detailed_mood": nil, "scores": map[string]float64{mood: 1}, "analyzer": "embedded/test",
		"analyzed_at": now.Format(time.RFC3339Nano), "job_id": nil,
	}
	if detailed != "" {
		ev["detailed_mood"] = detailed
	}
	if job != "" {
		ev["job_id"] = job
		ev["analyzed_at"] = now.Add(time.Minute).Format(time.RFC3339Nano)
	}
	return ev
}

type summary struct {
	Analysed             int
	Moods                map[string]int
	Detailed             map[string]int
	MostFrequent         *string `json:"most_frequent"`
	MostFrequentDetailed *string `json:"most_frequent_detailed"`
	RecentMood           string  `json:"recent_mood"`
	Comfort              struct {
		Mood    *string
		Message string
	}
}

func (w *world) summary(user, query string) summary {
	w.t.Helper()
	r := w.as(user, http.MethodGet, "/api/emotions/summary"+query)
	if r.status != http.StatusOK {
		w.t.Fatalf("summary: %d %s", r.status, r.body)
	}
	var s summary
	r.json(w.t, &s)
	return s
}

func TestEveryDeclaredSubscriptionIsServed(t *testing.T) {
	w := start(t, &fakePeers{})
	r := w.do(http.MethodGet, "/dapr/subscribe", nil, nil)
	var subs []struct{ PubSubName, Topic, Route string }
	r.json(t, &subs)
	topics := map[string]bool{}
	for _, s := range subs {
		topics[s.Topic] = true
		// An empty JSON object is poison for every topic: the route must
		// exist (a 404 would make Dapr drop messages silently) and answer
		// DROP.
		resp := w.do(http.MethodPost, s.Route, map[string]any{"id": "x", "topic": s.Topic, "data": map[string]any{}},
			map[string]string{"dapr-api-token": appToken})
		if resp.status != http.StatusOK || !strings.Contains(string(resp.body), "DROP") {
			t.Errorf("%s %s: %d %s, want 200 DROP", s.Topic, s.Route, resp.status, resp.body)
		}
		if s.PubSubName != daprx.SubscriptionPubSub(s.Topic) {
			t.Errorf("%s on %q", s.Topic, s.PubSubName)
		}
	}
	for _, topic := range []string{"emotion.analyzed", "letter.deleted", "user.deleted"} {
		if !topics[topic] {
			t.Errorf("no subscription to %s (got %v)", topic, subs)
		}
	}
	if r := w.do(http.MethodPost, "/events/emotion-analyzed", map[string]any{}, nil); r.status != http.StatusUnauthorized {
		t.Errorf("event without the app token: %d, want 401", r.status)
	}
}

func TestEventsAndSummary(t *testing.T) {
	user, other := uuid.NewString(), uuid.NewString()
	w := start(t, &fakePeers{contacts: map[string]string{
		user: fmt.Sprintf(`{"user_id":%q,"locale":"en","timezone":"Europe/London"}`, user),
	}})

	empty := w.summary(user, "")
	if empty.Analysed != 0 || empty.MostFrequent != nil || empty.RecentMood != "neutral" || empty.Comfort.Mood != nil || empty.Comfort.Message == "" {
		t.Errorf("no data yet: %+v", empty)
	}

	days := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	for _, ev := range []map[string]any{
		analyzed(user, "l1", "joy", "gratitude", days(40), ""),
		analyzed(user, "l2", "joy", "excitement", days(35), ""),
		analyzed(user, "l3", "sadness", "loneliness", days(3), ""),
		analyzed(user, "l3", "sadness", "loneliness", days(3), ""), // redelivered
		analyzed(other, "o1", "anger", "rage", days(1), ""),
	} {
		if got := w.event("emotion.analyzed", ev); got != "SUCCESS" {
			t.Fatalf("emotion.analyzed: %s", got)
		}
	}
	if got := w.event("emotion.analyzed", analyzed(user, "l9", "joy", "rage", days(1), "")); got != "DROP" {
		t.Errorf("a sub-mood of another mood: %s, want DROP", got)
	}

	s := w.summary(user, "")
	if s.Analysed != 3 || s.Moods["joy"] != 2 || s.Moods["sadness"] != 1 || s.Moods["anger"] != 0 || s.Detailed["gratitude"] != 1 {
		t.Errorf("counts: %+v", s)
	}
	if *s.MostFrequent != "joy" || s.RecentMood != "sadness" || *s.Comfort.Mood != "joy" {
		t.Errorf("most frequent %v, recent %s, comfort %v", *s.MostFrequent, s.RecentMood, *s.Comfort.Mood)
	}
	// Ties among sub-moods go to the latest letter: loneliness (3 days ago).
	if *s.MostFrequentDetailed != "loneliness" {
		t.Errorf("most frequent sub-mood %s, want loneliness", *s.MostFrequentDetailed)
	}
	en := s.Comfort.Message
	ko := w.summary(user, "?lang=ko").Comfort.Message
	if en == ko || !isASCII(en) || isASCII(ko) {
		t.Errorf("locale en gave %q; ?lang=ko gave %q", en, ko)
	}

	r := w.as(user, http.MethodGet, "/api/emotions/summary?lang=fr")
	var p struct{ Errors map[string]string }
	r.json(t, &p)
	if r.status != http.StatusBadRequest || r.ctype != "application/problem+json" || p.Errors["lang"] == "" {
		t.Errorf("lang=fr: %d %s %s", r.status, r.ctype, r.body)
	}
	if r := w.do(http.MethodGet, "/api/emotions/summary", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", r.status)
	}

	// letter.deleted removes; a late analysis does not bring it back.
	if got := w.event("letter.deleted", map[string]any{"letter_id": "l3", "user_id": user}); got != "SUCCESS" {
		t.Fatal(got)
	}
	w.event("emotion.analyzed", analyzed(user, "l3", "sadness", "loneliness", days(3), "job-late"))
	if s := w.summary(user, ""); s.Analysed != 2 || s.Moods["sadness"] != 0 {
		t.Errorf("after letter.deleted: %+v", s)
	}

	// user.deleted purges; the other user keeps theirs.
	if got := w.event("user.deleted", map[string]any{"user_id": user}); got != "SUCCESS" {
		t.Fatal(got)
	}
	w.event("emotion.analyzed", analyzed(user, "l4", "love", "romance", days(1), ""))
	if s := w.summary(user, ""); s.Analysed != 0 {
		t.Errorf("after user.deleted: %+v", s)
	}
	if s := w.summary(other, ""); s.Analysed != 1 {
		t.Errorf("the other user lost data: %+v", s)
	}
	// The deleted account's still-valid token starts nothing more.
	if r := w.as(user, http.MethodPost, "/api/emotions/reanalyze"); r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "This account no longer exists.") {
		t.Errorf("reanalyze after user.deleted: %d %s, want 401", r.status, r.body)
	}
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > 127 {
			return false
		}
	}
	return true
}

func TestTimeline(t *testing.T) {
	user := uuid.NewString()
	w := start(t, &fakePeers{contacts: map[string]string{
		user: fmt.Sprintf(`{"user_id":%q,"locale":"ko","timezone":"Asia/Seoul"}`, user),
	}})
	// Sunday 2026-11-29 16:30 UTC is Monday 01:30 in Seoul: this week.
	w.event("emotion.analyzed", analyzed(user, "l1", "love", "friendship", time.Date(2026, 11, 29, 16, 30, 0, 0, time.UTC), ""))
	// Sunday 2026-11-29 14:30 UTC is Sunday 23:30 in Seoul: last week.
	w.event("emotion.analyzed", analyzed(user, "l2", "anxiety", "fear", time.Date(2026, 11, 29, 14, 30, 0, 0, time.UTC), ""))

	r := w.as(user, http.MethodGet, "/api/emotions/timeline")
	var buckets []struct {
		Start    string
		Counts   map[string]int
		Dominant *string
	}
	r.json(t, &buckets)
	if r.status != http.StatusOK || len(buckets) != 12 {
		t.Fatalf("default timeline: %d, %d buckets", r.status, len(buckets))
	}
	last, prev := buckets[11], buckets[10]
	if last.Start != "2026-11-30T00:00:00+09:00" || last.Dominant == nil || *last.Dominant != "love" {
		t.Errorf("this week: %+v", last)
	}
	if prev.Start != "2026-11-23T00:00:00+09:00" || prev.Counts["anxiety"] != 1 {
		t.Errorf("last week: %+v", prev)
	}
	if buckets[0].Dominant != nil || len(buckets[0].Counts) != 6 {
		t.Errorf("an empty bucket: %+v, want every mood at 0 and dominant null", buckets[0])
	}

	r = w.as(user, http.MethodGet, "/api/emotions/timeline?period=month&from=2026-11-01&to=2026-11-30")
	r.json(t, &buckets)
	if r.status != http.StatusOK || len(buckets) != 1 || buckets[0].Counts["love"]+buckets[0].Counts["anxiety"] != 2 {
		t.Errorf("November: %d %s", r.status, r.body)
	}

	r = w.as(user, http.MethodGet, "/api/emotions/timeline?period=year&from=2026-02-30")
	var p struct{ Errors map[string]string }
	r.json(t, &p)
	if r.status != http.StatusBadRequest || p.Errors["period"] == "" || p.Errors["from"] == "" {
		t.Errorf("invalid query: %d %s", r.status, r.body)
	}
}

func TestReanalysis(t *testing.T) {
	user, other := uuid.NewString(), uuid.NewString()
	p := &fakePeers{letters: map[string][]string{user: {"l1", "l2", "l3"}}}
	w := start(t, p)
	w.event("emotion.analyzed", analyzed(user, "l1", "anger", "annoyance", now.AddDate(0, 0, -2), ""))

	r := w.as(user, http.MethodPost, "/api/emotions/reanalyze")
	var started struct {
		JobID string `json:"job_id"`
	}
	r.json(t, &started)
	if r.status != http.StatusAccepted || started.JobID == "" {
		t.Fatalf("reanalyze: %d %s", r.status, r.body)
	}
	r = w.as(user, http.MethodPost, "/api/emotions/reanalyze")
	var again struct {
		JobID string `json:"job_id"`
	}
	r.json(t, &again)
	if r.status != http.StatusAccepted || again.JobID != started.JobID {
		t.Errorf("second call while running: %d %s, want the running job %s", r.status, r.body, started.JobID)
	}

	// emotion-ml is asked once per letter, with the job id.
	deadline := time.Now().Add(20 * time.Second)
	for len(p.analyzeRequests()) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	asked := map[string]bool{}
	for _, req := range p.analyzeRequests() {
		if req["job_id"] != started.JobID || req["user_id"] != user {
			t.Errorf("analyze request %v", req)
		}
		asked[req["letter_id"]] = true
	}
	if len(asked) != 3 {
		t.Fatalf("emotion-ml was asked for %v, want l1, l2, l3", asked)
	}

	progress := func(who string) (int, string) {
		r := w.as(who, http.MethodGet, "/api/emotions/reanalyze/"+started.JobID)
		var j struct {
			Status      string
			Total, Done int
		}
		if r.status == http.StatusOK {
			r.json(t, &j)
		}
		return r.status, fmt.Sprintf("%s %d/%d", j.Status, j.Done, j.Total)
	}
	// The letters are listed before emotion-ml is asked; progress counts
	// the results carrying the job id, each letter once.
	w.event("emotion.analyzed", analyzed(user, "l1", "joy", "satisfaction", now.AddDate(0, 0, -2), started.JobID))
	w.event("emotion.analyzed", analyzed(user, "l1", "joy", "satisfaction", now.AddDate(0, 0, -2), started.JobID))
	if status, got := progress(user); status != http.StatusOK || got != "running 1/3" {
		t.Errorf("progress: %d %s, want running 1/3", status, got)
	}
	if status, _ := progress(other); status != http.StatusNotFound {
		t.Errorf("another user's job: %d, want 404", status)
	}
	w.event("emotion.analyzed", analyzed(user, "l2", "joy", "satisfaction", now.AddDate(0, 0, -1), started.JobID))
	w.event("emotion.analyzed", analyzed(user, "l3", "neutral", "", now, started.JobID))
	if _, got := progress(user); got != "done 3/3" {
		t.Errorf("progress: %s, want done 3/3", got)
	}
	// The re-analysis replaced l1's anger: three letters, no anger.
	if s := w.summary(user, "?lang=en"); s.Analysed != 3 || s.Moods["anger"] != 0 || s.Moods["joy"] != 2 {
		t.Errorf("after re-analysis: %+v", s)
	}

	// A new job can start once the first is done.
	r = w.as(user, http.MethodPost, "/api/emotions/reanalyze")
	var next struct {
		JobID string `json:"job_id"`
	}
	r.json(t, &next)
	if next.JobID == "" || next.JobID == started.JobID {
		t.Errorf("after done, a new job: %s", r.body)
	}
}

func TestReanalysisFailsWhenEmotionMLRefuses(t *testing.T) {
	user := uuid.NewString()
	p := &fakePeers{letters: map[string][]string{user: {"l1"}}, refuse: http.StatusBadRequest}
	w := start(t, p)
	r := w.as(user, http.MethodPost, "/api/emotions/reanalyze")
	var started struct {
		JobID string `json:"job_id"`
	}
	r.json(t, &started)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		r = w.as(user, http.MethodGet, "/api/emotions/reanalyze/"+started.JobID)
		if strings.Contains(string(r.body), `"failed"`) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("job after a permanent refusal: %s, want failed", r.body)
}

func TestRecentMoodForRecommendOnly(t *testing.T) {
	user := uuid.NewString()
	w := start(t, &fakePeers{})
	w.event("emotion.analyzed", analyzed(user, "l1", "anxiety", "nervousness", now.AddDate(0, 0, -90), ""))
	path := "/internal/users/" + user + "/mood"

	tests := []struct {
		name   string
		header map[string]string
		status int
	}{
		{"recommend-service", map[string]string{"dapr-api-token": appToken, "dapr-caller-app-id": "recommend-service"}, http.StatusOK},
		{"another app", map[string]string{"dapr-api-token": appToken, "dapr-caller-app-id": "gateway"}, http.StatusForbidden},
		{"no caller id", map[string]string{"dapr-api-token": appToken}, http.StatusForbidden},
		{"not through Dapr", map[string]string{"dapr-caller-app-id": "recommend-service"}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.do(http.MethodGet, path, nil, tt.header)
			if r.status != tt.status {
				t.Fatalf("status %d %s, want %d", r.status, r.body, tt.status)
			}
			if tt.status != http.StatusOK {
				return
			}
			var m struct{ Mood, Because string }
			r.json(t, &m)
			if m.Mood != "anxiety" || m.Because != "all_time" {
				t.Errorf("mood %+v, want anxiety because all_time", m)
			}
		})
	}
	r := w.do(http.MethodGet, "/internal/users/"+uuid.NewString()+"/mood", nil, map[string]string{"dapr-api-token": appToken, "dapr-caller-app-id": "recommend-service"})
	if !strings.Contains(string(r.body), `"neutral"`) || !strings.Contains(string(r.body), "no_data") {
		t.Errorf("a user without letters: %s", r.body)
	}
}

func TestConfig(t *testing.T) {
	if _, err := config.Load[Config](func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("without DATABASE_URL: %v", err)
	}
	db := "postgres://x@127.0.0.1/ltm_emotion_store"
	cfg, err := config.Load[Config](func(k string) string { return map[string]string{"DATABASE_URL": db}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StateStore != "emotion-state" || cfg.ReanalyzeConcurrency != 4 || cfg.ReanalyzeResume != time.Minute || cfg.validate() != nil {
		t.Errorf("defaults = %+v", cfg)
	}
	bad := map[string]string{"DATABASE_URL": db, "STATE_STORE": " ", "REANALYZE_CONCURRENCY": "0", "REANALYZE_RESUME": "-1s"}
	cfg, err = config.Load[Config](func(k string) string { return bad[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.StateStore = ""
	err = cfg.validate()
	for _, name := range []string{"STATE_STORE", "REANALYZE_CONCURRENCY", "REANALYZE_RESUME"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("validate = %v, want %s named", err, name)
		}
	}
}
