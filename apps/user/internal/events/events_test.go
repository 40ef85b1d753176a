package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/delivery"

	"github.com/lettertomyself/ltm/apps/user/internal/events"
	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

// failingStore is a database that is down.
type failingStore struct{ calls int }

var errDown = errors.New("connection refused")

func (f *failingStore) Get(context.Context, uuid.UUID) (profile.Profile, error) {
	f.calls++
	return profile.Profile{}, errDown
}

func (f *failingStore) Update(context.Context, uuid.UUID, func(profile.Profile) (profile.Profile, error)) (profile.Profile, error) {
	f.calls++
	return profile.Profile{}, errDown
}

func (f *failingStore) Create(context.Context, delivery.Ref, profile.Profile) (bool, error) {
	f.calls++
	return false, errDown
}

func (f *failingStore) ChangeEmail(context.Context, delivery.Ref, uuid.UUID, string, time.Time) (bool, error) {
	f.calls++
	return false, errDown
}

func (f *failingStore) Purge(context.Context, delivery.Ref, uuid.UUID) (bool, error) {
	f.calls++
	return false, errDown
}

func TestOutcomes(t *testing.T) {
	user := uuid.NewString()
	tests := []struct {
		name     string
		handle   func(*events.Handlers) daprx.Handler
		id, data string
		wantDrop bool
	}{
		{"registered, database down", func(h *events.Handlers) daprx.Handler { return h.Registered }, "e1",
			`{"user_id":"` + user + `","username":"minji","email":"m@example.com","created_at":"2025-03-01T09:00:00Z"}`, false},
		{"email change, database down", func(h *events.Handlers) daprx.Handler { return h.EmailChanged }, "e2",
			`{"user_id":"` + user + `","email":"m@example.com"}`, false},
		{"deleted, database down", func(h *events.Handlers) daprx.Handler { return h.Deleted }, "e3",
			`{"user_id":"` + user + `"}`, false},
		{"registered without an event id", func(h *events.Handlers) daprx.Handler { return h.Registered }, "",
			`{"user_id":"` + user + `","username":"minji","email":"m@example.com"}`, true},
		{"registered without a username", func(h *events.Handlers) daprx.Handler { return h.Registered }, "e4",
			`{"user_id":"` + user + `","email":"m@example.com"}`, true},
		{"email change for a bad id", func(h *events.Handlers) daprx.Handler { return h.EmailChanged }, "e5",
			`{"user_id":"1","email":"m@example.com"}`, true},
		{"deleted, not json", func(h *events.Handlers) daprx.Handler { return h.Deleted }, "e6", `"oops"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &failingStore{}
			h := events.New(store, clock.NewFake(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)), slog.New(slog.DiscardHandler))
			err := tt.handle(h)(context.Background(), daprx.Event{ID: tt.id, Data: json.RawMessage(tt.data)})
			if tt.wantDrop {
				if !errors.Is(err, daprx.ErrDrop) || store.calls != 0 {
					t.Errorf("err = %v, store calls = %d; want a drop before touching the store", err, store.calls)
				}
				return
			}
			// A transient failure must be retried, never dropped.
			if !errors.Is(err, errDown) || errors.Is(err, daprx.ErrDrop) {
				t.Errorf("err = %v, want the store's error as a retry", err)
			}
		})
	}
}
