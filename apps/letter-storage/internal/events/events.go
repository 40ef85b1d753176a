// Package events is letter-storage-service's pub/sub side: it forgets the
// images of deleted letters and deleted accounts.
package events

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
)

// Topics consumed.
const (
	LetterDeleted = "letter.deleted"
	UserDeleted   = "user.deleted"
)

// Purger deletes images with their objects; both calls are idempotent.
type Purger interface {
	PurgeLetter(ctx context.Context, letterID, eventID string) error
	PurgeUser(ctx context.Context, userID string) error
}

// Register subscribes the handlers. A handler's plain error asks Dapr to
// retry (bucket or database briefly away); a payload without valid ids is
// dropped: no retry can fix it.
func Register(subs *daprx.Subscriptions, p Purger) {
	subs.Handle(LetterDeleted, func(ctx context.Context, e daprx.Event) error {
		var m struct {
			LetterID string `json:"letter_id"`
			UserID   string `json:"user_id"`
		}
		if err := e.Decode(&m); err != nil {
			return err
		}
		if uuid.Validate(m.LetterID) != nil {
			return daprx.Drop(fmt.Errorf("%s %s: letter_id %q is not a uuid", e.Topic, e.ID, m.LetterID))
		}
		return p.PurgeLetter(ctx, m.LetterID, e.ID)
	})
	subs.Handle(UserDeleted, func(ctx context.Context, e daprx.Event) error {
		var m struct {
			UserID string `json:"user_id"`
		}
		if err := e.Decode(&m); err != nil {
			return err
		}
		if uuid.Validate(m.UserID) != nil {
			return daprx.Drop(fmt.Errorf("%s %s: user_id %q is not a uuid", e.Topic, e.ID, m.UserID))
		}
		return p.PurgeUser(ctx, m.UserID)
	})
}
