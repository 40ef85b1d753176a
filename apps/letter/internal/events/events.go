// Package events is letter-service's pub/sub surface: the topics and
// payloads it publishes (written to the outbox by the store), and its
// subscriptions: emotion analyses land on letters, and deleted accounts
// take their letters along.
// Each handler claims the event id in its own transaction (package inbox),
// so a redelivered event changes nothing twice.
package events

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/delivery"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
)

// Topics consumed.
const (
	TopicEmotionAnalyzed = "emotion.analyzed"
	TopicUserDeleted     = "user.deleted"
)

// Topics published, through the outbox, by the store's writes.
const (
	TopicCreated = "letter.created"
	TopicDeleted = "letter.deleted"
)

// Created is letter.created's payload: ids and times only. The text never
// travels on the broker (where a dead-lettered copy could live forever)
// nor sits in an outbox row: emotion-ml reads it by invocation, and the
// scheduler never needed it.
type Created struct {
	LetterID  uuid.UUID `json:"letter_id"`
	UserID    uuid.UUID `json:"user_id"`
	OpenAt    string    `json:"open_at"`
	WrittenAt string    `json:"written_at"`
}

// Deleted is letter.deleted's payload.
type Deleted struct {
	LetterID uuid.UUID `json:"letter_id"`
	UserID   uuid.UUID `json:"user_id"`
}

// Store is what the handlers need from storage: part of letter.Store.
type Store interface {
	ApplyAnalysis(ctx context.Context, ev delivery.Ref, a letter.Analysis) (bool, error)
	DeleteUser(ctx context.Context, ev delivery.Ref, userID uuid.UUID) (int, error)
}

// Handlers consume letter-service's subscriptions.
type Handlers struct {
	store Store
	log   *slog.Logger
}

// New returns the handlers.
func New(store Store, log *slog.Logger) *Handlers { return &Handlers{store: store, log: log} }

// Subscribe lists the topics this service consumes (POST /events/<topic>,
// from the sidecar only).
func (h *Handlers) Subscribe(subs *daprx.Subscriptions) {
	subs.Handle(TopicEmotionAnalyzed, h.EmotionAnalyzed) // mood and sub-mood onto the letter
	subs.Handle(TopicUserDeleted, h.UserDeleted)         // purge the user's letters
}

func consumer(topic string) string { return "letter-service/" + topic }

// ref is the inbox key of e for topic's handler; an event without an id
// is malformed (dropped).
func ref(e daprx.Event, topic string) (delivery.Ref, error) {
	r, err := delivery.New(consumer(topic), e.ID)
	if err != nil {
		return delivery.Ref{}, daprx.Drop(err)
	}
	return r, nil
}

type analyzed struct {
	LetterID     string     `json:"letter_id"`
	UserID       string     `json:"user_id"`
	Mood         string     `json:"mood"`
	DetailedMood *string    `json:"detailed_mood"`
	AnalyzedAt   *time.Time `json:"analyzed_at"`
}

// maxMoodLen bounds mood names: they are short labels, not text.
const maxMoodLen = 64

// EmotionAnalyzed stores the mood on the letter. A letter that is gone or
// belongs to someone else is a success: it may have been deleted since.
func (h *Handlers) EmotionAnalyzed(ctx context.Context, e daprx.Event) error {
	var p analyzed
	if err := e.Decode(&p); err != nil {
		return err
	}
	letterID, err1 := uuid.Parse(p.LetterID)
	userID, err2 := uuid.Parse(p.UserID)
	mood := strings.TrimSpace(p.Mood)
	if err := errors.Join(err1, err2); err != nil || mood == "" || utf8.RuneCountInString(mood) > maxMoodLen || e.ID == "" {
		return daprx.Drop(errors.New("emotion.analyzed: needs an event id, letter_id, user_id and a short mood"))
	}
	var detailed *string
	if p.DetailedMood != nil {
		if d := strings.TrimSpace(*p.DetailedMood); d != "" {
			if utf8.RuneCountInString(d) > maxMoodLen {
				return daprx.Drop(errors.New("emotion.analyzed: detailed_mood too long"))
			}
			detailed = &d
		}
	}
	at := time.Unix(0, 0).UTC()
	if p.AnalyzedAt != nil {
		at = p.AnalyzedAt.UTC()
	}
	ev, err := ref(e, TopicEmotionAnalyzed)
	if err != nil {
		return err
	}
	changed, err := h.store.ApplyAnalysis(ctx, ev,
		letter.Analysis{LetterID: letterID, UserID: userID, Mood: mood, DetailedMood: detailed, AnalyzedAt: at})
	if tombstone.IsGone(err) {
		h.log.InfoContext(ctx, "emotion analysis dropped: the account is deleted", "user_id", userID)
		return nil
	}
	if err != nil {
		return err // database trouble: retry
	}
	h.log.DebugContext(ctx, "emotion analysis applied", "letter_id", letterID, "changed", changed)
	return nil
}

type userDeleted struct {
	UserID string `json:"user_id"`
}

// UserDeleted purges the user's letters.
func (h *Handlers) UserDeleted(ctx context.Context, e daprx.Event) error {
	var p userDeleted
	if err := e.Decode(&p); err != nil {
		return err
	}
	userID, err := uuid.Parse(p.UserID)
	if err != nil || e.ID == "" {
		return daprx.Drop(errors.New("user.deleted: needs an event id and a user_id"))
	}
	ev, err := ref(e, TopicUserDeleted)
	if err != nil {
		return err
	}
	n, err := h.store.DeleteUser(ctx, ev, userID)
	if err != nil {
		return err
	}
	h.log.InfoContext(ctx, "user's letters purged", "user_id", userID, "letters", n)
	return nil
}
