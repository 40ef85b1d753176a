package emotion

import (
	"context"
	"errors"
	"time"
)

// Store keeps one Record per user.
type Store interface {
	// Record reads userID's record; a user nothing is known about has an
	// empty one.
	Record(ctx context.Context, userID string) (*Record, error)
	// Update reads userID's record, calls change on it and saves it when
	// change reports a change. On a concurrent write it reads again and
	// calls change again, so change must depend on the record only.
	Update(ctx context.Context, userID string, change func(*Record) (bool, error)) error
	// Running lists the users with a re-analysis that was running, by
	// job id, so a restarted service resumes them.
	Running(ctx context.Context) (map[string]string, error)
	// SetRunning adds (running true) or removes a user's job in that list.
	SetRunning(ctx context.Context, userID, jobID string, running bool) error
}

// Letters lists a user's letters (letter-service).
type Letters interface {
	List(ctx context.Context, userID string) ([]string, error)
}

// Analyzer asks for a letter's re-analysis on behalf of a job
// (emotion-ml-service); the result arrives later as an event.
type Analyzer interface {
	Analyze(ctx context.Context, letterID, userID, jobID string) error
}

// ErrLetterGone: the letter no longer exists.
var ErrLetterGone = errors.New("letter gone")

// ErrPermanent marks a refusal that trying again cannot change.
var ErrPermanent = errors.New("permanent failure")

// Profile is what the statistics need to know about a user.
type Profile struct {
	Location *time.Location
	Locale   string
}

// Profiles looks a user's zone and language up (user-service).
type Profiles interface {
	Profile(ctx context.Context, userID string) (Profile, error)
}
