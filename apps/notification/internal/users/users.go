// Package users looks recipients up on user-service at send time (GET
// /internal/users/{id}/contact through Dapr service invocation), so mail
// goes to the account's current address, name and language.
package users

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

// AppID is user-service's Dapr app id.
const AppID = "user-service"

// notFoundType is the problem type user-service answers for an account
// without a profile. Only that 404 means "gone": a bare 404 (a missing
// route after a bad deploy) is an error to retry, not a reason to skip
// someone's mail for good.
var notFoundType = problem.TypeURI("profile-not-found")

// Getter performs GET path on app through the sidecar; daprx.Sidecar.Get
// is one.
type Getter func(ctx context.Context, app, path string) ([]byte, error)

// Client implements notify.Contacts.
type Client struct {
	get Getter
}

// New returns a client calling through get.
func New(get Getter) *Client { return &Client{get: get} }

type contactDTO struct {
	UserID        string `json:"user_id"`
	Email         string `json:"email"`
	Nickname      string `json:"nickname"`
	Locale        string `json:"locale"`
	Timezone      string `json:"timezone"`
	Notifications struct {
		LetterOpened    bool `json:"letter_opened"`
		RoutineReminder bool `json:"routine_reminder"`
		SpecialDate     bool `json:"special_date"`
	} `json:"notifications"`
}

// Contact returns userID's contact, notify.ErrUserNotFound when the
// account is gone, or an error worth retrying.
func (c *Client) Contact(ctx context.Context, userID string) (notify.Contact, error) {
	body, err := c.get(ctx, AppID, "/internal/users/"+url.PathEscape(userID)+"/contact")
	var status *daprx.StatusError
	if errors.As(err, &status) && status.Status == http.StatusNotFound {
		var p struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(status.Body, &p) == nil && p.Type == notFoundType {
			return notify.Contact{}, notify.ErrUserNotFound
		}
		return notify.Contact{}, fmt.Errorf("contact lookup: 404 without %s: %w", notFoundType, err)
	}
	if err != nil {
		return notify.Contact{}, fmt.Errorf("contact lookup: %w", err)
	}
	var dto contactDTO
	if err := json.Unmarshal(body, &dto); err != nil {
		return notify.Contact{}, fmt.Errorf("contact lookup: decode: %w", err)
	}
	return notify.Contact{
		UserID: dto.UserID, Email: dto.Email, Nickname: dto.Nickname, Locale: dto.Locale, Timezone: dto.Timezone,
		Notifications: notify.Preferences{
			LetterOpened:    dto.Notifications.LetterOpened,
			RoutineReminder: dto.Notifications.RoutineReminder,
			SpecialDate:     dto.Notifications.SpecialDate,
		},
	}, nil
}
