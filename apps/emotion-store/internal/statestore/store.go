// Package statestore keeps emotion-store's records in the Dapr state store
// (emotion-state: state.postgresql v1) through the sidecar: one JSON
// document per user, written with its ETag (first-write concurrency) and
// re-applied on a conflict, so concurrent events for one user all count.
// Writers in one process queue per document (keylock.go), so conflicts
// only arise between replicas.
package statestore

import (
	"context"
	"encoding/json"
	"fmt"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/lettertomyself/ltm/apps/platform/daprx"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
)

// Name is the state store component.
const Name = "emotion-state"

// runningKey holds the users with a running re-analysis.
const runningKey = "jobs:running"

// maxAttempts bounds the conflict retries of one update; each attempt
// reads the winner's document, so only a hot spot of dozens of writers to
// one user at once exhausts it (and the event is then redelivered).
const maxAttempts = 30

// ErrConflict: the document kept changing under the update.
var ErrConflict = daprx.ErrContended

// Client returns the connected Dapr client; daprx.Sidecar.Client is one.
type Client func() (dapr.Client, error)

// Store implements emotion.Store.
type Store struct {
	client Client
	name   string
	locks  keyLocks
}

// New returns a store on the component name (Name in production).
func New(client Client, name string) *Store { return &Store{client: client, name: name} }

func userKey(userID string) string { return "user:" + userID }

// Record reads userID's record.
func (s *Store) Record(ctx context.Context, userID string) (*emotion.Record, error) {
	data, _, err := s.get(ctx, userKey(userID))
	if err != nil {
		return nil, err
	}
	return decodeRecord(data)
}

// Update applies change to userID's record with optimistic concurrency.
func (s *Store) Update(ctx context.Context, userID string, change func(*emotion.Record) (bool, error)) error {
	return s.update(ctx, userKey(userID), func(data []byte) ([]byte, error) {
		rec, err := decodeRecord(data)
		if err != nil {
			return nil, err
		}
		changed, err := change(rec)
		if err != nil || !changed {
			return nil, err
		}
		return encodeRecord(rec)
	})
}

type runningDoc struct {
	// Jobs maps user id → job id.
	Jobs map[string]string `json:"jobs"`
}

// Running lists the users with a running re-analysis.
func (s *Store) Running(ctx context.Context) (map[string]string, error) {
	data, _, err := s.get(ctx, runningKey)
	if err != nil {
		return nil, err
	}
	var doc runningDoc
	if len(data) > 0 {
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("state store: %s: %w", runningKey, err)
		}
	}
	if doc.Jobs == nil {
		doc.Jobs = map[string]string{}
	}
	return doc.Jobs, nil
}

// SetRunning adds or removes userID's job in the running list; removing
// with jobID "" removes whatever job the user has there.
func (s *Store) SetRunning(ctx context.Context, userID, jobID string, running bool) error {
	return s.update(ctx, runningKey, func(data []byte) ([]byte, error) {
		var doc runningDoc
		if len(data) > 0 {
			if err := json.Unmarshal(data, &doc); err != nil {
				return nil, fmt.Errorf("state store: %s: %w", runningKey, err)
			}
		}
		if doc.Jobs == nil {
			doc.Jobs = map[string]string{}
		}
		current, listed := doc.Jobs[userID]
		switch {
		case running && current != jobID:
			doc.Jobs[userID] = jobID
		case !running && listed && (jobID == "" || current == jobID):
			delete(doc.Jobs, userID)
		default:
			return nil, nil
		}
		return json.Marshal(doc)
	})
}

// update reads key, lets change compute the new document (nil: leave it)
// and saves it if nobody wrote in between, else starts over: the
// platform's ETag read-modify-write, behind this process's per-document
// queue.
func (s *Store) update(ctx context.Context, key string, change func([]byte) ([]byte, error)) error {
	unlock, err := s.locks.lock(ctx, key)
	if err != nil {
		return err
	}
	defer unlock()
	client := func() (daprx.StateClient, error) { return s.client() }
	return daprx.UpdateState(ctx, client, s.name, key, maxAttempts, change)
}

func (s *Store) get(ctx context.Context, key string) ([]byte, string, error) {
	c, err := s.client()
	if err != nil {
		return nil, "", err
	}
	item, err := c.GetState(ctx, s.name, key, nil)
	if err != nil {
		return nil, "", fmt.Errorf("state store: get %s: %w", key, err)
	}
	return item.Value, item.Etag, nil
}
