package outbox_test

import (
	"context"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/outbox"
	"github.com/lettertomyself/ltm/apps/platform/pg"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
)

// How many events a second one relay moves from the table to a publisher
// that answers at once: the ceiling the outbox puts on a service.
func BenchmarkRelayDrain(b *testing.B) {
	pool := pgtest.New(b, pg.Migrations{Table: "outbox_version", FS: outbox.Migrations()})
	ctx := context.Background()
	relay := outbox.NewRelay(pool, &recorder{}, quiet)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		tx, err := pool.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for i := range 100 {
			if _, err := outbox.Enqueue(ctx, tx, "bench.event", map[string]int{"n": i}); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := relay.Drain(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "events/s")
}
