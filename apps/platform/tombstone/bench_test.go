package tombstone_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/lettertomyself/ltm/apps/platform/tombstone"
)

// BenchmarkWrite is one small write (an insert in its own transaction),
// without and with Guard, alternating within each iteration so that both
// see the same load on a busy machine; it reports the median of each
// (µs) and of their difference, which is what the tombstone adds to every
// write of every service: one round trip carrying the shared lock and the
// lookup.
func BenchmarkWrite(b *testing.B) {
	pool := newPool(b)
	ctx := context.Background()
	user := uuid.New()
	write := func(guard bool) time.Duration {
		start := time.Now()
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if guard {
				if err := tombstone.Guard(ctx, tx, user); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO notes (id, user_id) VALUES ($1, $2)`, uuid.New(), user)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var plain, guarded, diff []float64
	for b.Loop() {
		p, g := write(false), write(true)
		plain = append(plain, float64(p.Microseconds()))
		guarded = append(guarded, float64(g.Microseconds()))
		diff = append(diff, float64((g - p).Microseconds()))
	}
	b.ReportMetric(median(plain), "unguarded-µs")
	b.ReportMetric(median(guarded), "guarded-µs")
	b.ReportMetric(median(diff), "added-µs")
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
