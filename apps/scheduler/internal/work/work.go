// Package work is the scheduler's due work: one item per (kind, source),
// due at the instant of its next occurrence, and the policy the sweep
// applies to an item that has come due.
package work

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/schedule"
)

// Kind is what an item mails about; it is also notification.requested's kind.
type Kind string

// Kinds.
const (
	LetterOpened    Kind = "letter_opened"
	RoutineReminder Kind = "routine_reminder"
	SpecialDate     Kind = "special_date"
)

// State is where an item stands.
type State string

// States. Done and cancelled rows are kept as tombstones, so a late or
// republished event cannot bring the work back.
const (
	Pending   State = "pending"
	Done      State = "done"
	Cancelled State = "cancelled"
)

// TopicNotificationRequested is the topic the sweep publishes to.
const TopicNotificationRequested = "notification.requested"

// ErrInvalid marks an event that cannot become work.
var ErrInvalid = errors.New("invalid work")

// Item is one row of due work. Build one with NewLetter or NewRecurring,
// or Restore it from storage; it never changes after.
type Item struct {
	kind     Kind
	sourceID uuid.UUID
	userID   uuid.UUID
	// dueAt is the instant of occurrence, in UTC.
	dueAt time.Time
	// occurrence names the occurrence due: a letter's open instant (RFC
	// 3339), a routine's or special date's local date (YYYY-MM-DD).
	occurrence string
	state      State
	// schedule is nil for letters, which happen once.
	schedule *schedule.Schedule
	// data is what the mail needs: never a letter's content.
	data map[string]any
	// version orders updates: the source's updated_at.
	version time.Time
}

// Restore rebuilds an item read from storage (sched nil for a letter).
func Restore(kind Kind, sourceID, userID uuid.UUID, state State, dueAt time.Time, occurrence string,
	sched *schedule.Schedule, data map[string]any) Item {
	return Item{kind: kind, sourceID: sourceID, userID: userID, state: state, dueAt: dueAt.UTC(),
		occurrence: occurrence, schedule: sched, data: data}
}

// The item's parts.
func (it Item) Kind() Kind                   { return it.kind }
func (it Item) SourceID() uuid.UUID          { return it.sourceID }
func (it Item) UserID() uuid.UUID            { return it.userID }
func (it Item) DueAt() time.Time             { return it.dueAt }
func (it Item) Occurrence() string           { return it.occurrence }
func (it Item) State() State                 { return it.state }
func (it Item) Schedule() *schedule.Schedule { return it.schedule }
func (it Item) Data() map[string]any         { return it.data }
func (it Item) Version() time.Time           { return it.version }

// NewLetter is the "your letter is open" work for a letter.
// The mail names the letter by the day it was written (its title is letter
// text, which stays in letter-service).
func NewLetter(letterID, userID uuid.UUID, openAt, writtenAt time.Time) (Item, error) {
	if openAt.IsZero() {
		return Item{}, fmt.Errorf("%w: letter without open_at", ErrInvalid)
	}
	openAt = openAt.UTC()
	occ := openAt.Format(time.RFC3339)
	return Item{
		kind: LetterOpened, sourceID: letterID, userID: userID,
		dueAt: openAt, occurrence: occ, state: Pending,
		data: map[string]any{"written_at": writtenAt.UTC().Format(time.RFC3339), "open_at": occ},
	}, nil
}

// NewRecurring is a routine's or special date's work with its next
// occurrence after version (when the user saved it), or after now when
// that is earlier (a clock ahead). Not after now: an event delayed by a
// fault (a broker or a scheduler down for a minute) must not skip the
// occurrence that was still ahead when the user saved it; the sweep's
// catch-up window decides whether a late one is still sent. A one-off
// special date that has passed is Done.
func NewRecurring(kind Kind, sourceID, userID uuid.UUID, s schedule.Schedule, data map[string]any, version, now time.Time) Item {
	it := Item{kind: kind, sourceID: sourceID, userID: userID, schedule: &s, data: data, version: version, state: Pending}
	from := now
	if !version.IsZero() && version.Before(now) {
		from = version
	}
	if o, ok := s.Next(from); ok {
		it.dueAt, it.occurrence = o.At, o.Key
	} else {
		// Nothing left to send; keep the row so a late event changes nothing.
		it.dueAt, it.occurrence, it.state = now, "", Done
	}
	return it
}

// sourceKey names the source's id in a request's data, per kind.
var sourceKey = map[Kind]string{
	LetterOpened:    "letter_id",
	RoutineReminder: "routine_id",
	SpecialDate:     "special_date_id",
}

// Request is notification.requested's payload.
type Request struct {
	// ID is the idempotency key: kind:source_id:occurrence.
	ID     string         `json:"id"`
	UserID string         `json:"user_id"`
	Kind   Kind           `json:"kind"`
	Data   map[string]any `json:"data"`
}

// RequestID is the idempotency key of one occurrence of an item.
func RequestID(kind Kind, sourceID uuid.UUID, occurrence string) string {
	return string(kind) + ":" + sourceID.String() + ":" + occurrence
}

// Outcome is what the sweep does with a due item, all in one transaction.
type Outcome struct {
	// Send, when set, is published through the outbox.
	Send *Request
	// Skipped is set when the occurrence was older than the catch-up
	// window and is not sent.
	Skipped bool
	// Next is the occurrence the item moves to; nil marks it Done.
	Next *schedule.Occurrence
}

// Plan decides what to do with it, due at or before now. Letters are
// always sent, however late: opening mail is the product's promise.
// Recurring occurrences older than window are skipped (a reminder to write
// today is noise tomorrow) and the item moves past them; younger ones are
// sent once. The next occurrence is strictly after the one handled, so
// every occurrence is handled at most once.
func Plan(it Item, now time.Time, window time.Duration) Outcome {
	var out Outcome
	stale := it.kind != LetterOpened && now.Sub(it.dueAt) > window
	if stale {
		out.Skipped = true
	} else {
		data := make(map[string]any, len(it.data)+1)
		for k, v := range it.data {
			data[k] = v
		}
		if it.kind != LetterOpened {
			data["date"] = it.occurrence
		}
		// The mail links to its source (notification-service's contract).
		data[sourceKey[it.kind]] = it.sourceID.String()
		out.Send = &Request{
			ID:     RequestID(it.kind, it.sourceID, it.occurrence),
			UserID: it.userID.String(),
			Kind:   it.kind,
			Data:   data,
		}
	}
	if it.schedule == nil {
		return out
	}
	after := it.dueAt
	if stale {
		// Skip every occurrence already out of the window at once; one still
		// inside it comes due again and is sent in the next batch.
		after = maxTime(after, now.Add(-window))
	}
	if o, ok := it.schedule.Next(after); ok {
		out.Next = &o
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
