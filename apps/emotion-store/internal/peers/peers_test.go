package peers_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/contact"
	"github.com/lettertomyself/ltm/apps/platform/daprx"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
	"github.com/lettertomyself/ltm/apps/emotion-store/internal/peers"
)

func answer(body string, err error) peers.Invoker {
	return func(context.Context, string, string, string, []byte) ([]byte, error) { return []byte(body), err }
}

func TestAnalyzeClassifiesAnswers(t *testing.T) {
	problem404 := &daprx.StatusError{Status: 404, Body: []byte(`{"type":"https://lettertomyself.app/problems/letter-not-found","status":404}`)}
	tests := []struct {
		name      string
		err       error
		gone      bool
		permanent bool
	}{
		{name: "accepted"},
		{name: "letter gone (a 404 problem)", err: problem404, gone: true},
		{name: "bare 404: a missing route, not a missing letter", err: &daprx.StatusError{Status: 404, Body: []byte("404 page not found")}, permanent: true},
		{name: "400", err: &daprx.StatusError{Status: 400, Body: []byte(`{}`)}, permanent: true},
		{name: "403", err: &daprx.StatusError{Status: 403}, permanent: true},
		{name: "429 passes", err: &daprx.StatusError{Status: 429}},
		{name: "503 passes", err: &daprx.StatusError{Status: 503}},
		{name: "unreachable passes", err: errors.New("connection refused")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct{ app, path, body string }
			a := peers.NewAnalyzer(func(_ context.Context, method, app, path string, body []byte) ([]byte, error) {
				got.app, got.path, got.body = app, method+" "+path, string(body)
				return nil, tt.err
			})
			err := a.Analyze(context.Background(), "l1", "u1", "job-1")
			if got.app != "emotion-ml-service" || got.path != "POST /internal/analyze" ||
				got.body != `{"job_id":"job-1","letter_id":"l1","user_id":"u1"}` {
				t.Errorf("called %+v", got)
			}
			if errors.Is(err, emotion.ErrLetterGone) != tt.gone || errors.Is(err, emotion.ErrPermanent) != tt.permanent || (tt.err == nil) != (err == nil) {
				t.Errorf("err = %v; want gone %v, permanent %v", err, tt.gone, tt.permanent)
			}
		})
	}
}

func TestListLetters(t *testing.T) {
	ids, err := peers.NewLetters(answer(`[{"letter_id":"a","written_at":"2026-01-01T00:00:00Z"},{"letter_id":"b","written_at":"2026-01-02T00:00:00Z"}]`, nil)).List(context.Background(), "u")
	if err != nil || len(ids) != 2 || ids[0] != "a" || ids[1] != "b" {
		t.Errorf("List = %v, %v", ids, err)
	}
	for name, body := range map[string]string{"not JSON": "<html>", "no id": `[{"written_at":"2026-01-01T00:00:00Z"}]`} {
		if _, err := peers.NewLetters(answer(body, nil)).List(context.Background(), "u"); !errors.Is(err, emotion.ErrPermanent) {
			t.Errorf("%s: %v, want ErrPermanent", name, err)
		}
	}
}

func TestProfiles(t *testing.T) {
	notFound := &daprx.StatusError{Status: http.StatusNotFound, Body: []byte(`{"type":"` + contact.NotFoundType + `","status":404}`)}
	tests := []struct {
		name, body       string
		err              error
		wantZone, locale string
		fails            bool
	}{
		{name: "profile", body: `{"user_id":"u","locale":"en","timezone":"America/New_York"}`, wantZone: "America/New_York", locale: "en"},
		{name: "no profile: default zone, Korean", err: notFound, wantZone: contact.DefaultTimezone, locale: "ko"},
		{name: "unknown locale and zone", body: `{"user_id":"u","locale":"fr","timezone":"Mars/Base"}`, wantZone: contact.DefaultTimezone, locale: "ko"},
		{name: "user-service down fails", err: &daprx.StatusError{Status: 503}, fails: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			get := func(context.Context, string, string) ([]byte, error) { return []byte(tt.body), tt.err }
			p, err := peers.NewProfiles(contact.New(get, slog.New(slog.NewTextHandler(io.Discard, nil)))).Profile(context.Background(), "u")
			if tt.fails {
				if err == nil {
					t.Fatal("no error: a failing lookup must not become a silent default")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Location.String() != tt.wantZone || p.Locale != tt.locale {
				t.Errorf("profile = %s %s, want %s %s", p.Location, p.Locale, tt.wantZone, tt.locale)
			}
		})
	}
}
