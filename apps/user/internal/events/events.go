// Package events applies auth-service's account events to profiles:
// user.registered creates one, user.email_changed mirrors the new address,
// user.deleted purges it. Every handler is idempotent: the store claims the
// CloudEvent id in the inbox in the same transaction as the change, and the
// change itself is a no-op when repeated (a manual republish gets a new id).
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/delivery"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

// Topics this service consumes.
const (
	TopicRegistered   = "user.registered"
	TopicEmailChanged = "user.email_changed"
	TopicDeleted      = "user.deleted"
)

// Handlers turns events into store calls.
type Handlers struct {
	store profile.Store
	clock clock.Clock
	log   *slog.Logger
}

// New returns the handlers.
func New(store profile.Store, c clock.Clock, log *slog.Logger) *Handlers {
	return &Handlers{store: store, clock: c, log: log}
}

// gone acknowledges and drops an event for a deleted account
// (tombstone.ErrGone): it changes nothing, and no retry would.
func (h *Handlers) gone(ctx context.Context, e daprx.Event, userID string, err error) error {
	if tombstone.IsGone(err) {
		h.log.InfoContext(ctx, "event dropped: the account is deleted", "topic", e.Topic, "user_id", userID)
		return nil
	}
	return err
}

// Subscribe lists the topics this service consumes: auth-service's
// account events (POST /events/<topic>, from the sidecar only).
func (h *Handlers) Subscribe(subs *daprx.Subscriptions) {
	subs.Handle(TopicRegistered, h.Registered)
	subs.Handle(TopicEmailChanged, h.EmailChanged)
	subs.Handle(TopicDeleted, h.Deleted)
}

// consumer names the inbox slot of this service's handler for topic.
func consumer(topic string) string { return "user-service/" + topic }

func ref(e daprx.Event, topic string) (delivery.Ref, error) {
	r, err := delivery.New(consumer(topic), e.ID)
	if err != nil {
		// Without an id the inbox cannot dedupe; the writes below are
		// idempotent anyway, but an id-less CloudEvent is malformed.
		return delivery.Ref{}, daprx.Drop(err)
	}
	return r, nil
}

type registered struct {
	UserID    string    `json:"user_id"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

// Registered creates the new account's profile with the defaults.
func (h *Handlers) Registered(ctx context.Context, e daprx.Event) error {
	ev, err := ref(e, TopicRegistered)
	if err != nil {
		return err
	}
	var in registered
	if err := e.Decode(&in); err != nil {
		return err
	}
	if in.CreatedAt.IsZero() {
		in.CreatedAt = h.clock.Now()
	}
	p, err := profile.New(in.UserID, in.Username, in.Email, in.CreatedAt)
	if err != nil {
		return daprx.Drop(fmt.Errorf("event %s: %w", e.ID, err))
	}
	_, err = h.store.Create(ctx, ev, p)
	return h.gone(ctx, e, in.UserID, err)
}

type emailChanged struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
}

// EmailChanged mirrors the account's new address, which mail goes to. An
// unknown user is not an error: the profile may have been purged.
func (h *Handlers) EmailChanged(ctx context.Context, e daprx.Event) error {
	ev, err := ref(e, TopicEmailChanged)
	if err != nil {
		return err
	}
	var in emailChanged
	if err := e.Decode(&in); err != nil {
		return err
	}
	id, err := parseUserID(in.UserID)
	if err != nil {
		return daprx.Drop(fmt.Errorf("event %s: %w", e.ID, err))
	}
	email := strings.TrimSpace(in.Email)
	if !strings.Contains(email, "@") {
		return daprx.Drop(fmt.Errorf("event %s: email is not an address", e.ID))
	}
	_, err = h.store.ChangeEmail(ctx, ev, id, email, h.clock.Now())
	return h.gone(ctx, e, in.UserID, err)
}

type deleted struct {
	UserID string `json:"user_id"`
}

// Deleted purges the account's profile.
func (h *Handlers) Deleted(ctx context.Context, e daprx.Event) error {
	ev, err := ref(e, TopicDeleted)
	if err != nil {
		return err
	}
	var in deleted
	if err := e.Decode(&in); err != nil {
		return err
	}
	id, err := parseUserID(in.UserID)
	if err != nil {
		return daprx.Drop(fmt.Errorf("event %s: %w", e.ID, err))
	}
	_, err = h.store.Purge(ctx, ev, id)
	return err
}

var errBadUserID = errors.New("user_id is not a UUID")

func parseUserID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, errBadUserID
	}
	return id, nil
}
