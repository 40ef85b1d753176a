package routine

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store keeps routines and special dates; internal/postgres implements it.
// Writes also record, in the same transaction, the event that tells the
// scheduler; timezone is the owner's zone at the time of the write.
// Unknown items, and other users' items, are ErrNotFound.
type Store interface {
	ListRoutines(ctx context.Context, userID uuid.UUID) ([]Routine, error)
	GetRoutine(ctx context.Context, userID, id uuid.UUID) (Routine, error)
	CreateRoutine(ctx context.Context, r Routine, timezone string) error
	UpdateRoutine(ctx context.Context, userID, id uuid.UUID, timezone string, change func(Routine) (Routine, error)) (Routine, error)
	DeleteRoutine(ctx context.Context, userID, id uuid.UUID) error

	ListSpecialDates(ctx context.Context, userID uuid.UUID) ([]SpecialDate, error)
	GetSpecialDate(ctx context.Context, userID, id uuid.UUID) (SpecialDate, error)
	CreateSpecialDate(ctx context.Context, d SpecialDate, timezone string) error
	UpdateSpecialDate(ctx context.Context, userID, id uuid.UUID, timezone string, change func(SpecialDate) (SpecialDate, error)) (SpecialDate, error)
	DeleteSpecialDate(ctx context.Context, userID, id uuid.UUID) error
}

// Zones tells a user's timezone: the platform's contact lookup is one. A
// user without a profile yet is in the default zone; a lookup that fails
// is an error, never a guessed zone.
type Zones interface {
	Zone(ctx context.Context, userID string) (*time.Location, error)
}
