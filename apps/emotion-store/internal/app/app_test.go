package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/app"
	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
	"github.com/lettertomyself/ltm/apps/emotion-store/internal/statestore/statestoretest"
)

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// letterService and emotionML stand in for the two services a
// re-analysis calls.
type letterService struct {
	letters []string
	err     error
}

func (l letterService) List(context.Context, string) ([]string, error) { return l.letters, l.err }

type emotionML struct {
	mu    sync.Mutex
	asked []string
	// answer decides each letter's outcome (nil: accepted).
	answer func(letterID string, attempt int) error
	tries  map[string]int
}

func (e *emotionML) Analyze(_ context.Context, letterID, _, _ string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tries == nil {
		e.tries = map[string]int{}
	}
	e.tries[letterID]++
	if e.answer != nil {
		if err := e.answer(letterID, e.tries[letterID]); err != nil {
			return err
		}
	}
	e.asked = append(e.asked, letterID)
	return nil
}

func (e *emotionML) accepted() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := slices.Clone(e.asked)
	slices.Sort(out)
	return slices.Compact(out)
}

func newService(t *testing.T, st emotion.Store, letters emotion.Letters, ml emotion.Analyzer) *app.Service {
	t.Helper()
	comforts, err := emotion.LoadComforts()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var mu sync.Mutex
	return app.New(app.Deps{
		Store: st, Letters: letters, Analyzer: ml, Comforts: comforts, Clock: clock.NewFake(now),
		NewID: func() string { mu.Lock(); defer mu.Unlock(); n++; return fmt.Sprintf("job-%d", n) },
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Jobs:  app.JobPolicy{Concurrency: 2, Attempts: 3, Backoff: time.Millisecond, Resume: 20 * time.Millisecond},
	})
}

// runJobs runs the job worker until the test ends.
func runJobs(t *testing.T, svc *app.Service) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.RunJobs(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunJobs: %v", err)
		}
	})
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func status(t *testing.T, svc *app.Service, user, job string) app.JobView {
	t.Helper()
	v, err := svc.Job(context.Background(), user, job)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAJobLeftRunningIsResumedByTheNextProcess(t *testing.T) {
	st := statestoretest.New(t)
	ctx := context.Background()
	// The first process recorded the job, then died before dispatching.
	first := newService(t, st, letterService{letters: []string{"a", "b"}}, &emotionML{})
	id, err := first.StartReanalysis(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}

	ml := &emotionML{}
	second := newService(t, st, letterService{letters: []string{"a", "b"}}, ml)
	runJobs(t, second)
	eventually(t, "emotion-ml to be asked for both letters", func() bool { return len(ml.accepted()) == 2 })

	for _, l := range []string{"a", "b"} {
		if err := second.ApplyAnalysis(ctx, app.Analyzed{LetterID: l, UserID: "u1", Mood: "neutral", WrittenAt: now, AnalyzedAt: now, JobID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if v := status(t, second, "u1", id); v != (app.JobView{Status: emotion.JobDone, Total: 2, Done: 2}) {
		t.Errorf("job = %+v, want done 2/2", v)
	}
	running, err := st.Running(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := running["u1"]; ok {
		t.Error("a finished job is still listed as running")
	}
}

func TestAJobDropsLettersThatAreGoneAndRetriesTransientFailures(t *testing.T) {
	st := statestoretest.New(t)
	ml := &emotionML{answer: func(letter string, attempt int) error {
		switch {
		case letter == "gone":
			return fmt.Errorf("%w: 404", emotion.ErrLetterGone)
		case letter == "flaky" && attempt < 3:
			return errors.New("emotion-ml: 503")
		}
		return nil
	}}
	svc := newService(t, st, letterService{letters: []string{"gone", "flaky", "ok"}}, ml)
	runJobs(t, svc)
	ctx := context.Background()
	id, err := svc.StartReanalysis(ctx, "u2")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the dispatch to settle", func() bool {
		v := status(t, svc, "u2", id)
		return v.Total == 2 && len(ml.accepted()) == 2
	})
	if got := ml.accepted(); !slices.Equal(got, []string{"flaky", "ok"}) {
		t.Errorf("accepted %v, want flaky (third attempt) and ok", got)
	}
	for _, l := range []string{"flaky", "ok"} {
		if err := svc.ApplyAnalysis(ctx, app.Analyzed{LetterID: l, UserID: "u2", Mood: "joy", Detailed: "ecstasy", WrittenAt: now, AnalyzedAt: now, JobID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if v := status(t, svc, "u2", id); v.Status != emotion.JobDone {
		t.Errorf("job = %+v, want done", v)
	}
}

func TestAJobFails(t *testing.T) {
	tests := []struct {
		name    string
		letters letterService
		answer  func(string, int) error
	}{
		{"letter-service refuses", letterService{err: fmt.Errorf("%w: 400", emotion.ErrPermanent)}, nil},
		{"emotion-ml stays down", letterService{letters: []string{"a"}}, func(string, int) error { return errors.New("503") }},
		{"emotion-ml refuses", letterService{letters: []string{"a"}}, func(string, int) error { return fmt.Errorf("%w: 400", emotion.ErrPermanent) }},
	}
	st := statestoretest.New(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := newService(t, st, tt.letters, &emotionML{answer: tt.answer})
			runJobs(t, svc)
			user := fmt.Sprintf("fail-%d", i)
			id, err := svc.StartReanalysis(context.Background(), user)
			if err != nil {
				t.Fatal(err)
			}
			eventually(t, "the job to fail", func() bool { return status(t, svc, user, id).Status == emotion.JobFailed })
		})
	}
}

func TestEventsForAMalformedPayloadArePoison(t *testing.T) {
	svc := newService(t, statestoretest.New(t), letterService{}, &emotionML{})
	ctx := context.Background()
	for name, err := range map[string]error{
		"analysis without user":   svc.ApplyAnalysis(ctx, app.Analyzed{LetterID: "l", Mood: "joy", Detailed: "ecstasy", WrittenAt: now, AnalyzedAt: now}),
		"unknown mood":            svc.ApplyAnalysis(ctx, app.Analyzed{LetterID: "l", UserID: "u", Mood: "meh", WrittenAt: now, AnalyzedAt: now}),
		"letter.deleted, no user": svc.RemoveLetter(ctx, "", "l"),
		"user.deleted, no user":   svc.PurgeUser(ctx, ""),
	} {
		if !errors.Is(err, emotion.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

// countingStore counts how often the job worker looked for running jobs.
type countingStore struct {
	emotion.Store
	mu      sync.Mutex
	lookups int
}

func (c *countingStore) Running(ctx context.Context) (map[string]string, error) {
	c.mu.Lock()
	c.lookups++
	c.mu.Unlock()
	return c.Store.Running(ctx)
}

func (c *countingStore) seen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lookups
}

func TestResumeDoesNotAskAgainWhileResultsAreAwaited(t *testing.T) {
	st := &countingStore{Store: statestoretest.New(t)}
	ml := &emotionML{}
	svc := newService(t, st, letterService{letters: []string{"a", "b"}}, ml)
	runJobs(t, svc)
	if _, err := svc.StartReanalysis(context.Background(), "u3"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "emotion-ml to be asked for both letters", func() bool { return len(ml.accepted()) == 2 })
	after := st.seen()
	eventually(t, "five more resume rounds", func() bool { return st.seen() >= after+5 })
	ml.mu.Lock()
	defer ml.mu.Unlock()
	for letter, n := range ml.tries {
		if n != 1 {
			t.Errorf("emotion-ml asked %d times for %s while its result was awaited", n, letter)
		}
	}
}
