// Package events is notification-service's pub/sub glue: it decodes
// notification.requested and user.deleted, drops what can never be
// processed, and hands the rest to the domain and the store.
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

// Topics this service consumes.
const (
	TopicRequested   = "notification.requested"
	TopicUserDeleted = "user.deleted"
)

// Deliverer handles one validated request (notify.Service does).
type Deliverer interface {
	Handle(ctx context.Context, req notify.Request) error
}

// Purger forgets a user's history.
type Purger interface {
	DeleteUser(ctx context.Context, userID string) (int64, error)
}

// Handlers turns events into domain calls.
type Handlers struct {
	deliver Deliverer
	purge   Purger
	log     *slog.Logger
}

// New returns the handlers.
func New(d Deliverer, p Purger, log *slog.Logger) *Handlers {
	return &Handlers{deliver: d, purge: p, log: log}
}

// Subscribe lists the topics this service consumes (POST /events/<topic>,
// from the sidecar only).
func (h *Handlers) Subscribe(subs *daprx.Subscriptions) {
	subs.Handle(TopicRequested, h.Requested)     // from scheduler-service
	subs.Handle(TopicUserDeleted, h.UserDeleted) // from auth-service
}

// requested is notification.requested as the scheduler publishes it. data
// holds the members of one kind; anything else it carries (open_at, or a
// letter's content if it were ever sent along) is ignored and never
// reaches a mail.
type requested struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	Kind   string `json:"kind"`
	Data   struct {
		LetterID      string `json:"letter_id"`
		Title         string `json:"title"`
		WrittenAt     string `json:"written_at"`
		RoutineID     string `json:"routine_id"`
		SpecialDateID string `json:"special_date_id"`
		Name          string `json:"name"`
		Date          string `json:"date"`
	} `json:"data"`
}

// Requested delivers one notification, exactly once per payload id (not
// per CloudEvent id: the scheduler may publish one occurrence twice).
func (h *Handlers) Requested(ctx context.Context, e daprx.Event) error {
	var in requested
	if err := e.Decode(&in); err != nil {
		return err
	}
	req, err := notify.NewRequest(in.ID, in.UserID, notify.Kind(in.Kind), notify.Data{
		LetterID: in.Data.LetterID, Title: in.Data.Title, WrittenAt: in.Data.WrittenAt,
		RoutineID: in.Data.RoutineID, SpecialDateID: in.Data.SpecialDateID, Name: in.Data.Name, Date: in.Data.Date,
	})
	if err != nil {
		return daprx.Drop(fmt.Errorf("event %s: %w", e.ID, err))
	}
	err = h.deliver.Handle(ctx, req)
	if tombstone.IsGone(err) {
		h.log.InfoContext(ctx, "notification dropped: the account is deleted", "notification_id", req.ID, "user_id", req.UserID)
		return nil
	}
	if errors.Is(err, notify.ErrBusy) {
		h.log.DebugContext(ctx, "notification is being sent by another delivery; retry later", "notification_id", req.ID)
	}
	return err
}

type userDeleted struct {
	UserID string `json:"user_id"`
}

// UserDeleted forgets the user's notification history.
func (h *Handlers) UserDeleted(ctx context.Context, e daprx.Event) error {
	var in userDeleted
	if err := e.Decode(&in); err != nil {
		return err
	}
	id, err := uuid.Parse(in.UserID)
	if err != nil {
		return daprx.Drop(fmt.Errorf("event %s: user_id must be a UUID", e.ID))
	}
	n, err := h.purge.DeleteUser(ctx, id.String())
	if err != nil {
		return err
	}
	h.log.InfoContext(ctx, "notification history purged", "user_id", id.String(), "rows", n)
	return nil
}
