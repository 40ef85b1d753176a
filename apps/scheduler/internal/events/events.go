// Package events turns letter, routine and account events into due work:
// letter.created schedules the opening mail and letter.deleted cancels it;
// routine.upserted schedules a routine's or special date's next occurrence
// and routine.deleted cancels it; user.deleted purges the user's work.
// Every handler is idempotent: the store claims the CloudEvent id in the
// inbox in the same transaction as the change, and the change itself is a
// no-op when repeated or older than what is stored.
package events

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/delivery"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/schedule"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/work"
)

// Topics this service consumes.
const (
	TopicLetterCreated  = "letter.created"
	TopicLetterDeleted  = "letter.deleted"
	TopicRoutineUpsert  = "routine.upserted"
	TopicRoutineDeleted = "routine.deleted"
	TopicUserDeleted    = "user.deleted"
)

// Handlers turns events into store calls.
type Handlers struct {
	store work.Store
	clock clock.Clock
	log   *slog.Logger
}

// New returns the handlers.
func New(store work.Store, c clock.Clock, log *slog.Logger) *Handlers {
	return &Handlers{store: store, clock: c, log: log}
}

// Subscriber is where handlers are registered (daprx.Subscriptions).
type Subscriber interface {
	Handle(topic string, h daprx.Handler)
}

// Register subscribes every handler.
func (h *Handlers) Register(s Subscriber) {
	s.Handle(TopicLetterCreated, h.LetterCreated)
	s.Handle(TopicLetterDeleted, h.LetterDeleted)
	s.Handle(TopicRoutineUpsert, h.RoutineUpserted)
	s.Handle(TopicRoutineDeleted, h.RoutineDeleted)
	s.Handle(TopicUserDeleted, h.UserDeleted)
}

// gone acknowledges and drops an event about a deleted user's work
// (tombstone.ErrGone): nothing is scheduled for them again.
func (h *Handlers) gone(ctx context.Context, e daprx.Event, userID uuid.UUID, err error) error {
	if tombstone.IsGone(err) {
		h.log.InfoContext(ctx, "event dropped: the account is deleted", "topic", e.Topic, "user_id", userID)
		return nil
	}
	return err
}

// consumer names the inbox slot of this service's handler for topic.
func consumer(topic string) string { return "scheduler-service/" + topic }

func ref(e daprx.Event, topic string) (delivery.Ref, error) {
	r, err := delivery.New(consumer(topic), e.ID)
	if err != nil {
		return delivery.Ref{}, daprx.Drop(err)
	}
	return r, nil
}

// decode reads the event's payload; a bad one is poison.
func decode(e daprx.Event, topic string, v any) (delivery.Ref, error) {
	ev, err := ref(e, topic)
	if err != nil {
		return ev, err
	}
	return ev, e.Decode(v)
}

func bad(e daprx.Event, err error) error {
	return daprx.Drop(fmt.Errorf("event %s on %s: %w", e.ID, e.Topic, err))
}

// letterCreated carries ids and times only: no part of the letter's text
// travels on the broker or reaches this service.
type letterCreated struct {
	LetterID  string    `json:"letter_id"`
	UserID    string    `json:"user_id"`
	OpenAt    time.Time `json:"open_at"`
	WrittenAt time.Time `json:"written_at"`
}

// LetterCreated schedules the "your letter is open" mail at open_at.
func (h *Handlers) LetterCreated(ctx context.Context, e daprx.Event) error {
	var in letterCreated
	ev, err := decode(e, TopicLetterCreated, &in)
	if err != nil {
		return err
	}
	letterID, userID, err := ids(in.LetterID, in.UserID)
	if err != nil {
		return bad(e, err)
	}
	it, err := work.NewLetter(letterID, userID, in.OpenAt, in.WrittenAt)
	if err != nil {
		return bad(e, err)
	}
	_, err = h.store.ScheduleLetter(ctx, ev, it)
	return h.gone(ctx, e, it.UserID(), err)
}

type letterDeleted struct {
	LetterID string `json:"letter_id"`
	UserID   string `json:"user_id"`
}

// LetterDeleted cancels the letter's opening mail.
func (h *Handlers) LetterDeleted(ctx context.Context, e daprx.Event) error {
	var in letterDeleted
	ev, err := decode(e, TopicLetterDeleted, &in)
	if err != nil {
		return err
	}
	letterID, userID, err := ids(in.LetterID, in.UserID)
	if err != nil {
		return bad(e, err)
	}
	_, err = h.store.Cancel(ctx, ev, work.LetterOpened, letterID, userID, h.clock.Now())
	return h.gone(ctx, e, userID, err)
}

// routineUpserted is either a routine or a special date, told apart by type.
type routineUpserted struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	UserID   string `json:"user_id"`
	Timezone string `json:"timezone"`
	// Routine.
	Title      string `json:"title"`
	Kind       string `json:"kind"`
	Weekday    string `json:"weekday"`
	DayOfMonth int    `json:"day_of_month"`
	Time       string `json:"time"`
	// Special date.
	Name   string `json:"name"`
	Date   string `json:"date"`
	Yearly *bool  `json:"yearly"`

	UpdatedAt time.Time `json:"updated_at"`
}

const (
	typeRoutine     = "routine"
	typeSpecialDate = "special_date"
)

// RoutineUpserted schedules the next occurrence of a routine or a special
// date after the user saved it (work.NewRecurring).
func (h *Handlers) RoutineUpserted(ctx context.Context, e daprx.Event) error {
	var in routineUpserted
	ev, err := decode(e, TopicRoutineUpsert, &in)
	if err != nil {
		return err
	}
	sourceID, userID, err := ids(in.ID, in.UserID)
	if err != nil {
		return bad(e, err)
	}
	loc, err := wallclock.LoadZone(in.Timezone)
	if err != nil {
		return bad(e, err)
	}
	now := h.clock.Now()
	version := in.UpdatedAt
	if version.IsZero() {
		// Without a version, ordering falls back to arrival order.
		h.log.WarnContext(ctx, "routine.upserted without updated_at; using arrival time", "event_id", e.ID)
		version = now
	}
	var (
		kind work.Kind
		sc   schedule.Schedule
		data map[string]any
	)
	switch in.Type {
	case typeRoutine:
		kind, data = work.RoutineReminder, map[string]any{"title": in.Title}
		switch schedule.Repeat(in.Kind) {
		case schedule.Weekly:
			var wd time.Weekday
			if wd, err = wallclock.ParseWeekday(in.Weekday); err == nil {
				sc, err = schedule.NewWeekly(wd, in.Time, loc)
			}
		case schedule.Monthly:
			sc, err = schedule.NewMonthly(in.DayOfMonth, in.Time, loc)
		default:
			err = fmt.Errorf("%w: routine kind %q", schedule.ErrInvalid, in.Kind)
		}
	case typeSpecialDate:
		kind, data = work.SpecialDate, map[string]any{"name": in.Name}
		yearly := in.Yearly == nil || *in.Yearly // the API's default
		var d wallclock.Date
		if d, err = wallclock.ParseDate(in.Date); err == nil {
			sc, err = schedule.NewSpecialDate(d, yearly, loc)
		}
	default:
		err = fmt.Errorf("unknown type %q", in.Type)
	}
	if err != nil {
		return bad(e, err)
	}
	_, err = h.store.UpsertRecurring(ctx, ev, work.NewRecurring(kind, sourceID, userID, sc, data, version, now))
	return h.gone(ctx, e, userID, err)
}

type routineDeleted struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	UserID string `json:"user_id"`
}

// RoutineDeleted cancels a routine's or special date's work.
func (h *Handlers) RoutineDeleted(ctx context.Context, e daprx.Event) error {
	var in routineDeleted
	ev, err := decode(e, TopicRoutineDeleted, &in)
	if err != nil {
		return err
	}
	sourceID, userID, err := ids(in.ID, in.UserID)
	if err != nil {
		return bad(e, err)
	}
	var kind work.Kind
	switch in.Type {
	case typeRoutine:
		kind = work.RoutineReminder
	case typeSpecialDate:
		kind = work.SpecialDate
	default:
		return bad(e, fmt.Errorf("unknown type %q", in.Type))
	}
	_, err = h.store.Cancel(ctx, ev, kind, sourceID, userID, h.clock.Now())
	return h.gone(ctx, e, userID, err)
}

type userDeleted struct {
	UserID string `json:"user_id"`
}

// UserDeleted forgets everything scheduled for the user.
func (h *Handlers) UserDeleted(ctx context.Context, e daprx.Event) error {
	var in userDeleted
	ev, err := decode(e, TopicUserDeleted, &in)
	if err != nil {
		return err
	}
	userID, err := parseID("user_id", in.UserID)
	if err != nil {
		return bad(e, err)
	}
	_, err = h.store.PurgeUser(ctx, ev, userID)
	return err
}

func ids(sourceID, userID string) (uuid.UUID, uuid.UUID, error) {
	s, err := parseID("id", sourceID)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	u, err := parseID("user_id", userID)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	return s, u, nil
}

func parseID(field, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, fmt.Errorf("%s %q is not a UUID", field, s)
	}
	return id, nil
}
