package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn/authntest"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/service"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

const letterID = "7d7c1e0a-2b3c-4d5e-8f90-a1b2c3d4e5f6"

// sender stands in for the smtp binding (the lead's end-to-end suite
// proves the real one).
type sender struct {
	mu    sync.Mutex
	mails []notify.Mail
}

func (s *sender) Send(_ context.Context, m notify.Mail) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mails = append(s.mails, m)
	return nil
}

func (s *sender) sent() []notify.Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notify.Mail(nil), s.mails...)
}

// fakeUsers is daprd's invocation of user-service's contact lookup,
// answered by a fake user-service that knows the given contacts.
func fakeUsers(contacts map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutPrefix(r.URL.Path, "/v1.0/invoke/user-service/method/internal/users/")
		id, ok2 := strings.CutSuffix(id, "/contact")
		if !ok || !ok2 || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		body, found := contacts[id]
		if !found {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"type":"https://lettertomyself.app/problems/profile-not-found","title":"Profile not found","status":404}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	})
}

func contactJSON(userID, email, locale string, letterOpened bool) string {
	return fmt.Sprintf(`{"user_id":%q,"email":%q,"nickname":"민지","locale":%q,"timezone":"Asia/Seoul",
		"notifications":{"letter_opened":%t,"routine_reminder":true,"special_date":true}}`, userID, email, locale, letterOpened)
}

type app struct {
	t    *testing.T
	srv  *servicetest.Server
	iss  *authntest.Issuer
	mail *sender
}

// start builds the whole service as main does (spec) against a fresh
// database and the fake user-service; mail goes to a fake sender.
func start(t *testing.T, contacts map[string]string) *app {
	t.Helper()
	iss := authntest.NewIssuer(t, clock.System{})
	cfg := Config{Database: *servicetest.Database(t), Mail: Mail{MailBindings: []string{"mail"}, PublicBaseURL: "https://letters.example", MaxAttempts: 11,
		ClaimLease: 2 * time.Minute, SendTimeout: 5 * time.Second}}
	mail := &sender{}
	s := spec(cfg, mail)
	s.Keys = iss
	srv := servicetest.Start(t, s, fakeUsers(contacts))
	return &app{t: t, srv: srv, iss: iss, mail: mail}
}

func (a *app) do(method, path, body string, header map[string]string) (int, []byte) {
	a.t.Helper()
	var b any
	if body != "" {
		b = body
	}
	r := a.srv.Do(a.t, method, path, b, header)
	return r.Status, []byte(r.Raw)
}

// publish delivers data on topic the way daprd does and returns the
// subscriber's answer.
func (a *app) publish(topic, data string) string {
	a.t.Helper()
	return a.srv.Publish(a.t, topic, "", json.RawMessage(data))
}

type history struct {
	Items []struct {
		ID        string     `json:"id"`
		Kind      string     `json:"kind"`
		Subject   string     `json:"subject"`
		Status    string     `json:"status"`
		SentAt    *time.Time `json:"sent_at"`
		CreatedAt time.Time  `json:"created_at"`
	} `json:"items"`
}

func (a *app) history(userID, query string) history {
	a.t.Helper()
	status, body := a.do(http.MethodGet, "/api/notifications"+query, "", map[string]string{"Authorization": "Bearer " + a.iss.Token(userID)})
	if status != http.StatusOK {
		a.t.Fatalf("GET /api/notifications = %d: %s", status, body)
	}
	var h history
	if err := json.Unmarshal(body, &h); err != nil {
		a.t.Fatal(err)
	}
	return h
}

const (
	routeRequested = "/events/notification-requested"
	routeDeleted   = "/events/user-deleted"
)

func TestOneMailPerRequestOverHTTP(t *testing.T) {
	minji, quiet, other := uuid.NewString(), uuid.NewString(), uuid.NewString()
	a := start(t, map[string]string{
		minji: contactJSON(minji, "minji@example.com", "ko", true),
		quiet: contactJSON(quiet, "quiet@example.com", "en", false),
	})

	// What daprd reads at start: both topics, on the routes served below.
	status, body := a.do(http.MethodGet, "/dapr/subscribe", "", nil)
	for _, want := range []string{`"topic":"notification.requested","route":"` + routeRequested, `"topic":"user.deleted","route":"` + routeDeleted} {
		if status != http.StatusOK || !strings.Contains(string(body), want) {
			t.Fatalf("/dapr/subscribe = %d %s; want %s", status, body, want)
		}
	}

	event := `{"id":"letter_opened:` + letterID + `","user_id":"` + minji + `","kind":"letter_opened",
		"data":{"letter_id":"` + letterID + `","title":"<script>alert(1)</script> 스무 살의 나에게","open_at":"2026-03-01T00:00:00Z",
		"content":"SEALED-LETTER-BODY"}}`

	// Only the sidecar may deliver events.
	if status, _ := a.do(http.MethodPost, routeRequested, `{}`, map[string]string{"Content-Type": "application/cloudevents+json"}); status != http.StatusUnauthorized {
		t.Errorf("event without the app token = %d, want 401", status)
	}

	for i := range 2 { // RabbitMQ redelivers
		if got := a.publish("notification.requested", event); got != "SUCCESS" {
			t.Fatalf("delivery %d: %s, want SUCCESS", i+1, got)
		}
	}
	mails := a.mail.sent()
	if len(mails) != 1 {
		t.Fatalf("%d mails for one request delivered twice, want 1", len(mails))
	}
	m := mails[0]
	if m.To != "minji@example.com" || !strings.HasPrefix(m.Subject, "편지가 열렸어요") ||
		!strings.Contains(m.HTML, "https://letters.example/letters/"+letterID) {
		t.Errorf("mail to %q subject %q", m.To, m.Subject)
	}
	if strings.Contains(m.HTML, "<script>") || strings.Contains(m.HTML+m.Text+m.Subject, "SEALED-LETTER-BODY") {
		t.Error("the mail carries unescaped markup or the letter's content")
	}

	// The scheduler's shape: the letter id only in the key "kind:source:occurrence".
	schedulerShape := `{"id":"letter_opened:` + letterID + `:2027-01-01T00:00:00Z","user_id":"` + minji + `","kind":"letter_opened",
		"data":{"title":"내년의 나에게","open_at":"2027-01-01T00:00:00Z"}}`
	if got := a.publish("notification.requested", schedulerShape); got != "SUCCESS" {
		t.Fatalf("scheduler-shaped event: %s", got)
	}
	if mails := a.mail.sent(); len(mails) != 2 || !strings.Contains(mails[1].HTML, "https://letters.example/letters/"+letterID) {
		t.Fatalf("scheduler-shaped event: %d mails, want a second one linking to the letter", len(mails))
	}

	// Preference off: recorded, not sent.
	routine := `{"id":"routine:r1:2026-03-01","user_id":"` + quiet + `","kind":"letter_opened","data":{"letter_id":"` + letterID + `","title":"hi"}}`
	if got := a.publish("notification.requested", routine); got != "SUCCESS" {
		t.Fatalf("preference off: %s", got)
	}
	// A user who is gone: recorded, not sent.
	gone := `{"id":"special:s1:2026","user_id":"` + other + `","kind":"special_date","data":{"special_date_id":"s1","name":"생일"}}`
	if got := a.publish("notification.requested", gone); got != "SUCCESS" {
		t.Fatalf("user gone: %s", got)
	}
	if n := len(a.mail.sent()); n != 2 {
		t.Errorf("%d mails, want still 2", n)
	}

	// Poison: dropped, never retried.
	for _, bad := range []string{`{"id":"x","user_id":"not-a-uuid","kind":"letter_opened","data":{}}`, `{"id":"x","user_id":"` + minji + `","kind":"party","data":{}}`, `"nonsense"`} {
		if got := a.publish("notification.requested", bad); got != "DROP" {
			t.Errorf("bad payload %s: %s, want DROP", bad, got)
		}
	}

	// The history.
	h := a.history(minji, "")
	if len(h.Items) != 2 || h.Items[1].Status != "sent" || h.Items[1].Kind != "letter_opened" || h.Items[1].SentAt == nil ||
		h.Items[1].ID != "letter_opened:"+letterID || !strings.HasPrefix(h.Items[1].Subject, "편지가 열렸어요") ||
		h.Items[0].ID != "letter_opened:"+letterID+":2027-01-01T00:00:00Z" {
		t.Fatalf("minji's history (newest first) = %+v", h)
	}
	if h := a.history(quiet, "?limit=10"); len(h.Items) != 1 || h.Items[0].Status != "skipped" || h.Items[0].SentAt != nil {
		t.Errorf("quiet's history = %+v, want one skipped", h)
	}
	if h := a.history(uuid.NewString(), ""); len(h.Items) != 0 {
		t.Errorf("a stranger sees %+v", h)
	}
	if status, _ := a.do(http.MethodGet, "/api/notifications", "", nil); status != http.StatusUnauthorized {
		t.Errorf("no token = %d, want 401", status)
	}
	for _, q := range []string{"?limit=0", "?limit=101", "?limit=ten"} {
		status, body := a.do(http.MethodGet, "/api/notifications"+q, "", map[string]string{"Authorization": "Bearer " + a.iss.Token(minji)})
		if status != http.StatusBadRequest || !strings.Contains(string(body), `"limit"`) {
			t.Errorf("%s = %d %s, want 400 naming limit", q, status, body)
		}
	}

	// Account deletion forgets the history, idempotently.
	for range 2 {
		if got := a.publish("user.deleted", `{"user_id":"`+minji+`"}`); got != "SUCCESS" {
			t.Fatalf("user.deleted: %s", got)
		}
	}
	// A request for the deleted user arriving late is acknowledged: no
	// mail, no history.
	sent := len(a.mail.sent())
	late := strings.ReplaceAll(event, "letter_opened:"+letterID, "letter_opened:"+uuid.NewString())
	if got := a.publish("notification.requested", late); got != "SUCCESS" {
		t.Errorf("notification.requested after user.deleted: %s, want SUCCESS (dropped)", got)
	}
	if n := len(a.mail.sent()); n != sent {
		t.Errorf("%d mails sent for a deleted user", n-sent)
	}
	if h := a.history(minji, ""); len(h.Items) != 0 {
		t.Errorf("history after user.deleted = %+v", h)
	}
	if h := a.history(quiet, ""); len(h.Items) != 1 {
		t.Errorf("another user's history was purged: %+v", h)
	}
	if got := a.publish("user.deleted", `{"user_id":"nope"}`); got != "DROP" {
		t.Errorf("bad user.deleted: %s, want DROP", got)
	}
}

func TestSetupRefusesABadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Mail
	}{
		{"lease shorter than a send", Mail{MailBindings: []string{"mail"}, PublicBaseURL: "http://x", MaxAttempts: 11, ClaimLease: time.Second, SendTimeout: 40 * time.Second}},
		{"no attempts", Mail{MailBindings: []string{"mail"}, PublicBaseURL: "http://x", MaxAttempts: 0, ClaimLease: time.Minute, SendTimeout: time.Second}},
		{"bad base url", Mail{MailBindings: []string{"mail"}, PublicBaseURL: "javascript:alert(1)", MaxAttempts: 11, ClaimLease: time.Minute, SendTimeout: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Configuration is checked before anything else is touched.
			_, err := spec(Config{Mail: tt.cfg}, nil).Setup(service.Deps{})
			if err == nil || strings.Contains(err.Error(), "database") {
				t.Errorf("Setup: %v, want a configuration error", err)
			}
		})
	}
}
