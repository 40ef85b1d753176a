package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprx"

	"github.com/lettertomyself/ltm/apps/routine/internal/events"
)

type purger struct {
	err   error
	calls []uuid.UUID
}

func (p *purger) PurgeUser(_ context.Context, consumer, eventID string, userID uuid.UUID) error {
	if consumer != events.Consumer || eventID == "" {
		return errors.New("bad claim")
	}
	p.calls = append(p.calls, userID)
	return p.err
}

func TestUserDeleted(t *testing.T) {
	user := uuid.New()
	tests := []struct {
		name     string
		id, data string
		storeErr error
		want     string // success, retry, drop
	}{
		{"purges", "e1", `{"user_id":"` + user.String() + `"}`, nil, "success"},
		{"data sent as a JSON string", "e1", `"{\"user_id\":\"` + user.String() + `\"}"`, nil, "success"},
		{"database down: retry", "e1", `{"user_id":"` + user.String() + `"}`, errors.New("connection refused"), "retry"},
		{"not a user id: drop", "e1", `{"user_id":"42"}`, nil, "drop"},
		{"no user id: drop", "e1", `{}`, nil, "drop"},
		{"not an object: drop", "e1", `[1]`, nil, "drop"},
		{"no event id: drop", "", `{"user_id":"` + user.String() + `"}`, nil, "drop"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &purger{err: tc.storeErr}
			err := events.UserDeleted(p)(context.Background(), daprx.Event{ID: tc.id, Topic: events.TopicUserDeleted, Data: json.RawMessage(tc.data)})
			got := "success"
			switch {
			case errors.Is(err, daprx.ErrDrop):
				got = "drop"
			case err != nil:
				got = "retry"
			}
			if got != tc.want {
				t.Fatalf("got %s (%v), want %s", got, err, tc.want)
			}
			if got == "success" && (len(p.calls) != 1 || p.calls[0] != user) {
				t.Errorf("purged %v, want %s", p.calls, user)
			}
		})
	}
}
