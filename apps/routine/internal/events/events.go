// Package events is routine-service's pub/sub surface: the payloads it
// publishes (routine.upserted, routine.deleted, written to the outbox by
// the store) and its handler for user.deleted.
package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprx"

	"github.com/lettertomyself/ltm/apps/routine/internal/routine"
)

// Topics.
const (
	TopicUpserted    = "routine.upserted"
	TopicDeleted     = "routine.deleted"
	TopicUserDeleted = "user.deleted"
)

// The item types an event can carry.
const (
	TypeRoutine     = "routine"
	TypeSpecialDate = "special_date"
)

// RoutineUpserted is routine.upserted for a routine. Weekday is null for a
// monthly routine and DayOfMonth for a weekly one; Time is HH:MM in
// Timezone. Consumers keep the newest UpdatedAt.
type RoutineUpserted struct {
	Type       string    `json:"type"`
	ID         uuid.UUID `json:"id"`
	UserID     uuid.UUID `json:"user_id"`
	Timezone   string    `json:"timezone"`
	Title      string    `json:"title"`
	Kind       string    `json:"kind"`
	Weekday    *string   `json:"weekday"`
	DayOfMonth *int      `json:"day_of_month"`
	Time       string    `json:"time"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// SpecialDateUpserted is routine.upserted for a special date.
type SpecialDateUpserted struct {
	Type      string    `json:"type"`
	ID        uuid.UUID `json:"id"`
	UserID    uuid.UUID `json:"user_id"`
	Timezone  string    `json:"timezone"`
	Name      string    `json:"name"`
	Date      string    `json:"date"`
	Yearly    bool      `json:"yearly"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Deleted is routine.deleted for either type.
type Deleted struct {
	Type   string    `json:"type"`
	ID     uuid.UUID `json:"id"`
	UserID uuid.UUID `json:"user_id"`
}

// ForRoutine is r's routine.upserted payload.
func ForRoutine(r routine.Routine, timezone string) RoutineUpserted {
	f := r.Fields()
	return RoutineUpserted{
		Type: TypeRoutine, ID: r.ID(), UserID: r.UserID(), Timezone: timezone,
		Title: r.Title(), Kind: string(r.Kind()), Weekday: f.Weekday, DayOfMonth: f.DayOfMonth,
		Time: r.Time().String(), UpdatedAt: r.UpdatedAt().UTC(),
	}
}

// ForSpecialDate is s's routine.upserted payload.
func ForSpecialDate(s routine.SpecialDate, timezone string) SpecialDateUpserted {
	return SpecialDateUpserted{
		Type: TypeSpecialDate, ID: s.ID(), UserID: s.UserID(), Timezone: timezone,
		Name: s.Name(), Date: s.Date().String(), Yearly: s.Yearly(), UpdatedAt: s.UpdatedAt().UTC(),
	}
}

// Consumer names this service in the inbox.
const Consumer = "routine-service"

// Purger forgets everything a user owns, once per event.
type Purger interface {
	// PurgeUser deletes userID's routines and special dates, claiming
	// eventID for consumer in the same transaction.
	PurgeUser(ctx context.Context, consumer, eventID string, userID uuid.UUID) error
}

// Subscribe lists the topics this service consumes (POST /events/<topic>,
// from the sidecar only).
func Subscribe(subs *daprx.Subscriptions, p Purger) {
	subs.Handle(TopicUserDeleted, UserDeleted(p)) // purge the user's items
}

// UserDeleted handles user.deleted {user_id}: the user's routines and
// special dates go. No routine.deleted per item: the scheduler purges on
// user.deleted itself.
func UserDeleted(p Purger) daprx.Handler {
	return func(ctx context.Context, e daprx.Event) error {
		var payload struct {
			UserID string `json:"user_id"`
		}
		if err := e.Decode(&payload); err != nil {
			return err
		}
		id, err := uuid.Parse(payload.UserID)
		if err != nil {
			return daprx.Drop(fmt.Errorf("user.deleted %s: bad user_id: %w", e.ID, err))
		}
		if e.ID == "" {
			return daprx.Drop(errors.New("user.deleted without an event id"))
		}
		return p.PurgeUser(ctx, Consumer, e.ID, id)
	}
}
