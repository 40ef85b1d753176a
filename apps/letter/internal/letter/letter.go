// Package letter is the domain of letter-service: a letter written to one's
// future self, its validation, its open time in the writer's timezone and
// the seal that keeps it closed until then.
package letter

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

// Sentinel errors, mapped to HTTP answers in one place (httpapi).
var (
	// ErrNotFound: no such letter, or not the caller's (the same answer on
	// purpose: another user's letter must not be distinguishable).
	ErrNotFound = errors.New("letter not found")
	// ErrSealed: the letter exists but its open time has not come.
	ErrSealed = errors.New("letter is sealed")
	// ErrUnavailable: a service this needs (user-service for the zone,
	// letter-storage for images) could not answer; the request fails
	// rather than guessing.
	ErrUnavailable = errors.New("a service this needs is unavailable")
	// ErrImagesRejected: letter-storage refused the image ids (not the
	// writer's, already attached, unknown); see ImagesError.
	ErrImagesRejected = errors.New("images rejected")
)

// ImagesError is ErrImagesRejected with letter-storage's explanation.
type ImagesError struct{ Message string }

func (e *ImagesError) Error() string { return "images rejected: " + e.Message }

// Unwrap makes errors.Is(err, ErrImagesRejected) true.
func (e *ImagesError) Unwrap() error { return ErrImagesRejected }

// SealedError is ErrSealed with the moment the letter opens.
type SealedError struct {
	OpenAt time.Time
}

func (e *SealedError) Error() string {
	return fmt.Sprintf("letter is sealed until %s", e.OpenAt.UTC().Format(time.RFC3339))
}

// Unwrap makes errors.Is(err, ErrSealed) true.
func (e *SealedError) Unwrap() error { return ErrSealed }

// Letter is one letter. Its fields are private: a Letter is either built
// by New (validated) or restored from storage, and never changes after.
type Letter struct {
	id           uuid.UUID
	userID       uuid.UUID
	title        string
	content      string
	openDate     wallclock.Date
	openTime     wallclock.TimeOfDay
	openAt       time.Time
	timezone     string
	imageIDs     []uuid.UUID
	createdAt    time.Time
	mood         *string
	detailedMood *string
}

// Snapshot is a Letter's state as storage holds it (plaintext: the store
// decrypts before restoring). Content is empty when not loaded.
type Snapshot struct {
	ID           uuid.UUID
	UserID       uuid.UUID
	Title        string
	Content      string
	OpenDate     wallclock.Date
	OpenTime     wallclock.TimeOfDay
	OpenAt       time.Time
	Timezone     string
	ImageIDs     []uuid.UUID
	CreatedAt    time.Time
	Mood         *string
	DetailedMood *string
}

// Restore rebuilds a letter from storage without validating it again: the
// rules it was written under may have changed since.
func Restore(s Snapshot) Letter {
	return Letter{
		id: s.ID, userID: s.UserID, title: s.Title, content: s.Content,
		openDate: s.OpenDate, openTime: s.OpenTime, openAt: s.OpenAt.UTC(), timezone: s.Timezone,
		imageIDs: slices.Clone(s.ImageIDs), createdAt: s.CreatedAt.UTC(),
		mood: s.Mood, detailedMood: s.DetailedMood,
	}
}

// Snapshot returns the letter's state for storage.
func (l Letter) Snapshot() Snapshot {
	return Snapshot{
		ID: l.id, UserID: l.userID, Title: l.title, Content: l.content,
		OpenDate: l.openDate, OpenTime: l.openTime, OpenAt: l.openAt, Timezone: l.timezone,
		ImageIDs: slices.Clone(l.imageIDs), CreatedAt: l.createdAt,
		Mood: l.mood, DetailedMood: l.detailedMood,
	}
}

func (l Letter) ID() uuid.UUID                 { return l.id }
func (l Letter) UserID() uuid.UUID             { return l.userID }
func (l Letter) Title() string                 { return l.title }
func (l Letter) OpenDate() wallclock.Date      { return l.openDate }
func (l Letter) OpenTime() wallclock.TimeOfDay { return l.openTime }
func (l Letter) OpenAt() time.Time             { return l.openAt }
func (l Letter) Timezone() string              { return l.timezone }
func (l Letter) CreatedAt() time.Time          { return l.createdAt }
func (l Letter) ImageCount() int               { return len(l.imageIDs) }
func (l Letter) ImageIDs() []uuid.UUID         { return slices.Clone(l.imageIDs) }

// Sealed reports whether the letter is still closed at now. It opens at
// exactly OpenAt.
func (l Letter) Sealed(now time.Time) bool { return now.Before(l.openAt) }

// Opened is the part of a letter only readable once it is open.
type Opened struct {
	Content      string
	ImageIDs     []uuid.UUID
	Mood         *string
	DetailedMood *string
}

// Open returns the sealed part of the letter, or a *SealedError before its
// open time. This is the only way to the content, images and mood: the
// seal cannot be forgotten by a caller.
func (l Letter) Open(now time.Time) (Opened, error) {
	if l.Sealed(now) {
		return Opened{}, &SealedError{OpenAt: l.openAt}
	}
	return Opened{Content: l.content, ImageIDs: slices.Clone(l.imageIDs), Mood: l.mood, DetailedMood: l.detailedMood}, nil
}
