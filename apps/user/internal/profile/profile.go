// Package profile is user-service's domain: a person's profile, the rules
// every field obeys, and the defaults a new account starts with. Accounts
// (username, email, password) belong to auth-service; a profile mirrors
// username and email from auth's events and never changes them itself.
package profile

import (
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

// Defaults for a new profile: the product is Korean first.
const (
	DefaultTimezone = wallclock.DefaultTimezone
	DefaultLocale   = "ko"
)

// Sentinel errors; the HTTP layer maps them to problems in one place.
var (
	// ErrNotFound: no profile for this user (its registration event has not
	// arrived yet, or the account is gone).
	ErrNotFound = errors.New("profile not found")
)

// Notifications are which mails a person wants.
type Notifications struct {
	LetterOpened    bool
	RoutineReminder bool
	SpecialDate     bool
}

// Profile is one person's profile. Its fields are private: make one with
// New (from the registration event) or Restore one from the store, read it
// through Snapshot, and change it only through Apply.
type Profile struct {
	s Snapshot
}

// Restore rebuilds a profile read from storage; it passed the rules when
// it was written.
func Restore(s Snapshot) Profile { return Profile{s: s} }

// Snapshot is a copy of the profile's fields, for storage and answers.
func (p Profile) Snapshot() Snapshot {
	s := p.s
	if s.Birthday != nil {
		d := *s.Birthday
		s.Birthday = &d
	}
	if s.AvatarImageID != nil {
		id := *s.AvatarImageID
		s.AvatarImageID = &id
	}
	return s
}

// UserID is whose profile it is.
func (p Profile) UserID() uuid.UUID { return p.s.UserID }

// Snapshot is a profile's fields, as storage keeps them and answers show
// them.
type Snapshot struct {
	UserID   uuid.UUID
	Username string // mirrored from auth-service
	Email    string // mirrored from auth-service

	Nickname      string
	Bio           string
	Birthday      *wallclock.Date
	BlogURL       string
	AvatarImageID *uuid.UUID
	Timezone      string
	Locale        string
	Notifications Notifications

	CreatedAt time.Time
	UpdatedAt time.Time
}

// New returns the profile a newly registered account starts with.
func New(userID, username, email string, createdAt time.Time) (Profile, error) {
	var errs fields.Set
	id, err := uuid.Parse(userID)
	if err != nil || len(userID) != 36 {
		errs.Add("user_id", "must be a UUID")
	}
	username = strings.TrimSpace(username)
	if username == "" {
		errs.Add("username", "is required")
	}
	email = strings.TrimSpace(email)
	if !strings.Contains(email, "@") {
		errs.Add("email", "must be an email address")
	}
	if createdAt.IsZero() {
		errs.Add("created_at", "is required")
	}
	if err := errs.Err(); err != nil {
		return Profile{}, err
	}
	// A username is 3–30 characters of a-z 0-9 _ . (auth's rule), so it
	// always makes a valid nickname; cut it anyway so a rule change in
	// auth cannot create a profile this service would refuse to save.
	nickname := username
	if r := []rune(nickname); len(r) > MaxNicknameRunes {
		nickname = string(r[:MaxNicknameRunes])
	}
	createdAt = createdAt.UTC()
	return Profile{s: Snapshot{
		UserID:        id,
		Username:      username,
		Email:         email,
		Nickname:      nickname,
		Timezone:      DefaultTimezone,
		Locale:        DefaultLocale,
		Notifications: Notifications{LetterOpened: true, RoutineReminder: true, SpecialDate: true},
		CreatedAt:     createdAt,
		UpdatedAt:     createdAt,
	}}, nil
}

// Location is the profile's timezone, for "today" and wall-clock times.
func (p Profile) Location() *time.Location {
	if loc, err := wallclock.LoadZone(p.s.Timezone); err == nil {
		return loc
	}
	return wallclock.DefaultLocation()
}

// Field is one optional member of a Patch: Set says whether the request
// mentioned it at all, so "absent" (unchanged) and "present" differ.
type Field[T any] struct {
	Set   bool
	Value T
}

// Some returns a present field holding v.
func Some[T any](v T) Field[T] { return Field[T]{Set: true, Value: v} }

// Patch is a partial update. Nullable members carry a nil Value to clear.
// Birthday and AvatarImageID arrive as text; parsing them is part of the
// rules, so the messages say what a person should send.
type Patch struct {
	Nickname      Field[string]
	Bio           Field[string]
	Birthday      Field[*string] // YYYY-MM-DD
	BlogURL       Field[string]
	AvatarImageID Field[*string]
	Timezone      Field[string]
	Locale        Field[string]

	LetterOpened    Field[bool]
	RoutineReminder Field[bool]
	SpecialDate     Field[bool]
}

// Apply returns p with patch applied at now (for "birthday in the past"
// and UpdatedAt). Every broken rule is reported at once in a
// *fields.Error; p itself is never modified.
func (p Profile) Apply(patch Patch, now time.Time) (Profile, error) {
	if patch.empty() {
		return p, nil
	}
	var errs fields.Set
	next := p

	if patch.Nickname.Set {
		if v, msg := CheckNickname(patch.Nickname.Value); msg != "" {
			errs.Add("nickname", msg)
		} else {
			next.s.Nickname = v
		}
	}
	if patch.Bio.Set {
		if v, msg := CheckBio(patch.Bio.Value); msg != "" {
			errs.Add("bio", msg)
		} else {
			next.s.Bio = v
		}
	}
	if patch.BlogURL.Set {
		if v, msg := CheckBlogURL(patch.BlogURL.Value); msg != "" {
			errs.Add("blog_url", msg)
		} else {
			next.s.BlogURL = v
		}
	}
	if patch.AvatarImageID.Set {
		if patch.AvatarImageID.Value == nil {
			next.s.AvatarImageID = nil
		} else if id, msg := CheckImageID(*patch.AvatarImageID.Value); msg != "" {
			errs.Add("avatar_image_id", msg)
		} else {
			next.s.AvatarImageID = &id
		}
	}
	if patch.Timezone.Set {
		if v, msg := CheckTimezone(patch.Timezone.Value); msg != "" {
			errs.Add("timezone", msg)
		} else {
			next.s.Timezone = v
		}
	}
	if patch.Locale.Set {
		if v, msg := CheckLocale(patch.Locale.Value); msg != "" {
			errs.Add("locale", msg)
		} else {
			next.s.Locale = v
		}
	}
	// After the timezone: "today" is today where the person lives, and a
	// request that moves them and sets a birthday is judged by the new zone.
	if patch.Birthday.Set {
		if patch.Birthday.Value == nil {
			next.s.Birthday = nil
		} else if d, msg := CheckBirthday(*patch.Birthday.Value, now.In(next.Location())); msg != "" {
			errs.Add("birthday", msg)
		} else {
			next.s.Birthday = &d
		}
	}
	if patch.LetterOpened.Set {
		next.s.Notifications.LetterOpened = patch.LetterOpened.Value
	}
	if patch.RoutineReminder.Set {
		next.s.Notifications.RoutineReminder = patch.RoutineReminder.Value
	}
	if patch.SpecialDate.Set {
		next.s.Notifications.SpecialDate = patch.SpecialDate.Value
	}

	if err := errs.Err(); err != nil {
		return p, err
	}
	next.s.UpdatedAt = now.UTC()
	return next, nil
}

func (patch Patch) empty() bool {
	return !(patch.Nickname.Set || patch.Bio.Set || patch.Birthday.Set || patch.BlogURL.Set ||
		patch.AvatarImageID.Set || patch.Timezone.Set || patch.Locale.Set ||
		patch.LetterOpened.Set || patch.RoutineReminder.Set || patch.SpecialDate.Set)
}
