// Package letter is the domain of letter-service: a letter written to one's
// future self, its validation, its open time in the writer's timezone and
// the seal that keeps it closed until then.
package letter

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Sentinel errors, mapped to HTTP answers in one place (httpapi).
var (
	// ErrNotFound: no such letter, or not the caller's (the same answer on
	// purpose: another user's letter must not be distinguishable).
	ErrNotFound = errors.New("letter not found")
	// ErrSealed: the letter exists but its open time has not come.
	ErrSealed = errors.New("letter is sealed")
	// ErrInvalid: the input broke a rule; see ValidationError.
	ErrInvalid = errors.New("invalid letter")
)

// ValidationError lists every invalid field with a message for the writer.
type ValidationError map[string]string

func (v ValidationError) Error() string {
	keys := slices.Sorted(maps.Keys(v))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+v[k])
	}
	return "invalid letter: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (v ValidationError) Is(target error) bool { return target == ErrInvalid }

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
	openDate     Date
	openTime     Clock
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
	OpenDate     Date
	OpenTime     Clock
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

func (l Letter) ID() uuid.UUID         { return l.id }
func (l Letter) UserID() uuid.UUID     { return l.userID }
func (l Letter) Title() string         { return l.title }
func (l Letter) OpenDate() Date        { return l.openDate }
func (l Letter) OpenTime() Clock       { return l.openTime }
func (l Letter) OpenAt() time.Time     { return l.openAt }
func (l Letter) Timezone() string      { return l.timezone }
func (l Letter) CreatedAt() time.Time  { return l.createdAt }
func (l Letter) ImageCount() int       { return len(l.imageIDs) }
func (l Letter) ImageIDs() []uuid.UUID { return slices.Clone(l.imageIDs) }

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
