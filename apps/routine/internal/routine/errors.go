// Package routine is routine-service's domain: writing routines (weekly or
// monthly at a wall-clock time), special dates, and the calendar of their
// occurrences. It knows nothing of HTTP, SQL or Dapr.
package routine

import (
	"errors"
	"maps"
	"slices"
	"strings"
)

// ErrNotFound means the item does not exist or belongs to someone else;
// callers cannot tell the two apart.
var ErrNotFound = errors.New("not found")

// ValidationError lists what is wrong with each field, keyed by the field's
// name as clients spell it.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := slices.Sorted(maps.Keys(e.Fields))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// fieldErrors collects messages and becomes a *ValidationError if any.
type fieldErrors map[string]string

func (f fieldErrors) add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &ValidationError{Fields: map[string]string(f)}
}
