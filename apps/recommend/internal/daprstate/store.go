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
	"hash/fnv"
	"time"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/recommend/internal/app"
)

// StoreName is the state store component (components/recommend-state.yaml).
const StoreName = "recommend-state"

// ErrContended is returned when a document kept changing under us for
// every attempt; the caller may try again later.
var ErrContended = daprx.ErrContended

// Client is the part of the Dapr client the store uses.
type Client interface {
	GetState(ctx context.Context, storeName, key string, meta map[string]string) (*dapr.StateItem, error)
	GetBulkState(ctx context.Context, storeName string, keys []string, meta map[string]string, parallelism int32) ([]*dapr.BulkStateItem, error)
	SaveStateWithETag(ctx context.Context, storeName, key string, data []byte, etag string, meta map[string]string, so ...dapr.StateOption) error
	ExecuteStateTransaction(ctx context.Context, storeName string, meta map[string]string, ops []*dapr.StateOperation) error
}

// Store reads and writes the documents. client is asked for the Dapr
// client on every call because the sidecar connects after start-up
// (daprx.Sidecar.Client answers ErrNotReady until then).
type Store struct {
	name   string
	client func() (Client, error)
	// again is how long Purge waits before deleting the documents a second
	// time (see Purge).
	again   time.Duration
	writing [64]chan struct{} // see lock
}

// New returns a store on the named component.
func New(name string, client func() (Client, error)) *Store {
	s := &Store{name: name, client: client, again: PurgeAgainAfter}
	for i := range s.writing {
		s.writing[i] = make(chan struct{}, 1)
	}
	return s
}

// lock queues this process's writes of one document (striped by key): a
// user's concurrent requests otherwise spent every ETag attempt on each
// other (under load 190 of 1,000 recommendations failed so, each losing
// attempt a read and a write more). The ETag still guards against other
// replicas.
func (s *Store) lock(ctx context.Context, key string) (unlock func(), err error) {
	h := fnv.New32a()
	h.Write([]byte(key))
	ch := s.writing[h.Sum32()%uint32(len(s.writing))]
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// PurgeAgainAfter is the pause between a purge's two passes: far longer
// than one read-modify-write attempt (a read and a write through the
// sidecar, milliseconds) takes.
const PurgeAgainAfter = 2 * time.Second

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
// nobody wrote in between (the platform's ETag read-modify-write);
// otherwise it reads again and reapplies change. change must be a pure
// function of the document it is given.
// Every attempt first reads userID's tombstone: a deleted user's document
// is never written again (tombstone.ErrGone).
func update[T any](ctx context.Context, s *Store, userID, key string, change func(*T)) error {
	return updateFrom(ctx, s, userID, key, nil, change)
}

// updateFrom is update whose first attempt starts from read, a read of the
// document just made together with the tombstone (Seen), so that attempt
// does not read the tombstone again (nil: none).
func updateFrom[T any](ctx context.Context, s *Store, userID, key string, read *dapr.StateItem, change func(*T)) error {
	unlock, err := s.lock(ctx, key)
	if err != nil {
		return err
	}
	defer unlock()
	client := func() (daprx.StateClient, error) { return s.client() }
	checked := read != nil
	apply := func(data []byte) ([]byte, error) {
		if checked {
			checked = false // only the first attempt starts from read
		} else if err := s.guard(ctx, userID); err != nil {
			return nil, err
		}
		var doc T
		if len(data) > 0 {
			if err := json.Unmarshal(data, &doc); err != nil {
				return nil, fmt.Errorf("get %s: decode: %w", key, err)
			}
		}
		change(&doc)
		return json.Marshal(doc)
	}
	if read == nil {
		err = daprx.UpdateState(ctx, client, s.name, key, attempts, apply)
	} else {
		err = daprx.UpdateStateFrom(ctx, client, s.name, key, attempts, read, apply)
	}
	if errors.Is(err, daprx.ErrContended) {
		return fmt.Errorf("%w: %w", app.ErrContended, err)
	}
	return err
}

// guard refuses (tombstone.ErrGone) a write for a deleted user.
func (s *Store) guard(ctx context.Context, userID string) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	item, err := c.GetState(ctx, s.name, tombstone.Key(userID), nil)
	if err != nil {
		return fmt.Errorf("get tombstone: %w", err)
	}
	if item != nil && len(item.Value) > 0 {
		return tombstone.ErrGone
	}
	return nil
}

// Purge writes userID's tombstone and deletes every document of theirs in
// one transaction, then, after s.again, deletes the documents once more.
// Every write reads the tombstone at the start of each read-modify-write
// attempt, so after the first pass only an attempt that read "no
// tombstone" before it can still save (its ETag or insert-if-absent
// holds, since the delete came before its read or the document was
// absent); the second pass deletes what such an attempt wrote, unless it
// took longer than s.again between its read and its save. If the process
// dies in between, user.deleted is redelivered and both passes run again.
// Deleting what is not there succeeds, so a repeated purge changes nothing.
func (s *Store) Purge(ctx context.Context, userID string) error {
	mark, err := json.Marshal(map[string]string{"buried_at": time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	if err := s.purge(ctx, userID, mark); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(s.again):
	}
	return s.purge(ctx, userID, nil)
}

func (s *Store) purge(ctx context.Context, userID string, mark []byte) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	var ops []*dapr.StateOperation
	if mark != nil {
		ops = append(ops, &dapr.StateOperation{Type: dapr.StateOperationTypeUpsert, Item: &dapr.SetStateItem{Key: tombstone.Key(userID), Value: mark}})
	}
	for _, key := range []string{feedbackKey(userID), historyKey(userID), suggestionsKey(userID)} {
		ops = append(ops, &dapr.StateOperation{Type: dapr.StateOperationTypeDelete, Item: &dapr.SetStateItem{Key: key}})
	}
	if err := c.ExecuteStateTransaction(ctx, s.name, nil, ops); err != nil {
		return fmt.Errorf("purge user %s: %w", userID, err)
	}
	return nil
}
