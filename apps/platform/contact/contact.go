// Package contact is the one client of user-service's contact lookup
// (GET /internal/users/{id}/contact through Dapr service invocation) that
// every service calls, so the 404 rule and the default zone exist once:
//
//   - only a 404 carrying the profile-not-found problem means "this user
//     has no profile" (ErrNoProfile); a bare 404 (a missing route after a
//     bad deploy) or any other failure is an error that fails the caller's
//     request, never a silent default;
//   - a user without a profile, or with a zone this binary does not know,
//     is in DefaultTimezone.
package contact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

// AppID is user-service's Dapr app id.
const AppID = "user-service"

// DefaultTimezone is the zone of a user user-service has no profile for
// (yet); defined once, in wallclock.
const DefaultTimezone = wallclock.DefaultTimezone

// NotFoundType is the problem type user-service answers for an account
// without a profile.
var NotFoundType = problem.TypeURI("profile-not-found")

// ErrNoProfile: user-service has no profile for the user (not yet, or the
// account is gone).
var ErrNoProfile = errors.New("user has no profile")

// Preferences are which mails a user wants.
type Preferences struct {
	LetterOpened    bool `json:"letter_opened"`
	RoutineReminder bool `json:"routine_reminder"`
	SpecialDate     bool `json:"special_date"`
}

// Contact is what user-service tells other services about a user.
type Contact struct {
	UserID        string      `json:"user_id"`
	Email         string      `json:"email"`
	Nickname      string      `json:"nickname"`
	Locale        string      `json:"locale"`
	Timezone      string      `json:"timezone"`
	Notifications Preferences `json:"notifications"`
}

// Getter performs GET path on app through the sidecar; daprx.Sidecar.Get
// is one.
type Getter func(ctx context.Context, app, path string) ([]byte, error)

// Client looks contacts up.
type Client struct {
	get Getter
	log *slog.Logger
}

// New returns a client calling through get; log hears about zones this
// binary does not know.
func New(get Getter, log *slog.Logger) *Client { return &Client{get: get, log: log} }

// Lookup returns userID's contact, ErrNoProfile, or an error that should
// fail (or retry) the caller's work.
func (c *Client) Lookup(ctx context.Context, userID string) (Contact, error) {
	body, err := c.get(ctx, AppID, "/internal/users/"+url.PathEscape(userID)+"/contact")
	var status *daprx.StatusError
	if errors.As(err, &status) && status.Status == http.StatusNotFound {
		if problem.TypeOf(status.Body) == NotFoundType {
			return Contact{}, ErrNoProfile
		}
		return Contact{}, fmt.Errorf("contact lookup: 404 without %s: %w", NotFoundType, err)
	}
	if err != nil {
		return Contact{}, fmt.Errorf("contact lookup: %w", err)
	}
	var out Contact
	if err := json.Unmarshal(body, &out); err != nil {
		return Contact{}, fmt.Errorf("contact lookup: decode: %w", err)
	}
	return out, nil
}

// Zone is userID's timezone: DefaultTimezone for a user without a profile
// or with a zone unknown here; any other failure of the lookup is an error.
func (c *Client) Zone(ctx context.Context, userID string) (*time.Location, error) {
	ct, err := c.Lookup(ctx, userID)
	if errors.Is(err, ErrNoProfile) {
		return DefaultLocation(), nil
	}
	if err != nil {
		return nil, err
	}
	return c.location(ctx, ct.Timezone), nil
}

func (c *Client) location(ctx context.Context, name string) *time.Location {
	if name == "" {
		return DefaultLocation()
	}
	loc, err := wallclock.LoadZone(name)
	if err != nil {
		// The two services' zone databases may differ for a while.
		c.log.WarnContext(ctx, "user timezone unknown here; using the default", "timezone", name, "err", err)
		return DefaultLocation()
	}
	return loc
}

// DefaultLocation is DefaultTimezone loaded.
func DefaultLocation() *time.Location { return wallclock.DefaultLocation() }
