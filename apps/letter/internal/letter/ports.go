package letter

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/delivery"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

// Store keeps letters, encrypted at rest; internal/postgres implements it.
// Create and Delete record letter.created and letter.deleted in the same
// transaction. Unknown letters, and other users' letters, are ErrNotFound.
type Store interface {
	Create(ctx context.Context, l Letter) error
	Get(ctx context.Context, userID, id uuid.UUID) (Letter, error)
	List(ctx context.Context, q Query) ([]Letter, *Cursor, error)
	Delete(ctx context.Context, userID, id uuid.UUID) error
	// Text is a letter's title and content whoever wrote it, for
	// emotion-ml; it never reaches a user.
	Text(ctx context.Context, id uuid.UUID) (Letter, error)
	WrittenBy(ctx context.Context, userID uuid.UUID) ([]Written, error)
	// ApplyAnalysis and DeleteUser apply an event once per delivery.
	ApplyAnalysis(ctx context.Context, ev delivery.Ref, a Analysis) (bool, error)
	DeleteUser(ctx context.Context, ev delivery.Ref, userID uuid.UUID) (int, error)
}

// Zones tells a writer's timezone: the platform's contact lookup is one. A
// writer without a profile yet is in the default zone; a lookup that fails
// is an error, never a guessed zone.
type Zones interface {
	Zone(ctx context.Context, userID string) (*time.Location, error)
}

// Images attaches images to letters in letter-storage-service.
type Images interface {
	// Attach marks images as letterID's, opening at openAt: all of them or
	// none.
	Attach(ctx context.Context, userID, letterID uuid.UUID, images []uuid.UUID, openAt time.Time) error
	// Detach undoes Attach.
	Detach(ctx context.Context, letterID uuid.UUID) error
}

// Cursor is a position in a user's list: the last letter seen.
type Cursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// Query selects a page of a user's letters, newest first.
type Query struct {
	UserID   uuid.UUID
	Category Category
	// Today is the writer's date the category is measured against.
	Today wallclock.Date
	Limit int
	After *Cursor
	// WithContent decrypts the content too (export); the list never
	// needs it.
	WithContent bool
}

// Written is one letter of a user as a re-analysis needs it.
type Written struct {
	LetterID  uuid.UUID `json:"letter_id"`
	WrittenAt time.Time `json:"written_at"`
}

// Analysis is an emotion analysis of one letter.
type Analysis struct {
	LetterID     uuid.UUID
	UserID       uuid.UUID
	Mood         string
	DetailedMood *string
	AnalyzedAt   time.Time
}
