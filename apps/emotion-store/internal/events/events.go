// Package events is emotion-store-service's subscriptions: analyses from
// emotion-ml, deleted letters from letter-service, deleted users from
// auth-service. Each decodes its payload and calls a use case; a payload
// that can never apply is dropped, anything else is retried.
package events

import (
	"context"
	"errors"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/daprx"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/app"
	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
)

// Topics this service consumes.
const (
	TopicEmotionAnalyzed = "emotion.analyzed"
	TopicLetterDeleted   = "letter.deleted"
	TopicUserDeleted     = "user.deleted"
)

// Handlers turn events into use cases.
type Handlers struct{ svc *app.Service }

// New returns the handlers over svc.
func New(svc *app.Service) *Handlers { return &Handlers{svc: svc} }

// analyzedEvent is emotion.analyzed as emotion-ml publishes it; scores and
// analyzer are not needed here.
type analyzedEvent struct {
	LetterID     string    `json:"letter_id"`
	UserID       string    `json:"user_id"`
	WrittenAt    time.Time `json:"written_at"`
	Mood         string    `json:"mood"`
	DetailedMood *string   `json:"detailed_mood"`
	AnalyzedAt   time.Time `json:"analyzed_at"`
	JobID        *string   `json:"job_id"`
}

// EmotionAnalyzed stores a letter's analysis.
func (h *Handlers) EmotionAnalyzed(ctx context.Context, e daprx.Event) error {
	var ev analyzedEvent
	if err := e.Decode(&ev); err != nil {
		return err
	}
	a := app.Analyzed{LetterID: ev.LetterID, UserID: ev.UserID, Mood: ev.Mood, WrittenAt: ev.WrittenAt, AnalyzedAt: ev.AnalyzedAt}
	if ev.DetailedMood != nil {
		a.Detailed = *ev.DetailedMood
	}
	if ev.JobID != nil {
		a.JobID = *ev.JobID
	}
	return verdict(h.svc.ApplyAnalysis(ctx, a))
}

// LetterDeleted forgets the letter's analysis.
func (h *Handlers) LetterDeleted(ctx context.Context, e daprx.Event) error {
	var ev struct {
		LetterID string `json:"letter_id"`
		UserID   string `json:"user_id"`
	}
	if err := e.Decode(&ev); err != nil {
		return err
	}
	return verdict(h.svc.RemoveLetter(ctx, ev.UserID, ev.LetterID))
}

// UserDeleted purges everything of the user.
func (h *Handlers) UserDeleted(ctx context.Context, e daprx.Event) error {
	var ev struct {
		UserID string `json:"user_id"`
	}
	if err := e.Decode(&ev); err != nil {
		return err
	}
	return verdict(h.svc.PurgeUser(ctx, ev.UserID))
}

// verdict drops poison (a payload the domain refuses) and retries the rest.
func verdict(err error) error {
	if errors.Is(err, emotion.ErrInvalid) {
		return daprx.Drop(err)
	}
	return err
}
