package daprx_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/logging"
)

func TestEveryDeclaredRouteIsServedAndAnswersStatus(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	subs := daprx.NewSubscriptions(log)
	var got struct {
		UserID string `json:"user_id"`
	}
	subs.Handle("user.deleted", func(ctx context.Context, e daprx.Event) error { return e.Decode(&got) })
	subs.Handle("letter.created", func(ctx context.Context, e daprx.Event) error { return errors.New("database down") })
	subs.Handle("emotion.analyzed", func(ctx context.Context, e daprx.Event) error {
		return daprx.Drop(errors.New("unknown mood"))
	})
	r := httpx.NewRouter(log)
	subs.Mount(r, r)

	// What Dapr reads at start.
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dapr/subscribe", nil))
	var declared []daprx.Subscription
	if err := json.Unmarshal(rec.Body.Bytes(), &declared); err != nil {
		t.Fatal(err)
	}
	if len(declared) != 3 {
		t.Fatalf("declared %d subscriptions, want 3", len(declared))
	}

	want := map[string]string{"user.deleted": "SUCCESS", "letter.created": "RETRY", "emotion.analyzed": "DROP"}
	for _, s := range declared {
		if want := "pubsub-" + strings.NewReplacer(".", "-", "_", "-").Replace(s.Topic); s.PubSubName != want {
			t.Errorf("%s: pubsub %q", s.Topic, s.PubSubName)
		}
		body := `{"id":"e1","topic":"` + s.Topic + `","datacontenttype":"application/json","data":{"user_id":"u1"}}`
		req := httptest.NewRequest(http.MethodPost, s.Route, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/cloudevents+json")
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: route %s answered %d; a 404 would make Dapr drop messages", s.Topic, s.Route, rec.Code)
			continue
		}
		var ans struct{ Status string }
		_ = json.Unmarshal(rec.Body.Bytes(), &ans)
		if ans.Status != want[s.Topic] {
			t.Errorf("%s: status %q, want %q", s.Topic, ans.Status, want[s.Topic])
		}
	}
	if got.UserID != "u1" {
		t.Errorf("decoded user_id = %q, want u1", got.UserID)
	}
}

func TestDecode(t *testing.T) {
	type payload struct {
		ID string `json:"id"`
	}
	tests := []struct {
		name     string
		data     string
		wantID   string
		wantDrop bool
	}{
		{"json object", `{"id":"a"}`, "a", false},
		{"json in a string", `"{\"id\":\"b\"}"`, "b", false},
		{"garbage is poison", `"not json"`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p payload
			err := daprx.Event{Data: json.RawMessage(tt.data)}.Decode(&p)
			if tt.wantDrop {
				if !errors.Is(err, daprx.ErrDrop) {
					t.Fatalf("err = %v, want a drop", err)
				}
				return
			}
			if err != nil || p.ID != tt.wantID {
				t.Fatalf("got %q, %v; want %q", p.ID, err, tt.wantID)
			}
		})
	}
}

func TestUnreadableEnvelopeIsDropped(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	subs := daprx.NewSubscriptions(log)
	called := false
	subs.Handle("t", func(context.Context, daprx.Event) error { called = true; return nil })
	r := httpx.NewRouter(log)
	subs.Mount(r, r)
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, subs.Declared()[0].Route, strings.NewReader("{oops")))
	if called || !strings.Contains(rec.Body.String(), "DROP") {
		t.Errorf("called=%v body=%s; want DROP without calling the handler", called, rec.Body)
	}
}

func TestSidecarReadyAndNotReady(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1.0/healthz/outbound" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer healthy.Close()
	port := healthy.Listener.Addr().(*net.TCPAddr).Port

	s := daprx.New(daprx.Config{HTTPPort: port}, log)
	if err := s.Ready(context.Background()); err != nil {
		t.Errorf("Ready against a healthy sidecar: %v", err)
	}
	if _, err := s.Client(); !errors.Is(err, daprx.ErrNotReady) {
		t.Errorf("Client before Connect: %v, want ErrNotReady", err)
	}
	if err := s.PublishEvent(context.Background(), "t", "id-1", []byte("{}")); !errors.Is(err, daprx.ErrNotReady) {
		t.Errorf("Publish before Connect: %v, want ErrNotReady", err)
	}

	healthy.Close()
	if err := s.Ready(context.Background()); err == nil {
		t.Error("Ready succeeded against a stopped sidecar")
	}
}

func TestInvokeThroughTheSidecar(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var gotPath, gotMethod, gotBody, gotReqID string
	sc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotMethod, gotReqID = r.URL.Path, r.Method, r.Header.Get("X-Request-ID")
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		if strings.HasSuffix(r.URL.Path, "/missing") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer sc.Close()
	s := daprx.New(daprx.Config{HTTPPort: sc.Listener.Addr().(*net.TCPAddr).Port}, log)
	ctx := logging.WithRequestID(context.Background(), "req-7")

	out, err := s.Post(ctx, "letter-storage-service", "/internal/images/attach", map[string]string{"letter_id": "l1"})
	if err != nil || string(out) != `{"ok":true}` {
		t.Fatalf("Post = %s, %v", out, err)
	}
	if gotMethod != http.MethodPost || gotPath != "/v1.0/invoke/letter-storage-service/method/internal/images/attach" || gotBody != `{"letter_id":"l1"}` || gotReqID != "req-7" {
		t.Errorf("sidecar saw %s %s %s (request id %q)", gotMethod, gotPath, gotBody, gotReqID)
	}
	_, err = s.Get(ctx, "user-service", "/internal/users/u1/missing")
	var se *daprx.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusNotFound {
		t.Errorf("Get of a missing resource = %v, want a StatusError 404", err)
	}
}

// A binding whose handler cannot reach the database (a cron tick while
// Postgres restarts) answers 503, anything else 500.
func TestBindingAnswers503WhileTheDatabaseIsDown(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := httpx.NewRouter(log)
	var fail error
	daprx.OnBinding(r, log, "tick", func(context.Context, []byte) error { return fail })
	for _, tt := range []struct {
		err  error
		want int
	}{
		{nil, http.StatusOK},
		{fmt.Errorf("claim due work: %w", &pgconn.PgError{Code: "57P01"}), http.StatusServiceUnavailable},
		{errors.New("a bug"), http.StatusInternalServerError},
	} {
		fail = tt.err
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/tick", strings.NewReader("{}")))
		if rec.Code != tt.want {
			t.Errorf("%v: HTTP %d, want %d", tt.err, rec.Code, tt.want)
		}
	}
}
