// Package events is recommend-service's pub/sub glue: user.deleted purges
// the user's feedback, history and cached suggestions.
package events

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
)

// TopicUserDeleted is auth-service's account deletion.
const TopicUserDeleted = "user.deleted"

// Purger forgets a user (app.Service does).
type Purger interface {
	Purge(ctx context.Context, userID string) error
}

// Handlers turns events into use-case calls.
type Handlers struct {
	purge Purger
	log   *slog.Logger
}

// New returns the handlers.
func New(p Purger, log *slog.Logger) *Handlers { return &Handlers{purge: p, log: log} }

type userDeleted struct {
	UserID string `json:"user_id"`
}

// UserDeleted forgets the user. A purge of what is already gone succeeds,
// so a redelivered event changes nothing.
func (h *Handlers) UserDeleted(ctx context.Context, e daprx.Event) error {
	var in userDeleted
	if err := e.Decode(&in); err != nil {
		return err
	}
	id, err := uuid.Parse(in.UserID)
	if err != nil {
		return daprx.Drop(fmt.Errorf("event %s: user_id must be a UUID", e.ID))
	}
	if err := h.purge.Purge(ctx, id.String()); err != nil {
		return err
	}
	h.log.InfoContext(ctx, "recommendation data purged", "user_id", id.String())
	return nil
}
