// Package retry is the platform's one back-off: how long to wait after the
// n-th failure in a row, and a loop that retries an operation until it
// succeeds, gives up for good, or its context ends. Every worker that
// retries (database start-up, the sidecar connection, key loading, the
// outbox relay) uses it, so they all back off the same way, with jitter, so
// replicas that failed together do not retry in lockstep.
package retry

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Policy is an exponential back-off: First after the first failure, then
// doubling up to Max, each wait moved by up to Jitter of itself either way.
type Policy struct {
	First  time.Duration
	Max    time.Duration
	Jitter float64
}

// Default is what a worker without a reason to differ uses: 1s doubling
// to 30s, ±20%.
var Default = Policy{First: time.Second, Max: 30 * time.Second, Jitter: 0.2}

// Backoff is one run of waits; Reset after a success starts again from
// First.
type Backoff struct{ b *backoff.ExponentialBackOff }

// New starts a run of waits. A zero First or Max takes Default's.
func (p Policy) New() *Backoff {
	if p.First <= 0 {
		p.First = Default.First
	}
	if p.Max <= 0 {
		p.Max = max(Default.Max, p.First)
	}
	b := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(p.First),
		backoff.WithMaxInterval(p.Max),
		backoff.WithMultiplier(2),
		backoff.WithRandomizationFactor(p.Jitter),
		// A worker retries for as long as it runs; its context stops it.
		backoff.WithMaxElapsedTime(0),
	)
	return &Backoff{b: b}
}

// Next is the wait after one more failure.
func (b *Backoff) Next() time.Duration { return b.b.NextBackOff() }

// Reset starts the next run of failures from First again.
func (b *Backoff) Reset() { b.b.Reset() }

// permanent marks an error that retrying will not cure.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err so Do returns it at once instead of retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// Do runs op until it returns nil, returns an error wrapped by Permanent
// (Do returns the wrapped error), or ctx ends (Do returns the last error
// joined with ctx's). Before each wait it calls notify, if set, with the
// failure, how many failures in a row there were and the wait.
func Do(ctx context.Context, p Policy, op func(ctx context.Context) error, notify func(err error, failures int, wait time.Duration)) error {
	b := p.New()
	for failures := 1; ; failures++ {
		err := op(ctx)
		if err == nil {
			return nil
		}
		var perm permanent
		if errors.As(err, &perm) {
			return perm.err
		}
		if ctx.Err() != nil {
			return errors.Join(err, ctx.Err())
		}
		wait := b.Next()
		if notify != nil {
			notify(err, failures, wait)
		}
		if !Sleep(ctx, wait) {
			return errors.Join(err, ctx.Err())
		}
	}
}

// Sleep waits d, or less when ctx ends first (then false).
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
