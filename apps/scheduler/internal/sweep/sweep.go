// Package sweep is the scheduler's periodic pass over due work, driven by
// the scheduler-sweep cron binding. It records when it last ran so
// operators can see the scheduler is alive (GET /internal/status).
package sweep

import (
	"context"
	"sync"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"
)

// Status is what the last sweeps looked like.
type Status struct {
	LastSweepAt *time.Time `json:"last_sweep_at"`
	Sweeps      int64      `json:"sweeps"`
}

// Sweeper runs sweeps and remembers their outcome.
type Sweeper struct {
	clock clock.Clock

	mu     sync.Mutex
	status Status
}

// New returns a sweeper reading time from c.
func New(c clock.Clock) *Sweeper { return &Sweeper{clock: c} }

// Run performs one sweep.
func (s *Sweeper) Run(ctx context.Context) error {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status.LastSweepAt = &now
	s.status.Sweeps++
	return nil
}

// Status returns a snapshot.
func (s *Sweeper) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}
