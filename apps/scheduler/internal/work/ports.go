package work

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/delivery"
)

// Store keeps due work; internal/postgres implements it. The event-driven
// writes claim their delivery in the same transaction as the change and
// report false for a delivery seen before.
type Store interface {
	ScheduleLetter(ctx context.Context, ev delivery.Ref, it Item) (bool, error)
	UpsertRecurring(ctx context.Context, ev delivery.Ref, it Item) (bool, error)
	Cancel(ctx context.Context, ev delivery.Ref, kind Kind, sourceID, userID uuid.UUID, now time.Time) (bool, error)
	PurgeUser(ctx context.Context, ev delivery.Ref, userID uuid.UUID) (bool, error)

	// SweepBatch claims up to limit pending items due at or before now,
	// skipping items another sweeper holds, and for each records plan's
	// request and moves it on, all at once: an occurrence is requested
	// once however many sweepers run.
	SweepBatch(ctx context.Context, now time.Time, limit int, plan Planner) (Batch, error)
	Stats(ctx context.Context, now time.Time) (Stats, error)
}

// Planner decides what to do with a due item (Plan, bound to a clock
// reading and a catch-up window).
type Planner func(Item) Outcome

// Batch is what one SweepBatch did.
type Batch struct {
	Claimed int
	// Sent are the idempotency keys of the requests enqueued.
	Sent    []string
	Skipped int
}

// Stats is the backlog as of a moment.
type Stats struct {
	// Pending counts scheduled work not yet sent, due or not.
	Pending int64
	// Due counts pending work due now.
	Due int64
	// OldestDueAge is how long the oldest due item has waited; 0 if none.
	OldestDueAge time.Duration
}
