// Package reload keeps keys that come from the secret store loaded, the
// same way in every service: nothing is read before the sidecar is
// connected; a first load that fails is retried with back-off (the service
// answers 503 meanwhile); once loaded, the keys are re-read every interval
// so a rotation reaches running replicas without a restart, and a failed
// re-read keeps what is loaded.
package reload

import (
	"context"
	"log/slog"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/retry"
)

// Secrets reads the secret store (daprx.Sidecar is one). OptionalSecret
// answers "" and no error only when the store says the secret does not
// exist; any other failure (store unreachable, access denied) is an error,
// so a broken optional secret is never mistaken for an absent one.
type Secrets interface {
	Secret(ctx context.Context, key string) (string, error)
	OptionalSecret(ctx context.Context, key string) (string, error)
}

// Loop runs Load until ctx is done.
type Loop struct {
	// What names the keys in logs, e.g. "signing keys".
	What string
	// Load reads the keys and installs them; on error it installs
	// nothing. It logs a change itself (it knows the key ids).
	Load func(ctx context.Context) error
	// Connected is closed once the sidecar is reachable.
	Connected <-chan struct{}
	// Interval is the re-read period; 0 stops after the first load.
	Interval time.Duration
	// FirstRetry is the first wait after a failed first load, doubling up
	// to 30s (retry.Default); default 1s.
	FirstRetry time.Duration
	Log        *slog.Logger
}

// Run is a service worker. Failing to load is never fatal.
func (l *Loop) Run(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-l.Connected:
	}
	// The first load is retried until it succeeds: the service answers 503
	// until it has keys, and nothing else can fix that.
	policy := retry.Default
	if l.FirstRetry > 0 {
		policy.First = l.FirstRetry
	}
	err := retry.Do(ctx, policy, l.Load, func(err error, _ int, wait time.Duration) {
		// The error names the secret, never its value.
		l.Log.ErrorContext(ctx, l.What+" not loaded; retrying", "err", err, "retry_in", wait.Round(time.Millisecond).String())
	})
	if err != nil {
		return nil // only ctx ends it
	}
	if l.Interval <= 0 {
		return nil
	}
	for retry.Sleep(ctx, l.Interval) {
		if err := l.Load(ctx); err != nil && ctx.Err() == nil {
			l.Log.WarnContext(ctx, "reloading "+l.What+" failed; keeping the loaded ones", "err", err)
		}
	}
	return nil
}
