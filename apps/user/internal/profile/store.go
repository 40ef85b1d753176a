package profile

import (
	"context"
	"errors"
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

// Avatars keeps profile pictures: letter-storage-service, which holds the
// uploads. Claim makes imageID (nil: none) the user's picture, deleting the
// previous one; ErrNotYourImage when the image is not the user's own,
// loose upload.
type Avatars interface {
	Claim(ctx context.Context, userID uuid.UUID, imageID *uuid.UUID) error
}

// ErrNotYourImage: the avatar named is someone else's, gone, or on a letter.
var ErrNotYourImage = errors.New("not one of your images")
