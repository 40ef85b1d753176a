// Package notify is notification-service's domain: a request for one mail,
// the history record that makes its delivery exactly-once (a claim with a
// lease, released on failure), and the service that turns a request into a
// sent, skipped or failed record.
package notify

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Kind is what a mail is about.
type Kind string

// The kinds the scheduler asks for.
const (
	LetterOpened    Kind = "letter_opened"
	RoutineReminder Kind = "routine_reminder"
	SpecialDate     Kind = "special_date"
)

// Kinds lists every kind, for tests and validation.
var Kinds = []Kind{LetterOpened, RoutineReminder, SpecialDate}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	switch k {
	case LetterOpened, RoutineReminder, SpecialDate:
		return true
	}
	return false
}

// Data is what the scheduler tells about the occasion. Only the members of
// the request's kind are set; a letter's content is never part of it.
type Data struct {
	LetterID      string // letter_opened
	Title         string // routine_reminder: the routine's (letters travel without their text)
	WrittenAt     string // letter_opened: when the letter was written, RFC 3339
	RoutineID     string // routine_reminder
	SpecialDateID string // special_date
	Name          string // special_date
	Date          string // special_date, YYYY-MM-DD
}

// Request is one validated notification.requested event.
type Request struct {
	ID     string // idempotency key: one mail per ID, ever
	UserID string
	Kind   Kind
	Data   Data
}

// ErrInvalidRequest marks a request that can never be delivered: retrying
// cannot fix it.
var ErrInvalidRequest = errors.New("invalid notification request")

// MaxIDLength bounds the idempotency key (kind + source id + occurrence).
const MaxIDLength = 255

// NewRequest validates a request. It is strict only about what delivery
// cannot do without (the key, the user, the kind); a missing title, name
// or letter id falls back to a generic wording or link in the mail,
// because losing the mail would be worse.
func NewRequest(id, userID string, kind Kind, data Data) (Request, error) {
	var problems []string
	if id == "" || len(id) > MaxIDLength {
		problems = append(problems, fmt.Sprintf("id must be 1–%d bytes", MaxIDLength))
	}
	if _, err := uuid.Parse(userID); err != nil {
		problems = append(problems, "user_id must be a UUID")
	}
	if !kind.Valid() {
		problems = append(problems, fmt.Sprintf("unknown kind %q", kind))
	}
	if len(problems) > 0 {
		return Request{}, fmt.Errorf("%w: %s", ErrInvalidRequest, strings.Join(problems, "; "))
	}
	if kind == LetterOpened {
		data.LetterID = letterID(id, data.LetterID)
	}
	return Request{ID: id, UserID: strings.ToLower(userID), Kind: kind, Data: data}, nil
}

// letterID is the letter a letter_opened mail links to, canonical, or ""
// (the mail then links to the letter list). It comes from data.letter_id,
// or else from the idempotency key, which the scheduler builds as
// "letter_opened:<letter id>:<occurrence>".
func letterID(key, fromData string) string {
	if u, err := uuid.Parse(fromData); err == nil {
		return u.String()
	}
	parts := strings.SplitN(key, ":", 3)
	if len(parts) >= 2 && parts[0] == string(LetterOpened) {
		if u, err := uuid.Parse(parts[1]); err == nil {
			return u.String()
		}
	}
	return ""
}

// Preferences are the user's switches per kind.
type Preferences struct {
	LetterOpened    bool
	RoutineReminder bool
	SpecialDate     bool
}

// Contact is the recipient as user-service knows them at send time.
type Contact struct {
	UserID        string
	Email         string
	Nickname      string
	Locale        string // "ko" or "en"; anything else reads as ko
	Timezone      string
	Notifications Preferences
}

// Wants reports whether the user wants mail of kind k.
func (c Contact) Wants(k Kind) bool {
	switch k {
	case LetterOpened:
		return c.Notifications.LetterOpened
	case RoutineReminder:
		return c.Notifications.RoutineReminder
	case SpecialDate:
		return c.Notifications.SpecialDate
	}
	return false
}

// ErrBadAddress is an address the smtp binding must not be given.
var ErrBadAddress = errors.New("unusable email address")

// CheckAddress accepts one plain address. The smtp binding splits emailTo
// on ";", so an address carrying one (or a comma, a name part, a line
// break) could mail someone else.
func CheckAddress(addr string) error {
	if addr == "" || strings.ContainsAny(addr, ";,\r\n<> \t") {
		return ErrBadAddress
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" {
		return ErrBadAddress
	}
	return nil
}

// Message is a rendered mail.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// Mail is a message on its way to one recipient.
type Mail struct {
	To string
	Message
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
