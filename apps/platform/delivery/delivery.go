// Package delivery names one delivery of an event to one consumer: the key
// a service's inbox claims, so an event the broker redelivers is applied
// once. Domain ports take a Ref; it imports nothing, so they may.
package delivery

import (
	"errors"
	"fmt"
)

// Ref is an event (its CloudEvent id) as one consumer receives it.
type Ref struct {
	consumer, id string
}

// ErrNoID: an event without an id cannot be applied exactly once.
var ErrNoID = errors.New("event without an id")

// New is consumer's delivery of event id.
func New(consumer, id string) (Ref, error) {
	if id == "" {
		return Ref{}, fmt.Errorf("%s: %w", consumer, ErrNoID)
	}
	return Ref{consumer: consumer, id: id}, nil
}

// Consumer names who applies the event, e.g. "user-service/user.deleted".
func (r Ref) Consumer() string { return r.consumer }

// ID is the event's id.
func (r Ref) ID() string { return r.id }
