package postgres_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/postgres"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/sweep"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/work"
)

// BenchmarkSweepDueLetters is one sweep of 2,000 letters due at once (the
// system benchmark's P3 has 10,000), at the service's batch size; ns/op
// is the whole pass, ms/letter the same per letter. Real Postgres.
func BenchmarkSweepDueLetters(b *testing.B) {
	const letters = 2000
	pool := pgtest.New(b, service.Migrations(postgres.Migrations())...)
	s := postgres.New(pool, quiet)
	user := uuid.New()
	for b.Loop() {
		b.StopTimer()
		for range letters {
			it, err := work.NewLetter(uuid.New(), user, t0, written)
			if err != nil {
				b.Fatal(err)
			}
			if ok, err := s.ScheduleLetter(ctx, ev(), it); err != nil || !ok {
				b.Fatalf("schedule letter: %v %v", ok, err)
			}
		}
		sw := sweep.New(s, clock.NewFake(t0.Add(time.Second)), quiet, sweep.Options{CatchUpWindow: window, BatchSize: 100, MaxBatches: 1000})
		b.StartTimer()
		if err := sw.Run(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*letters), "ms/letter")
}
