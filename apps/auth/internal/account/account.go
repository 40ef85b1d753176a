// Package account is the heart of auth-service: the rules for usernames,
// email addresses and passwords, and the use cases (sign up, log in,
// refresh, log out, change password or email, delete) built on a Store,
// the password hasher, the token minter and the login throttle.
package account

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/fields"
)

// Account is a user's identity as auth-service keeps it. Build one with
// New (validated) or Restore (from storage); it never changes after.
type Account struct {
	id       uuid.UUID
	username string // lower-case, unique
	// email is the address as the user typed it (trimmed); emailKey is its
	// lower-case form, unique, used for lookups.
	email        string
	emailKey     string
	passwordHash string
	createdAt    time.Time
}

// New is a new account: the username is normalised and checked, the
// address trimmed and checked, and the hash and time must be there. Every
// broken rule is reported at once in a *fields.Error.
func New(id uuid.UUID, username, email, passwordHash string, createdAt time.Time) (Account, error) {
	var errs fields.Set
	username = NormalizeUsername(username)
	if msg := CheckUsername(username); msg != "" {
		errs.Add("username", msg)
	}
	email, key, msg := NormalizeEmail(email)
	if msg != "" {
		errs.Add("email", msg)
	}
	if passwordHash == "" {
		errs.Add("password", "is required")
	}
	if id == uuid.Nil || createdAt.IsZero() {
		return Account{}, errors.New("account: an id and a creation time are required")
	}
	if err := errs.Err(); err != nil {
		return Account{}, err
	}
	return Account{id: id, username: username, email: email, emailKey: key, passwordHash: passwordHash, createdAt: createdAt}, nil
}

// Restore rebuilds an account read from storage. It does not re-check the
// rules: a stored account passed New once, and rules may tighten later
// without locking anyone out.
func Restore(id uuid.UUID, username, email, emailKey, passwordHash string, createdAt time.Time) Account {
	return Account{id: id, username: username, email: email, emailKey: emailKey, passwordHash: passwordHash, createdAt: createdAt}
}

// The account's parts.
func (a Account) ID() uuid.UUID        { return a.id }
func (a Account) Username() string     { return a.username }
func (a Account) Email() string        { return a.email }
func (a Account) EmailKey() string     { return a.emailKey }
func (a Account) PasswordHash() string { return a.passwordHash }
func (a Account) CreatedAt() time.Time { return a.createdAt }

// Errors the use cases return; the HTTP layer maps them in one place.
var (
	ErrNotFound = errors.New("account: not found")
	// ErrInvalidCredentials is the one answer to a failed login, whether
	// the account exists or not.
	ErrInvalidCredentials = errors.New("account: invalid credentials")
	ErrTaken              = errors.New("account: already taken")
	ErrThrottled          = errors.New("account: too many failed attempts")
)

// TakenError names the fields (username, email) already in use.
type TakenError struct{ Fields []string }

func (e *TakenError) Error() string { return fmt.Sprintf("account: %v already taken", e.Fields) }

// Is makes errors.Is(err, ErrTaken) true.
func (e *TakenError) Is(target error) bool { return target == ErrTaken }

// ThrottledError says how long to wait before trying again.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("account: throttled for %s", e.RetryAfter)
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// Username limits.
const (
	UsernameMin = 3
	UsernameMax = 30
	EmailMax    = 254
)

// NormalizeUsername is the stored form of a username, and of a login
// identifier: trimmed and lower-cased.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckUsername returns what is wrong with a normalised username, or "".
func CheckUsername(u string) string {
	switch {
	case u == "":
		return "is required"
	case utf8.RuneCountInString(u) < UsernameMin || utf8.RuneCountInString(u) > UsernameMax:
		return fmt.Sprintf("must be %d to %d characters long", UsernameMin, UsernameMax)
	}
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return "may contain only letters a-z, digits, _ and ."
		}
	}
	return ""
}

// NormalizeEmail returns the address as stored (trimmed) and its lookup
// key (lower-cased), or a message saying what is wrong with it.
// Lower-casing the local part is not what RFC 5321 promises, but every
// real provider treats it so, and two accounts differing only in case
// would be a support nightmare.
func NormalizeEmail(s string) (email, key, problem string) {
	email = strings.TrimSpace(s)
	switch {
	case email == "":
		return "", "", "is required"
	case len(email) > EmailMax:
		return "", "", fmt.Sprintf("must be at most %d characters long", EmailMax)
	}
	addr, err := mail.ParseAddress(email)
	// A display name ("Me <me@x.org>") or any rewriting by the parser
	// means it was not a single bare address.
	if err != nil || addr.Name != "" || addr.Address != email || !strings.Contains(email, "@") {
		return "", "", "must be a valid email address"
	}
	return email, strings.ToLower(email), ""
}
