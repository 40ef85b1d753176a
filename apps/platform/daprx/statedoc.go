package daprx

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// StateClient is the part of the Dapr client a read-modify-write needs.
type StateClient interface {
	GetState(ctx context.Context, storeName, key string, meta map[string]string) (*dapr.StateItem, error)
	SaveStateWithETag(ctx context.Context, storeName, key string, data []byte, etag string, meta map[string]string, so ...dapr.StateOption) error
}

// ErrContended: the document kept changing under an UpdateState for every
// attempt; the caller may try again later (an event: RETRY).
var ErrContended = errors.New("state document kept changing under the update")

// UpdateState reads key from store, lets change compute the new document
// from the current one (nil data: absent; a nil result: leave it as it
// is) and saves it only if nobody wrote in between: first-write
// concurrency with the ETag that was read, or insert-if-absent when there
// was none. A lost race reads the winner's document and applies change
// again, at most attempts times, with a little jitter so two losers do
// not collide in step. change must be a pure function of its input.
func UpdateState(ctx context.Context, client func() (StateClient, error), store, key string, attempts int,
	change func(data []byte) ([]byte, error),
) error {
	return updateState(ctx, client, store, key, attempts, nil, change)
}

// UpdateStateFrom is UpdateState whose first attempt starts from a
// document the caller has just read (read: its value and ETag; a nil
// value and "" ETag when it was absent) instead of reading it again: one
// round trip fewer when nobody wrote in between, and the usual
// read-and-reapply when somebody did.
func UpdateStateFrom(ctx context.Context, client func() (StateClient, error), store, key string, attempts int,
	read *dapr.StateItem, change func(data []byte) ([]byte, error),
) error {
	if read == nil {
		read = &dapr.StateItem{Key: key}
	}
	return updateState(ctx, client, store, key, attempts, read, change)
}

func updateState(ctx context.Context, client func() (StateClient, error), store, key string, attempts int,
	known *dapr.StateItem, change func(data []byte) ([]byte, error),
) error {
	for attempt := 1; attempt <= attempts; attempt++ {
		c, err := client()
		if err != nil {
			return err
		}
		item := known
		known = nil
		if item == nil {
			if item, err = c.GetState(ctx, store, key, nil); err != nil {
				return fmt.Errorf("state %s: get %s: %w", store, key, err)
			}
		}
		var data []byte
		etag := ""
		if item != nil {
			data, etag = item.Value, item.Etag
		}
		next, err := change(data)
		if err != nil || next == nil {
			return err
		}
		err = c.SaveStateWithETag(ctx, store, key, next, etag, map[string]string{"contentType": "application/json"},
			dapr.WithConcurrency(dapr.StateConcurrencyFirstWrite), dapr.WithConsistency(dapr.StateConsistencyStrong))
		if err == nil {
			return nil
		}
		lost, cerr := lostRace(ctx, c, store, key, etag, err)
		if cerr != nil {
			return cerr
		}
		if !lost {
			return fmt.Errorf("state %s: save %s: %w", store, key, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(1+rand.IntN(5*attempt)) * time.Millisecond):
		}
	}
	return fmt.Errorf("state %s: %s after %d attempts: %w", store, key, attempts, ErrContended)
}

// lostRace tells a save that lost to another writer from a failure. With
// an ETag the store says so (gRPC Aborted). Without one (the document did
// not exist) state.postgresql's insert fails with a generic error when the
// row appeared meanwhile, so look again.
func lostRace(ctx context.Context, c StateClient, store, key, etag string, err error) (bool, error) {
	if status.Code(err) == codes.Aborted {
		return true, nil
	}
	if etag != "" {
		return false, nil
	}
	item, gerr := c.GetState(ctx, store, key, nil)
	if gerr != nil {
		return false, fmt.Errorf("state %s: save %s: %w (and reading it back: %w)", store, key, err, gerr)
	}
	return item != nil && item.Etag != "", nil
}
