package contact_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/contact"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
)

func TestLookupAndZone(t *testing.T) {
	notFound := []byte(`{"type":"` + contact.NotFoundType + `","title":"Profile not found","status":404}`)
	tests := []struct {
		name      string
		body      []byte
		err       error
		wantErr   error // nil: no error
		anyErr    bool  // an error, not ErrNoProfile
		wantZone  string
		wantEmail string
	}{
		{name: "profile", body: []byte(`{"user_id":"u","email":"a@example.com","timezone":"Europe/London","notifications":{"special_date":true}}`),
			wantZone: "Europe/London", wantEmail: "a@example.com"},
		{name: "profile-not-found problem", err: &daprx.StatusError{Status: 404, Body: notFound}, wantErr: contact.ErrNoProfile, wantZone: contact.DefaultTimezone},
		{name: "bare 404 is an error", err: &daprx.StatusError{Status: 404, Body: []byte("404 page not found")}, anyErr: true},
		{name: "other problem type on 404 is an error", err: &daprx.StatusError{Status: 404, Body: []byte(`{"type":"about:blank"}`)}, anyErr: true},
		{name: "unreachable", err: errors.New("connection refused"), anyErr: true},
		{name: "500", err: &daprx.StatusError{Status: 500}, anyErr: true},
		{name: "not JSON", body: []byte("<html>"), anyErr: true},
		{name: "empty zone", body: []byte(`{"user_id":"u","timezone":""}`), wantZone: contact.DefaultTimezone},
		{name: "unknown zone", body: []byte(`{"user_id":"u","timezone":"Mars/Olympus"}`), wantZone: contact.DefaultTimezone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var path string
			c := contact.New(func(_ context.Context, app, p string) ([]byte, error) {
				path = app + p
				return tt.body, tt.err
			}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			got, err := c.Lookup(context.Background(), "a/b")
			switch {
			case tt.anyErr:
				if err == nil || errors.Is(err, contact.ErrNoProfile) {
					t.Fatalf("Lookup err = %v, want an error that is not ErrNoProfile", err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Lookup err = %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("Lookup: %v", err)
			}
			if path != "user-service/internal/users/a%2Fb/contact" {
				t.Errorf("called %s", path)
			}
			if got.Email != tt.wantEmail {
				t.Errorf("email = %q", got.Email)
			}
			loc, err := c.Zone(context.Background(), "a/b")
			if tt.anyErr {
				if err == nil {
					t.Fatalf("Zone = %v, want an error, never a silent default", loc)
				}
				return
			}
			if err != nil || loc.String() != tt.wantZone {
				t.Errorf("Zone = %v, %v; want %s", loc, err, tt.wantZone)
			}
		})
	}
}
