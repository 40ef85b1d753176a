package profile

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/delivery"
)

// Store keeps profiles; internal/postgres implements it. The event-driven
// writes claim their delivery in the same transaction as the change and
// report false for a delivery seen before.
type Store interface {
	Get(ctx context.Context, userID uuid.UUID) (Profile, error)
	// Update applies change to the current profile inside one transaction.
	Update(ctx context.Context, userID uuid.UUID, change func(Profile) (Profile, error)) (Profile, error)
	Create(ctx context.Context, ev delivery.Ref, p Profile) (bool, error)
	ChangeEmail(ctx context.Context, ev delivery.Ref, userID uuid.UUID, email string, at time.Time) (bool, error)
	Purge(ctx context.Context, ev delivery.Ref, userID uuid.UUID) (bool, error)
}
