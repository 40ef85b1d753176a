package reload_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/reload"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestFirstLoadWaitsForTheSidecarAndRetries: nothing is read before the
// sidecar connects; failures are retried until a load succeeds; with no
// interval the loop then ends.
func TestFirstLoadWaitsForTheSidecarAndRetries(t *testing.T) {
	var calls atomic.Int32
	connected := make(chan struct{})
	l := &reload.Loop{
		What: "keys", Connected: connected, FirstRetry: time.Millisecond, Log: quiet,
		Load: func(context.Context) error {
			if calls.Add(1) < 3 {
				return errors.New("secret store unreachable")
			}
			return nil
		},
	}
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	select {
	case <-done:
		t.Fatal("Run ended before the sidecar connected")
	default:
	}
	if calls.Load() != 0 {
		t.Fatal("loaded before the sidecar connected")
	}
	close(connected)
	if err := <-done; err != nil || calls.Load() != 3 {
		t.Errorf("Run = %v after %d loads, want nil after 3", err, calls.Load())
	}
}

// TestReloadsUntilCancelledAndSurvivesFailures: after the first load the
// keys are re-read every interval; a failed re-read does not end the loop.
func TestReloadsUntilCancelledAndSurvivesFailures(t *testing.T) {
	connected := make(chan struct{})
	close(connected)
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	l := &reload.Loop{
		What: "keys", Connected: connected, Interval: time.Millisecond, Log: quiet,
		Load: func(context.Context) error {
			n := calls.Add(1)
			if n == 5 {
				cancel()
			}
			if n%2 == 0 {
				return errors.New("rotation half done")
			}
			return nil
		},
	}
	if err := l.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 5 {
		t.Errorf("%d loads, want 5 (reloads go on after failures until cancelled)", calls.Load())
	}
}

// TestCancelledWhileWaitingForTheSidecar ends cleanly.
func TestCancelledWhileWaitingForTheSidecar(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l := &reload.Loop{What: "keys", Connected: make(chan struct{}), Log: quiet,
		Load: func(context.Context) error { t.Error("loaded without a sidecar"); return nil }}
	if err := l.Run(ctx); err != nil {
		t.Fatal(err)
	}
}
