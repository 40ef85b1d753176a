package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
	"github.com/lettertomyself/ltm/apps/platform/retry"
)

// JobPolicy tunes re-analysis dispatch.
type JobPolicy struct {
	// Concurrency bounds the analyses one job asks for at once (default 4):
	// emotion-ml is one service shared by every writer.
	Concurrency int
	// Attempts per call to letter-service or emotion-ml before the job
	// fails (default 5), with Backoff doubling between them (default 1s).
	Attempts int
	Backoff  time.Duration
	// Resume is how often jobs left running (by a restart, or a full
	// queue) are picked up again (default 1 minute).
	Resume time.Duration
}

func (p JobPolicy) withDefaults() JobPolicy {
	if p.Concurrency <= 0 {
		p.Concurrency = 4
	}
	if p.Attempts <= 0 {
		p.Attempts = 5
	}
	if p.Backoff <= 0 {
		p.Backoff = time.Second
	}
	if p.Resume <= 0 {
		p.Resume = time.Minute
	}
	return p
}

type jobRef struct{ userID, jobID string }

// errRefused marks emotion-ml refusing or staying unreachable past the
// attempts: the job fails. Any other dispatch error (the state store) is
// left to the next resume.
var errRefused = errors.New("emotion-ml did not take the analysis")

// jobRunner dispatches each job once per process. Jobs are recorded as
// running in the store before they are submitted, so anything lost here
// (a restart, a full queue) is found again by resume.
type jobRunner struct {
	s      *Service
	policy JobPolicy
	queue  chan jobRef

	mu sync.Mutex
	// seen holds the jobs being dispatched or dispatched already by this
	// process (then only their results are awaited), so resume does not
	// ask emotion-ml again every tick.
	seen map[jobRef]bool
}

func newJobRunner(s *Service, p JobPolicy) *jobRunner {
	return &jobRunner{s: s, policy: p, queue: make(chan jobRef, 64), seen: map[jobRef]bool{}}
}

func (r *jobRunner) submit(userID, jobID string) {
	select {
	case r.queue <- jobRef{userID, jobID}:
	default:
		r.s.Log.Warn("re-analysis queue full; the job starts with the next resume", "job_id", jobID)
	}
}

func (r *jobRunner) run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	start := func(ref jobRef) {
		r.mu.Lock()
		if r.seen[ref] {
			r.mu.Unlock()
			return
		}
		r.seen[ref] = true
		r.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := r.dispatch(ctx, ref)
			if err != nil && ctx.Err() == nil {
				r.s.Log.Error("re-analysis dispatch failed", "job_id", ref.jobID, "err", err)
			}
			if err != nil {
				// Not dispatched (or closed): the next resume looks again.
				r.mu.Lock()
				delete(r.seen, ref)
				r.mu.Unlock()
			}
		}()
	}
	resume := func() {
		running, err := r.s.Store.Running(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.s.Log.Warn("listing running re-analyses failed; trying again later", "err", err)
			}
			return
		}
		for user, job := range running {
			start(jobRef{user, job})
		}
	}
	resume()
	tick := time.NewTicker(r.policy.Resume)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ref := <-r.queue:
			start(ref)
		case <-tick.C:
			resume()
		}
	}
}

// dispatch lists the job's letters (once) and asks emotion-ml to analyse
// each one whose result has not arrived. Asking twice is harmless:
// emotion-ml is idempotent per letter and job id, and the record counts a
// letter once.
func (r *jobRunner) dispatch(ctx context.Context, ref jobRef) error {
	s := r.s
	rec, err := s.Store.Record(ctx, ref.userID)
	if err != nil {
		return err
	}
	job, err := rec.Job(ref.jobID)
	if err != nil || job.Status(s.Clock.Now()) != emotion.JobRunning {
		// Finished, timed out, or purged with its user: nothing to do.
		return r.closeJob(ctx, ref)
	}
	if !job.Listed() {
		var letters []string
		err := r.retry(ctx, func() error {
			var err error
			letters, err = s.Letters.List(ctx, ref.userID)
			return err
		})
		if err != nil {
			return r.fail(ctx, ref, fmt.Errorf("list letters: %w", err))
		}
		if err := s.Store.Update(ctx, ref.userID, func(rec *emotion.Record) (bool, error) {
			return rec.SetJobLetters(ref.jobID, letters, s.Clock.Now()), nil
		}); err != nil {
			return err
		}
		if rec, err = s.Store.Record(ctx, ref.userID); err != nil {
			return err
		}
		if job, err = rec.Job(ref.jobID); err != nil {
			return r.closeJob(ctx, ref)
		}
	}
	if job.Status(s.Clock.Now()) != emotion.JobRunning {
		return r.closeJob(ctx, ref)
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.policy.Concurrency)
	for _, letterID := range job.Pending() {
		g.Go(func() error {
			err := r.retry(gctx, func() error { return s.Analyzer.Analyze(gctx, letterID, ref.userID, ref.jobID) })
			if errors.Is(err, emotion.ErrLetterGone) {
				return s.Store.Update(gctx, ref.userID, func(rec *emotion.Record) (bool, error) {
					return rec.DropJobLetter(ref.jobID, letterID, s.Clock.Now()), nil
				})
			}
			if err != nil {
				return fmt.Errorf("%w: letter %s: %w", errRefused, letterID, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil // shutting down: the next start resumes the job
		}
		if errors.Is(err, errRefused) {
			return r.fail(ctx, ref, err)
		}
		return err // the state store: the next resume tries again
	}
	// Dropping letters may have finished the job.
	rec, err = s.Store.Record(ctx, ref.userID)
	if err != nil {
		return err
	}
	if j, err := rec.Job(ref.jobID); err != nil || j.Status(s.Clock.Now()) != emotion.JobRunning {
		return r.closeJob(ctx, ref)
	}
	return nil
}

// fail marks the job failed after a permanent refusal or exhausted
// retries; while shutting down the job is left for the next start.
func (r *jobRunner) fail(ctx context.Context, ref jobRef, cause error) error {
	if ctx.Err() != nil {
		return nil
	}
	s := r.s
	if err := s.Store.Update(ctx, ref.userID, func(rec *emotion.Record) (bool, error) {
		return rec.FailJob(ref.jobID, s.Clock.Now()), nil
	}); err != nil {
		return err
	}
	if err := r.closeJob(ctx, ref); err != nil {
		return err
	}
	return fmt.Errorf("re-analysis %s failed: %w", ref.jobID, cause)
}

// closeJob takes a job that no longer runs off the running list.
func (r *jobRunner) closeJob(ctx context.Context, ref jobRef) error {
	r.mu.Lock()
	delete(r.seen, ref)
	r.mu.Unlock()
	return r.s.Store.SetRunning(ctx, ref.userID, ref.jobID, false)
}

// retry calls f until it succeeds, fails permanently (or with the letter
// gone), ctx ends, or the attempts run out, backing off as every platform
// worker does from the policy's Backoff.
func (r *jobRunner) retry(ctx context.Context, f func() error) error {
	attempts := 0
	return retry.Do(ctx, retry.Policy{First: r.policy.Backoff, Max: 30 * time.Second, Jitter: 0.2}, func(context.Context) error {
		attempts++
		err := f()
		if err != nil && (isPermanent(err) || errors.Is(err, emotion.ErrLetterGone) || attempts >= r.policy.Attempts) {
			return retry.Permanent(err)
		}
		return err
	}, nil)
}
