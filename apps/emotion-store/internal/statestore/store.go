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
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

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
var ErrConflict = errors.New("state store: concurrent updates kept winning")

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
// and saves it if nobody wrote in between, else starts over.
func (s *Store) update(ctx context.Context, key string, change func([]byte) ([]byte, error)) error {
	unlock, err := s.locks.lock(ctx, key)
	if err != nil {
		return err
	}
	defer unlock()
	for attempt := 1; ; attempt++ {
		data, etag, err := s.get(ctx, key)
		if err != nil {
			return err
		}
		next, err := change(data)
		if err != nil || next == nil {
			return err
		}
		err = s.save(ctx, key, next, etag)
		if err == nil {
			return nil
		}
		if !s.conflict(ctx, key, etag, err) {
			return fmt.Errorf("state store: save %s: %w", key, err)
		}
		if attempt == maxAttempts {
			return fmt.Errorf("%w (%s, %d attempts)", ErrConflict, key, attempt)
		}
		// A little jitter keeps two writers from colliding in lockstep.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(rand.IntN(5*attempt)+1) * time.Millisecond):
		}
	}
}

// conflict tells a lost race from a failure. With an ETag the store says
// so (gRPC Aborted); a first write of a key someone else created in the
// meantime is refused without a kind, so the key's existence decides.
func (s *Store) conflict(ctx context.Context, key, etag string, err error) bool {
	if st, ok := status.FromError(err); ok && st.Code() == codes.Aborted {
		return true
	}
	if etag != "" {
		return false
	}
	_, now, gerr := s.get(ctx, key)
	return gerr == nil && now != ""
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

func (s *Store) save(ctx context.Context, key string, data []byte, etag string) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	// First-write with no ETag inserts only if the key is absent; with one,
	// it updates only the version that was read.
	return c.SaveStateWithETag(ctx, s.name, key, data, etag, map[string]string{"contentType": "application/json"},
		dapr.WithConcurrency(dapr.StateConcurrencyFirstWrite), dapr.WithConsistency(dapr.StateConsistencyStrong))
}
