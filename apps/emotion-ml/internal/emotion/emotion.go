// Package emotion is emotion-ml-service's domain: what an analysis of a
// letter is, the ports it needs (the letter's text, an analyzer, a store
// that records a result and its event at once) and the use case that ties
// them together. Letter text passes through here and goes nowhere else: it
// is never stored, logged or published.
package emotion

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/analyzer"
)

// Sentinel errors of the domain.
var (
	// ErrLetterGone: the letter no longer exists (deleted, or its writer
	// deleted the account). Nothing is left to analyse.
	ErrLetterGone = errors.New("letter gone")
	// ErrInvalid: a request that can never be processed.
	ErrInvalid = errors.New("invalid analysis request")
)

// Text is what the analyzers read: a letter's title and content, and when
// it was written (the statistics are by the moment of writing).
type Text struct {
	Title     string
	Content   string
	WrittenAt time.Time
}

// Verdict is what an analyzer decided.
type Verdict struct {
	Mood     string
	Detailed string // "" for neutral
	Scores   map[string]float64
	// Analyzer names who decided, e.g. "embedded-1" or "model:gpt-4o-mini".
	Analyzer string
	// Fallback says why the embedded analyzer stood in for a configured
	// model ("" when the model decided or none is configured).
	Fallback string
}

// NewVerdict checks a verdict against the mood set: a known mood, a
// sub-mood of that mood (none for neutral), a score for every mood. Scores
// are normalised to sum 1. Every verdict, the embedded analyzer's or a
// model's, goes through here.
func NewVerdict(mood, detailed string, scores map[string]float64, by string) (Verdict, error) {
	if !analyzer.Valid(mood, detailed) {
		return Verdict{}, fmt.Errorf("mood %q with sub-mood %q is not in the mood set", mood, detailed)
	}
	if by == "" {
		return Verdict{}, errors.New("a verdict names its analyzer")
	}
	sum := 0.0
	norm := make(map[string]float64, len(analyzer.Moods))
	for _, m := range analyzer.Moods {
		v, ok := scores[m]
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return Verdict{}, fmt.Errorf("score of %q missing or not a non-negative number", m)
		}
		norm[m] = v
		sum += v
	}
	if len(scores) != len(analyzer.Moods) {
		return Verdict{}, fmt.Errorf("scores name %d moods, want %d", len(scores), len(analyzer.Moods))
	}
	if sum <= 0 {
		return Verdict{}, errors.New("scores sum to zero")
	}
	for m := range norm {
		norm[m] /= sum
	}
	return Verdict{Mood: mood, Detailed: detailed, Scores: norm, Analyzer: by}, nil
}

// Request asks for one letter to be analysed. JobID is set when a
// re-analysis asked for it; a result with a job id replaces the letter's
// earlier one downstream.
type Request struct {
	LetterID uuid.UUID
	UserID   uuid.UUID
	JobID    *uuid.UUID
}

// Analysis is a recorded result: the verdict for one request.
type Analysis struct {
	Request
	WrittenAt  time.Time
	Verdict    Verdict
	AnalyzedAt time.Time
}

// Letters reads a letter's text from its owner (letter-service).
type Letters interface {
	// Text returns ErrLetterGone when the letter no longer exists; any
	// other error is transient.
	Text(ctx context.Context, letterID uuid.UUID) (Text, error)
}

// Analyzer reads a text and decides its mood.
type Analyzer interface {
	Analyze(ctx context.Context, t Text) (Verdict, error)
}

// Store records analyses.
type Store interface {
	// Done reports whether req has already been analysed.
	Done(ctx context.Context, req Request) (bool, error)
	// Record stores a and, in the same transaction, the emotion.analyzed
	// event. Recording the same request twice records it once.
	Record(ctx context.Context, a Analysis) error
	// ForgetLetter and ForgetUser purge what is kept of a letter or user.
	ForgetLetter(ctx context.Context, letterID uuid.UUID) error
	ForgetUser(ctx context.Context, userID uuid.UUID) error
}

// Clock is the service's time.
type Clock interface{ Now() time.Time }
