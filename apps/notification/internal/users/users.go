// Package users looks recipients up on user-service at send time, through
// the platform's contact lookup, so mail goes to the account's current
// address, name and language. It implements notify.Contacts.
package users

import (
	"context"
	"errors"

	"github.com/lettertomyself/ltm/apps/platform/contact"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

// Client implements notify.Contacts.
type Client struct {
	lookup *contact.Client
}

// New returns a client over the platform's contact lookup.
func New(lookup *contact.Client) *Client { return &Client{lookup: lookup} }

// Contact returns userID's contact, notify.ErrUserNotFound when the
// account has no profile (only user-service's profile-not-found says so:
// anything else is an error worth retrying, not a reason to skip someone's
// mail for good).
func (c *Client) Contact(ctx context.Context, userID string) (notify.Contact, error) {
	ct, err := c.lookup.Lookup(ctx, userID)
	if errors.Is(err, contact.ErrNoProfile) {
		return notify.Contact{}, notify.ErrUserNotFound
	}
	if err != nil {
		return notify.Contact{}, err
	}
	return notify.Contact{
		UserID: ct.UserID, Email: ct.Email, Nickname: ct.Nickname, Locale: ct.Locale, Timezone: ct.Timezone,
		Notifications: notify.Preferences{
			LetterOpened:    ct.Notifications.LetterOpened,
			RoutineReminder: ct.Notifications.RoutineReminder,
			SpecialDate:     ct.Notifications.SpecialDate,
		},
	}, nil
}
