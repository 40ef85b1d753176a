package emotion

import (
	"fmt"
	"time"
)

// Result is one letter's analysis as the statistics need it.
type Result struct {
	letterID   string
	mood       Mood
	detailed   string
	writtenAt  time.Time
	analyzedAt time.Time
	jobID      string
}

// NewResult validates an analysis: a letter id, a known mood with a
// sub-mood of that mood ("" only for neutral), the moment the letter was
// written and the moment it was analysed. jobID is "" unless a
// re-analysis asked for it.
func NewResult(letterID, mood, detailed string, writtenAt, analyzedAt time.Time, jobID string) (Result, error) {
	if letterID == "" {
		return Result{}, fmt.Errorf("%w: a result needs a letter id", ErrInvalid)
	}
	m, err := ParseMood(mood)
	if err != nil {
		return Result{}, err
	}
	if err := checkDetailed(m, detailed); err != nil {
		return Result{}, err
	}
	if writtenAt.IsZero() || analyzedAt.IsZero() {
		return Result{}, fmt.Errorf("%w: a result needs written_at and analyzed_at", ErrInvalid)
	}
	return Result{letterID: letterID, mood: m, detailed: detailed, writtenAt: writtenAt.UTC(), analyzedAt: analyzedAt.UTC(), jobID: jobID}, nil
}

// LetterID is the analysed letter.
func (r Result) LetterID() string { return r.letterID }

// Mood is the letter's mood.
func (r Result) Mood() Mood { return r.mood }

// Detailed is the sub-mood, "" for neutral.
func (r Result) Detailed() string { return r.detailed }

// WrittenAt is when the letter was written: statistics count it then.
func (r Result) WrittenAt() time.Time { return r.writtenAt }

// AnalyzedAt orders results of the same letter: the later one wins.
func (r Result) AnalyzedAt() time.Time { return r.analyzedAt }

// JobID is the re-analysis that asked for this result, or "".
func (r Result) JobID() string { return r.jobID }
