// Package profile is user-service's domain: a person's profile, the rules
// every field obeys, and the defaults a new account starts with. Accounts
// (username, email, password) belong to auth-service; a profile mirrors
// username and email from auth's events and never changes them itself.
package profile

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Defaults for a new profile: the product is Korean first.
const (
	DefaultTimezone = "Asia/Seoul"
	DefaultLocale   = "ko"
)

// Sentinel errors; the HTTP layer maps them to problems in one place.
var (
	// ErrNotFound: no profile for this user (its registration event has not
	// arrived yet, or the account is gone).
	ErrNotFound = errors.New("profile not found")
	// ErrInvalid: a value broke a rule; see *ValidationError for which.
	ErrInvalid = errors.New("invalid profile")
)

// ValidationError lists every broken rule by field name (the JSON name, with
// dots for nested fields such as notifications.special_date).
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := slices.Sorted(maps.Keys(e.Fields))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "invalid profile: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true for any validation error.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Notifications are which mails a person wants.
type Notifications struct {
	LetterOpened    bool
	RoutineReminder bool
	SpecialDate     bool
}

// Profile is one person's profile. The zero value is not a valid profile:
// make one with New (from the registration event) or load one from the
// store, and change it only through Apply.
type Profile struct {
	UserID   uuid.UUID
	Username string // mirrored from auth-service
	Email    string // mirrored from auth-service

	Nickname      string
	Bio           string
	Birthday      *Date
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
	errs := map[string]string{}
	id, err := uuid.Parse(userID)
	if err != nil || len(userID) != 36 {
		errs["user_id"] = "must be a UUID"
	}
	username = strings.TrimSpace(username)
	if username == "" {
		errs["username"] = "is required"
	}
	email = strings.TrimSpace(email)
	if !strings.Contains(email, "@") {
		errs["email"] = "must be an email address"
	}
	if createdAt.IsZero() {
		errs["created_at"] = "is required"
	}
	if len(errs) > 0 {
		return Profile{}, &ValidationError{Fields: errs}
	}
	// A username is 3–30 characters of a-z 0-9 _ . (auth's rule), so it
	// always makes a valid nickname; cut it anyway so a rule change in
	// auth cannot create a profile this service would refuse to save.
	nickname := username
	if r := []rune(nickname); len(r) > MaxNicknameRunes {
		nickname = string(r[:MaxNicknameRunes])
	}
	createdAt = createdAt.UTC()
	return Profile{
		UserID:        id,
		Username:      username,
		Email:         email,
		Nickname:      nickname,
		Timezone:      DefaultTimezone,
		Locale:        DefaultLocale,
		Notifications: Notifications{LetterOpened: true, RoutineReminder: true, SpecialDate: true},
		CreatedAt:     createdAt,
		UpdatedAt:     createdAt,
	}, nil
}

// Location is the profile's timezone, for "today" and wall-clock times.
func (p Profile) Location() *time.Location {
	if loc, err := loadLocation(p.Timezone); err == nil {
		return loc
	}
	loc, _ := time.LoadLocation(DefaultTimezone)
	return loc
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
// *ValidationError; p itself is never modified.
func (p Profile) Apply(patch Patch, now time.Time) (Profile, error) {
	if patch.empty() {
		return p, nil
	}
	errs := map[string]string{}
	next := p

	if patch.Nickname.Set {
		if v, msg := CheckNickname(patch.Nickname.Value); msg != "" {
			errs["nickname"] = msg
		} else {
			next.Nickname = v
		}
	}
	if patch.Bio.Set {
		if v, msg := CheckBio(patch.Bio.Value); msg != "" {
			errs["bio"] = msg
		} else {
			next.Bio = v
		}
	}
	if patch.BlogURL.Set {
		if v, msg := CheckBlogURL(patch.BlogURL.Value); msg != "" {
			errs["blog_url"] = msg
		} else {
			next.BlogURL = v
		}
	}
	if patch.AvatarImageID.Set {
		if patch.AvatarImageID.Value == nil {
			next.AvatarImageID = nil
		} else if id, msg := CheckImageID(*patch.AvatarImageID.Value); msg != "" {
			errs["avatar_image_id"] = msg
		} else {
			next.AvatarImageID = &id
		}
	}
	if patch.Timezone.Set {
		if v, msg := CheckTimezone(patch.Timezone.Value); msg != "" {
			errs["timezone"] = msg
		} else {
			next.Timezone = v
		}
	}
	if patch.Locale.Set {
		if v, msg := CheckLocale(patch.Locale.Value); msg != "" {
			errs["locale"] = msg
		} else {
			next.Locale = v
		}
	}
	// After the timezone: "today" is today where the person lives, and a
	// request that moves them and sets a birthday is judged by the new zone.
	if patch.Birthday.Set {
		if patch.Birthday.Value == nil {
			next.Birthday = nil
		} else if d, msg := CheckBirthday(*patch.Birthday.Value, now.In(next.Location())); msg != "" {
			errs["birthday"] = msg
		} else {
			next.Birthday = &d
		}
	}
	if patch.LetterOpened.Set {
		next.Notifications.LetterOpened = patch.LetterOpened.Value
	}
	if patch.RoutineReminder.Set {
		next.Notifications.RoutineReminder = patch.RoutineReminder.Value
	}
	if patch.SpecialDate.Set {
		next.Notifications.SpecialDate = patch.SpecialDate.Value
	}

	if len(errs) > 0 {
		return p, &ValidationError{Fields: errs}
	}
	next.UpdatedAt = now.UTC()
	return next, nil
}

func (patch Patch) empty() bool {
	return !(patch.Nickname.Set || patch.Bio.Set || patch.Birthday.Set || patch.BlogURL.Set ||
		patch.AvatarImageID.Set || patch.Timezone.Set || patch.Locale.Set ||
		patch.LetterOpened.Set || patch.RoutineReminder.Set || patch.SpecialDate.Set)
}

// Date is a calendar date without a time or zone (a birthday).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns t's calendar date in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD and refuses dates that do not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: %w", s, err)
	}
	return DateOf(t), nil
}

// Time is the date at midnight UTC (how the store hands it to Postgres).
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool { return d.Time().Before(o.Time()) }

func (d Date) String() string { return d.Time().Format(time.DateOnly) }
