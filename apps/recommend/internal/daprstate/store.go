// Package daprstate keeps recommend-service's per-user documents in the
// Dapr state store recommend-state (state.postgresql v1) through the
// sidecar: feedback, the history of items shown, and the day's model
// suggestions. Every change is a read-modify-write guarded by the row's
// ETag, retried on conflict, so two changes at the same moment both land.
package daprstate

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
)

// StoreName is the state store component (components/recommend-state.yaml).
const StoreName = "recommend-state"

// ErrContended is returned when a document kept changing under us for
// every attempt; the caller may try again later.
var ErrContended = errors.New("state document kept changing; gave up")

// Client is the part of the Dapr client the store uses.
type Client interface {
	GetState(ctx context.Context, storeName, key string, meta map[string]string) (*dapr.StateItem, error)
	SaveStateWithETag(ctx context.Context, storeName, key string, data []byte, etag string, meta map[string]string, so ...dapr.StateOption) error
	ExecuteStateTransaction(ctx context.Context, storeName string, meta map[string]string, ops []*dapr.StateOperation) error
}

// Store reads and writes the documents. client is asked for the Dapr
// client on every call because the sidecar connects after start-up
// (daprx.Sidecar.Client answers ErrNotReady until then).
type Store struct {
	name   string
	client func() (Client, error)
}

// New returns a store on the named component.
func New(name string, client func() (Client, error)) *Store {
	return &Store{name: name, client: client}
}

// attempts bounds the ETag retry loop: each attempt is one read and one
// write, and a user rarely has more than two writers at once.
const attempts = 8

// keys of one user's documents. The sidecar prefixes them with the app id
// and "||", which a key itself may not contain.
func feedbackKey(userID string) string    { return "feedback:" + userID }
func historyKey(userID string) string     { return "history:" + userID }
func suggestionsKey(userID string) string { return "suggestions:" + userID }

// read returns the decoded document at key (zero when absent) and its ETag
// ("" when absent).
func read[T any](ctx context.Context, s *Store, key string) (T, string, error) {
	var doc T
	c, err := s.client()
	if err != nil {
		return doc, "", err
	}
	item, err := c.GetState(ctx, s.name, key, nil)
	if err != nil {
		return doc, "", fmt.Errorf("get %s: %w", key, err)
	}
	if item == nil || len(item.Value) == 0 {
		return doc, "", nil
	}
	if err := json.Unmarshal(item.Value, &doc); err != nil {
		return doc, "", fmt.Errorf("get %s: decode: %w", key, err)
	}
	return doc, item.Etag, nil
}

// update applies change to the document at key and writes it back only if
// nobody wrote in between (first-write concurrency with the ETag read);
// otherwise it reads again and reapplies change. change must be a pure
// function of the document it is given.
func update[T any](ctx context.Context, s *Store, key string, change func(*T)) error {
	for attempt := range attempts {
		doc, etag, err := read[T](ctx, s, key)
		if err != nil {
			return err
		}
		change(&doc)
		b, err := json.Marshal(doc)
		if err != nil {
			return fmt.Errorf("save %s: encode: %w", key, err)
		}
		c, err := s.client()
		if err != nil {
			return err
		}
		err = c.SaveStateWithETag(ctx, s.name, key, b, etag, nil, dapr.WithConcurrency(dapr.StateConcurrencyFirstWrite))
		if err == nil {
			return nil
		}
		lost, cerr := s.lostRace(ctx, key, etag, err)
		if cerr != nil {
			return cerr
		}
		if !lost {
			return fmt.Errorf("save %s: %w", key, err)
		}
		// Someone else wrote first: let them finish, then start over.
		// The jitter keeps two losers from colliding again in step.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(1+rand.IntN(5*(attempt+1))) * time.Millisecond):
		}
	}
	return fmt.Errorf("save %s: %w", key, ErrContended)
}

// lostRace tells a write that lost to another writer from a failure. With
// an ETag the store says so (gRPC Aborted). Without one (the document did
// not exist) state.postgresql's first-write insert fails with a generic
// error when the row appeared meanwhile, so look again.
func (s *Store) lostRace(ctx context.Context, key, etag string, err error) (bool, error) {
	if etag != "" {
		return status.Code(err) == codes.Aborted, nil
	}
	c, cerr := s.client()
	if cerr != nil {
		return false, cerr
	}
	item, gerr := c.GetState(ctx, s.name, key, nil)
	if gerr != nil {
		return false, fmt.Errorf("save %s: %w (and reading it back: %w)", key, err, gerr)
	}
	return item != nil && item.Etag != "", nil
}

// Purge deletes every document of userID in one transaction. Deleting
// what is not there succeeds, so a repeated purge changes nothing.
func (s *Store) Purge(ctx context.Context, userID string) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	var ops []*dapr.StateOperation
	for _, key := range []string{feedbackKey(userID), historyKey(userID), suggestionsKey(userID)} {
		ops = append(ops, &dapr.StateOperation{Type: dapr.StateOperationTypeDelete, Item: &dapr.SetStateItem{Key: key}})
	}
	if err := c.ExecuteStateTransaction(ctx, s.name, nil, ops); err != nil {
		return fmt.Errorf("purge user %s: %w", userID, err)
	}
	return nil
}
