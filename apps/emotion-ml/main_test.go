package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/outbox/outboxtest"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"
)

// letterService stands in for letter-service behind the sidecar's
// invocation API: the texts it knows, and a switch to make it fail.
type letterService struct {
	mu      sync.Mutex
	texts   map[string][2]string // letter id → title, content
	failing bool
	reads   int
}

func (l *letterService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "/v1.0/invoke/letter-service/method/internal/letters/"
	if !strings.HasPrefix(r.URL.Path, prefix) || !strings.HasSuffix(r.URL.Path, "/text") {
		http.NotFound(w, r)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	if l.failing {
		http.Error(w, "upstream down", http.StatusInternalServerError)
		return
	}
	id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, prefix), "/text")
	t, ok := l.texts[id]
	if !ok {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"type":"https://lettertomyself.app/problems/letter-not-found","title":"No such letter.","status":404}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"title": t[0], "content": t[1], "written_at": "2026-11-20T10:00:00Z"})
}

func start(t *testing.T, letters *letterService) *servicetest.Server {
	t.Helper()
	return servicetest.Start(t, spec(Config{Database: *servicetest.Database(t)}), letters)
}

func post(t *testing.T, url string, body any, headers ...string) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(authn.AppTokenHeader, servicetest.AppToken)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// deliver sends one CloudEvent as daprd does and returns the answer's status.
func deliver(t *testing.T, s *servicetest.Server, topic string, data any) string {
	t.Helper()
	code, body := post(t, s.URL+"/events/"+strings.ReplaceAll(topic, ".", "-"), map[string]any{
		"id": uuid.NewString(), "topic": topic, "pubsubname": "pubsub", "datacontenttype": "application/json", "data": data,
	})
	if code != http.StatusOK {
		t.Fatalf("deliver %s: %d %s", topic, code, body)
	}
	var out struct{ Status string }
	_ = json.Unmarshal(body, &out)
	return out.Status
}

type analyzed struct {
	LetterID   string             `json:"letter_id"`
	UserID     string             `json:"user_id"`
	WrittenAt  time.Time          `json:"written_at"`
	Mood       string             `json:"mood"`
	Detailed   *string            `json:"detailed_mood"`
	Scores     map[string]float64 `json:"scores"`
	Analyzer   string             `json:"analyzer"`
	AnalyzedAt time.Time          `json:"analyzed_at"`
	JobID      *string            `json:"job_id"`
}

func published(t *testing.T, s *servicetest.Server) []analyzed {
	t.Helper()
	var out []analyzed
	for _, m := range outboxtest.Messages(t, s.DB, "emotion.analyzed") {
		var a analyzed
		m.Decode(t, &a)
		out = append(out, a)
	}
	return out
}

func TestLetterCreatedIsAnalysedOnceWithoutItsText(t *testing.T) {
	letterID, userID := uuid.NewString(), uuid.NewString()
	const secret = "비밀 일기: 오늘 정말 너무 행복했다. 고마워 모두들!"
	ls := &letterService{texts: map[string][2]string{letterID: {"행복한 날", secret}}}
	s := start(t, ls)
	payload := map[string]any{"letter_id": letterID, "user_id": userID, "open_at": "2030-01-01T00:00:00Z", "written_at": "2026-11-20T10:00:00Z"}

	for range 2 { // a redelivery changes nothing
		if got := deliver(t, s, "letter.created", payload); got != "SUCCESS" {
			t.Fatalf("letter.created answered %s", got)
		}
	}
	got := published(t, s)
	if len(got) != 1 {
		t.Fatalf("%d emotion.analyzed events, want 1", len(got))
	}
	e := got[0]
	if e.LetterID != letterID || e.UserID != userID || e.Mood != "joy" || e.Detailed == nil || e.JobID != nil || e.Analyzer == "" {
		t.Errorf("event %+v", e)
	}
	if !e.WrittenAt.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) || e.AnalyzedAt.IsZero() {
		t.Errorf("times %v %v", e.WrittenAt, e.AnalyzedAt)
	}
	sum := 0.0
	for _, v := range e.Scores {
		sum += v
	}
	if len(e.Scores) != 6 || sum < 0.999 || sum > 1.001 {
		t.Errorf("scores %v", e.Scores)
	}
	for _, m := range outboxtest.Messages(t, s.DB) {
		if strings.Contains(string(m.Raw), "행복") || strings.Contains(string(m.Raw), "비밀") {
			t.Errorf("letter text in the outbox: %s", m.Raw)
		}
	}
	if ls.reads != 1 {
		t.Errorf("letter text read %d times, want 1", ls.reads)
	}
}

func TestLetterGoneIsDroppedAndOutageRetried(t *testing.T) {
	ls := &letterService{texts: map[string][2]string{}}
	s := start(t, ls)
	payload := map[string]any{"letter_id": uuid.NewString(), "user_id": uuid.NewString()}
	if got := deliver(t, s, "letter.created", payload); got != "DROP" {
		t.Errorf("a deleted letter: %s, want DROP", got)
	}
	ls.failing = true
	if got := deliver(t, s, "letter.created", payload); got != "RETRY" {
		t.Errorf("letter-service down: %s, want RETRY", got)
	}
	if got := deliver(t, s, "letter.created", map[string]any{"letter_id": "nope"}); got != "DROP" {
		t.Errorf("a malformed event: %s, want DROP", got)
	}
	if n := len(published(t, s)); n != 0 {
		t.Errorf("%d events, want none", n)
	}
}

func TestAnalyzeForAReanalysisJob(t *testing.T) {
	letterID, userID, jobID := uuid.NewString(), uuid.NewString(), uuid.NewString()
	ls := &letterService{texts: map[string][2]string{letterID: {"", "I'm so nervous about the interview tomorrow."}}}
	s := start(t, ls)
	fromStore := []string{authn.CallerAppHeader, "emotion-store-service"}
	body := map[string]any{"letter_id": letterID, "user_id": userID, "job_id": jobID}

	if code, b := post(t, s.URL+"/internal/analyze", body, authn.CallerAppHeader, "gateway"); code != http.StatusForbidden {
		t.Errorf("another app: %d %s, want 403", code, b)
	}
	if code, b := post(t, s.URL+"/internal/analyze", map[string]any{"letter_id": "x", "user_id": userID}, fromStore...); code != http.StatusBadRequest || !strings.Contains(string(b), "letter_id") {
		t.Errorf("a bad id: %d %s, want 400 naming letter_id", code, b)
	}
	for range 2 {
		if code, b := post(t, s.URL+"/internal/analyze", body, fromStore...); code != http.StatusAccepted {
			t.Fatalf("analyze: %d %s", code, b)
		}
	}
	// The first analysis of the same letter (from letter.created) is another request.
	if got := deliver(t, s, "letter.created", map[string]any{"letter_id": letterID, "user_id": userID}); got != "SUCCESS" {
		t.Fatalf("letter.created: %s", got)
	}
	got := published(t, s)
	if len(got) != 2 {
		t.Fatalf("%d events, want 2 (the job's and the first analysis)", len(got))
	}
	if got[0].JobID == nil || *got[0].JobID != jobID || got[0].Mood != "anxiety" || got[1].JobID != nil {
		t.Errorf("events %+v %+v", got[0], got[1])
	}
	gone := map[string]any{"letter_id": uuid.NewString(), "user_id": userID, "job_id": jobID}
	if code, b := post(t, s.URL+"/internal/analyze", gone, fromStore...); code != http.StatusNotFound {
		t.Errorf("a deleted letter: %d %s, want 404", code, b)
	}
}

func TestPurgeOnLetterAndUserDeleted(t *testing.T) {
	a, b, userID := uuid.NewString(), uuid.NewString(), uuid.NewString()
	ls := &letterService{texts: map[string][2]string{a: {"", "good day"}, b: {"", "bad day"}}}
	s := start(t, ls)
	for _, id := range []string{a, b} {
		deliver(t, s, "letter.created", map[string]any{"letter_id": id, "user_id": userID})
	}
	count := func() (n int) {
		if err := s.DB.QueryRow(t.Context(), `SELECT count(*) FROM analyses WHERE user_id = $1`, userID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 2 {
		t.Fatalf("%d analyses, want 2", n)
	}
	if got := deliver(t, s, "letter.deleted", map[string]any{"letter_id": a, "user_id": userID}); got != "SUCCESS" || count() != 1 {
		t.Errorf("letter.deleted: %s, %d left", got, count())
	}
	if got := deliver(t, s, "user.deleted", map[string]any{"user_id": userID}); got != "SUCCESS" || count() != 0 {
		t.Errorf("user.deleted: %s, %d left", got, count())
	}
	// A letter.created for the deleted user arriving late (its text still
	// readable here) is acknowledged: no row, no emotion.analyzed.
	events := len(published(t, s))
	if got := deliver(t, s, "letter.created", map[string]any{"letter_id": b, "user_id": userID}); got != "SUCCESS" || count() != 0 {
		t.Errorf("letter.created after user.deleted: %s, %d rows", got, count())
	}
	if n := len(published(t, s)); n != events {
		t.Errorf("%d emotion.analyzed for a deleted user", n-events)
	}
}

// Analyses racing user.deleted, many times, leave no row of the user.
func TestAnalysesRacingThePurgeLeaveNothing(t *testing.T) {
	ls := &letterService{texts: map[string][2]string{}}
	s := start(t, ls)
	for round := 0; round < 15; round++ {
		userID := uuid.NewString()
		var letters []string
		ls.mu.Lock()
		for range 8 {
			id := uuid.NewString()
			letters = append(letters, id)
			ls.texts[id] = [2]string{"", "good day"}
		}
		ls.mu.Unlock()
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, id := range letters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				deliver(t, s, "letter.created", map[string]any{"letter_id": id, "user_id": userID})
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			deliver(t, s, "user.deleted", map[string]any{"user_id": userID})
		}()
		close(start)
		wg.Wait()
		var n int
		if err := s.DB.QueryRow(t.Context(), `SELECT count(*) FROM analyses WHERE user_id = $1`, userID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("round %d: %d analyses survived the purge", round, n)
		}
	}
}

func TestEveryDeclaredSubscriptionIsServed(t *testing.T) {
	s := start(t, &letterService{})
	resp, err := http.Get(s.URL + "/dapr/subscribe")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var subs []struct{ Topic, Route string }
	if err := json.NewDecoder(resp.Body).Decode(&subs); err != nil {
		t.Fatal(err)
	}
	topics := map[string]bool{}
	for _, sub := range subs {
		topics[sub.Topic] = true
		if code, _ := post(t, s.URL+sub.Route, map[string]any{"id": "x", "data": "not an object"}); code == http.StatusNotFound {
			t.Errorf("%s: route %s is not served", sub.Topic, sub.Route)
		}
	}
	for _, want := range []string{"letter.created", "letter.deleted", "user.deleted"} {
		if !topics[want] {
			t.Errorf("no subscription to %s", want)
		}
	}
}
