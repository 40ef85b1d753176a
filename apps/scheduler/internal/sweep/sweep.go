// Package sweep is the scheduler's periodic pass over due work, driven by
// the scheduler-sweep cron binding, which fires on every replica. Each pass
// claims due items batch by batch (the store makes every batch atomic and
// disjoint from other sweepers'), and records when it last ran so
// operators can see the scheduler is alive (GET /internal/status).
package sweep

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/work"
)

// Store is what a sweep needs from storage: part of work.Store.
type Store interface {
	SweepBatch(ctx context.Context, now time.Time, limit int, plan work.Planner) (work.Batch, error)
	Stats(ctx context.Context, now time.Time) (work.Stats, error)
}

// Options tune the sweep.
type Options struct {
	// CatchUpWindow: recurring occurrences due longer ago are skipped.
	CatchUpWindow time.Duration
	// BatchSize is how many items one transaction claims.
	BatchSize int
	// MaxBatches bounds one pass, so a tick always ends; the next tick
	// carries on with what is left.
	MaxBatches int
}

// Status is what /internal/status reports.
type Status struct {
	Sweeps       int64      `json:"sweeps"`
	FailedSweeps int64      `json:"failed_sweeps"`
	LastSweepAt  *time.Time `json:"last_sweep_at"`
	// LastError is the last failed sweep's error, cleared by a good one.
	LastError string `json:"last_error,omitempty"`
	// Sent and Skipped count occurrences since start, on this replica.
	Sent    int64 `json:"sent"`
	Skipped int64 `json:"skipped"`

	Pending             int64   `json:"pending"`
	Due                 int64   `json:"due"`
	OldestDueAgeSeconds float64 `json:"oldest_due_age_seconds"`
}

// Sweeper runs sweeps and remembers their outcome.
type Sweeper struct {
	store Store
	clock clock.Clock
	log   *slog.Logger
	opts  Options

	mu     sync.Mutex
	status Status
}

// New returns a sweeper reading time from c.
func New(store Store, c clock.Clock, log *slog.Logger, opts Options) *Sweeper {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.MaxBatches <= 0 {
		// 20,000 items at the default batch size: 10,000 letters due in
		// one minute go out in one pass instead of waiting a tick for the
		// second half. A pass longer than a tick overlaps the next one,
		// which claims other rows (SKIP LOCKED).
		opts.MaxBatches = 200
	}
	return &Sweeper{store: store, clock: c, log: log, opts: opts}
}

// Run performs one sweep: batches until one finds nothing left to claim.
func (s *Sweeper) Run(ctx context.Context) error {
	now := s.clock.Now()
	plan := func(it work.Item) work.Outcome { return work.Plan(it, now, s.opts.CatchUpWindow) }
	var sent, skipped int
	var err error
	for range s.opts.MaxBatches {
		var b work.Batch
		b, err = s.store.SweepBatch(ctx, now, s.opts.BatchSize, plan)
		if err != nil {
			break
		}
		sent += len(b.Sent)
		skipped += b.Skipped
		// Not "fewer than a batch": skipping stale occurrences can move an
		// item to one that is due now, which the next batch sends.
		if b.Claimed == 0 {
			break
		}
	}
	if sent > 0 || skipped > 0 {
		s.log.InfoContext(ctx, "sweep", "sent", sent, "skipped", skipped)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.status.LastSweepAt = &now
	s.status.Sent += int64(sent)
	s.status.Skipped += int64(skipped)
	if err != nil {
		s.status.FailedSweeps++
		s.status.LastError = err.Error()
		return err
	}
	s.status.Sweeps++
	s.status.LastError = ""
	return nil
}

// Status returns this replica's sweep record and the shared backlog.
func (s *Sweeper) Status(ctx context.Context) (Status, error) {
	now := s.clock.Now()
	st, err := s.store.Stats(ctx, now)
	s.mu.Lock()
	out := s.status
	s.mu.Unlock()
	if err != nil {
		return out, err
	}
	out.Pending, out.Due = st.Pending, st.Due
	out.OldestDueAgeSeconds = st.OldestDueAge.Seconds()
	return out, nil
}
