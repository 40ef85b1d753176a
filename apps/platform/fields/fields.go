// Package fields is the one validation error every service's domain
// returns: a message per invalid field, keyed by the field's name as
// clients spell it (dots for nested fields, e.g. notifications.special_date).
// httpx maps it to the 400 validation problem, so no service maps it
// itself. It imports nothing but the standard library, so domain packages
// may use it.
package fields

import (
	"errors"
	"maps"
	"slices"
	"strings"
)

// ErrInvalid matches every *Error with errors.Is.
var ErrInvalid = errors.New("invalid fields")

// Error lists what is wrong with each field. Build one with New or Set.
type Error struct {
	fields map[string]string
}

// New is the error for one invalid field.
func New(field, msg string) *Error { return &Error{fields: map[string]string{field: msg}} }

// Fields returns a copy of the messages by field.
func (e *Error) Fields() map[string]string { return maps.Clone(e.fields) }

// Message is field's message, "" when the field is valid.
func (e *Error) Message(field string) string { return e.fields[field] }

func (e *Error) Error() string {
	keys := slices.Sorted(maps.Keys(e.fields))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.fields[k]
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Set collects messages while a value is checked; the first message for a
// field wins, since it names the most basic problem (missing before too
// long). The zero Set is ready to use.
type Set struct {
	fields map[string]string
}

// Add records msg for field unless the field already has one.
func (s *Set) Add(field, msg string) {
	if s.fields == nil {
		s.fields = map[string]string{}
	}
	if _, ok := s.fields[field]; !ok {
		s.fields[field] = msg
	}
}

// Has reports whether field already has a message.
func (s *Set) Has(field string) bool {
	_, ok := s.fields[field]
	return ok
}

// Err is nil when nothing was added, else an *Error with every message.
func (s *Set) Err() error {
	if len(s.fields) == 0 {
		return nil
	}
	return &Error{fields: maps.Clone(s.fields)}
}
