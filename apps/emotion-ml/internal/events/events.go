// Package events is emotion-ml-service's pub/sub glue: the events it reads
// (letter.created, letter.deleted, user.deleted) and the one it writes
// (emotion.analyzed), each as its own small struct.
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/emotion"
)

// Topics.
const (
	LetterCreated   = "letter.created"
	LetterDeleted   = "letter.deleted"
	UserDeleted     = "user.deleted"
	EmotionAnalyzed = "emotion.analyzed"
)

// Analyzed is the emotion.analyzed payload (architecture.md's events table).
type Analyzed struct {
	LetterID   string             `json:"letter_id"`
	UserID     string             `json:"user_id"`
	WrittenAt  time.Time          `json:"written_at"`
	Mood       string             `json:"mood"`
	Detailed   *string            `json:"detailed_mood"`
	Scores     map[string]float64 `json:"scores"`
	Analyzer   string             `json:"analyzer"`
	Fallback   string             `json:"fallback,omitempty"`
	AnalyzedAt time.Time          `json:"analyzed_at"`
	JobID      *string            `json:"job_id"`
}

// OfAnalysis is the event a recorded analysis publishes.
func OfAnalysis(a emotion.Analysis) (string, any) {
	e := Analyzed{
		LetterID: a.LetterID.String(), UserID: a.UserID.String(), WrittenAt: a.WrittenAt.UTC(),
		Mood: a.Verdict.Mood, Scores: a.Verdict.Scores, Analyzer: a.Verdict.Analyzer,
		Fallback: a.Verdict.Fallback, AnalyzedAt: a.AnalyzedAt.UTC(),
	}
	if a.Verdict.Detailed != "" {
		d := a.Verdict.Detailed
		e.Detailed = &d
	}
	if a.JobID != nil {
		j := a.JobID.String()
		e.JobID = &j
	}
	return EmotionAnalyzed, e
}

// Subscribe declares the service's subscriptions.
func Subscribe(subs *daprx.Subscriptions, svc *emotion.Service, log *slog.Logger) {
	subs.Handle(LetterCreated, func(ctx context.Context, e daprx.Event) error {
		var p struct {
			LetterID uuid.UUID `json:"letter_id"`
			UserID   uuid.UUID `json:"user_id"`
		}
		if err := e.Decode(&p); err != nil {
			return err
		}
		err := svc.Analyze(ctx, emotion.Request{LetterID: p.LetterID, UserID: p.UserID})
		if tombstone.IsGone(err) {
			log.InfoContext(ctx, "analysis dropped: the account is deleted", "user_id", p.UserID)
			return nil
		}
		return classify(err)
	})
	subs.Handle(LetterDeleted, func(ctx context.Context, e daprx.Event) error {
		var p struct {
			LetterID uuid.UUID `json:"letter_id"`
		}
		if err := e.Decode(&p); err != nil {
			return err
		}
		return svc.ForgetLetter(ctx, p.LetterID)
	})
	subs.Handle(UserDeleted, func(ctx context.Context, e daprx.Event) error {
		var p struct {
			UserID uuid.UUID `json:"user_id"`
		}
		if err := e.Decode(&p); err != nil {
			return err
		}
		return svc.ForgetUser(ctx, p.UserID)
	})
}

// classify maps the use case's errors onto Dapr's answers: a letter that is
// gone or a request that can never work is dropped; anything else (letter
// service unreachable, database down) is retried.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, emotion.ErrLetterGone), errors.Is(err, emotion.ErrInvalid):
		return daprx.Drop(fmt.Errorf("nothing to analyse: %w", err))
	default:
		return err
	}
}
