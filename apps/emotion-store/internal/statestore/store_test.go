package statestore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
	"github.com/lettertomyself/ltm/apps/emotion-store/internal/statestore"
	"github.com/lettertomyself/ltm/apps/emotion-store/internal/statestore/statestoretest"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func analysis(t *testing.T, letter, mood, detailed string, analysed time.Time, job string) emotion.Result {
	t.Helper()
	r, err := emotion.NewResult(letter, mood, detailed, t0, analysed, job)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func apply(ctx context.Context, s *statestore.Store, user string, r emotion.Result) error {
	return s.Update(ctx, user, func(rec *emotion.Record) (bool, error) { return rec.Apply(r, t0), nil })
}

func moods(t *testing.T, s *statestore.Store, user string) map[string]emotion.Mood {
	t.Helper()
	rec, err := s.Record(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]emotion.Mood{}
	for _, r := range rec.Results() {
		out[r.LetterID()] = r.Mood()
	}
	return out
}

func TestStoreThroughTheSidecar(t *testing.T) {
	sidecar := statestoretest.Sidecar(t)
	s := statestoretest.On(t, sidecar)
	ctx := context.Background()

	t.Run("the same event twice counts once", func(t *testing.T) {
		r := analysis(t, "l1", "sadness", "loss", t0, "")
		for range 2 {
			if err := apply(ctx, s, "u-idem", r); err != nil {
				t.Fatal(err)
			}
		}
		if got := moods(t, s, "u-idem"); len(got) != 1 || got["l1"] != emotion.Sadness {
			t.Errorf("record = %v, want one sad letter", got)
		}
	})

	t.Run("concurrent events for one user all count, across replicas", func(t *testing.T) {
		// Two replicas of the service, nine deliveries each at once: the
		// replicas race for the user's document (its very first write
		// too), which only the ETag keeps from losing writes. (Two, not
		// more: every lost race counts towards the breaker.)
		replicas := []*statestore.Store{s, statestoretest.On(t, sidecar)}
		const n = 18
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				errs <- apply(ctx, replicas[i%len(replicas)], "u-race", analysis(t, fmt.Sprintf("l%02d", i), "joy", "gratitude", t0, ""))
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if got := moods(t, s, "u-race"); len(got) != n {
			t.Errorf("%d letters stored, want %d: a concurrent write was lost", len(got), n)
		}
	})

	t.Run("one process's writers queue instead of tripping the state store's breaker", func(t *testing.T) {
		// Racing 40 writers would fail dozens of saves in a row, and the
		// resiliency policy's breaker opens after 10, for every user.
		const n = 40
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				errs <- apply(ctx, s, "u-burst", analysis(t, fmt.Sprintf("l%02d", i), "sadness", "loss", t0, ""))
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if got := moods(t, s, "u-burst"); len(got) != n {
			t.Errorf("%d letters stored, want %d", len(got), n)
		}
	})

	t.Run("a re-analysis replaces, never double-counts", func(t *testing.T) {
		if err := apply(ctx, s, "u-re", analysis(t, "l1", "anger", "rage", t0, "")); err != nil {
			t.Fatal(err)
		}
		if err := apply(ctx, s, "u-re", analysis(t, "l1", "love", "respect", t0.Add(time.Hour), "job-1")); err != nil {
			t.Fatal(err)
		}
		// The first analysis redelivered late.
		if err := apply(ctx, s, "u-re", analysis(t, "l1", "anger", "rage", t0, "")); err != nil {
			t.Fatal(err)
		}
		rec, err := s.Record(ctx, "u-re")
		if err != nil {
			t.Fatal(err)
		}
		sum := emotion.Summarize(rec.Results(), t0)
		if sum.Analysed != 1 || sum.Moods[emotion.Love] != 1 || sum.Moods[emotion.Anger] != 0 {
			t.Errorf("summary = %+v, want one letter, love", sum)
		}
	})

	t.Run("purge removes the user and late events stay out", func(t *testing.T) {
		if err := apply(ctx, s, "u-gone", analysis(t, "l1", "joy", "ecstasy", t0, "")); err != nil {
			t.Fatal(err)
		}
		purge := func(rec *emotion.Record) (bool, error) { return rec.Purge(t0), nil }
		if err := s.Update(ctx, "u-gone", purge); err != nil {
			t.Fatal(err)
		}
		if err := apply(ctx, s, "u-gone", analysis(t, "l2", "joy", "ecstasy", t0, "")); err != nil {
			t.Fatal(err)
		}
		rec, err := s.Record(ctx, "u-gone")
		if err != nil {
			t.Fatal(err)
		}
		if !rec.Purged() || len(rec.Results()) != 0 {
			t.Errorf("after purge: purged %v, %d results", rec.Purged(), len(rec.Results()))
		}
	})

	t.Run("a job survives in the store", func(t *testing.T) {
		err := s.Update(ctx, "u-job", func(rec *emotion.Record) (bool, error) {
			_, started, err := rec.StartJob("job-7", t0)
			return started, err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Update(ctx, "u-job", func(rec *emotion.Record) (bool, error) {
			return rec.SetJobLetters("job-7", []string{"a", "b"}, t0), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := apply(ctx, s, "u-job", analysis(t, "a", "neutral", "", t0, "job-7")); err != nil {
			t.Fatal(err)
		}
		rec, err := s.Record(ctx, "u-job")
		if err != nil {
			t.Fatal(err)
		}
		j, err := rec.Job("job-7")
		if err != nil {
			t.Fatal(err)
		}
		if j.Status(t0) != emotion.JobRunning || j.Total() != 2 || j.Done() != 1 {
			t.Errorf("job = %s %d/%d, want running 1/2", j.Status(t0), j.Done(), j.Total())
		}
	})

	t.Run("the running list under concurrent writers", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				if err := s.SetRunning(ctx, fmt.Sprintf("user-%d", i), fmt.Sprintf("job-%d", i), true); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if err := s.SetRunning(ctx, "user-3", "another-job", false); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRunning(ctx, "user-4", "", false); err != nil {
			t.Fatal(err)
		}
		running, err := s.Running(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(running) != 7 || running["user-3"] != "job-3" || running["user-4"] != "" {
			t.Errorf("running = %v, want 7 users, user-3 kept (other job id), user-4 removed", running)
		}
	})
}
