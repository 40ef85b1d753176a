package postgres_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/delivery"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"
	"github.com/lettertomyself/ltm/apps/platform/tombstone/tombstonetest"

	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
	"github.com/lettertomyself/ltm/apps/letter/internal/postgres"
)

func (f fixture) letters(t *testing.T, user uuid.UUID) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM letters WHERE user_id = $1`, user).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f fixture) purge(t *testing.T, user uuid.UUID) {
	t.Helper()
	ev, _ := delivery.New("letter-service/user.deleted", uuid.NewString())
	if _, err := f.store.DeleteUser(ctx, ev, user); err != nil {
		t.Fatal(err)
	}
}

func draft(t *testing.T, user uuid.UUID) letter.Letter {
	t.Helper()
	l, err := letter.New(uuid.New(), user, letter.Draft{Title: "t", Content: "c", OpenDate: "2026-03-11"}, seoul, t0)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestADeletedUserCannotWriteAgain(t *testing.T) {
	f := newFixture(t)
	user, other := uuid.New(), uuid.New()
	l := f.write(t, user, t0, "2026-03-10", "a", "a")
	f.purge(t, user)

	if err := f.store.Create(ctx, draft(t, user)); !errors.Is(err, tombstone.ErrGone) {
		t.Fatalf("Create after the purge = %v, want tombstone.ErrGone", err)
	}
	ev, _ := delivery.New("letter-service/emotion.analyzed", "late")
	a := letter.Analysis{LetterID: l.ID(), UserID: user, Mood: "joy", AnalyzedAt: t0}
	if _, err := f.store.ApplyAnalysis(ctx, ev, a); !errors.Is(err, tombstone.ErrGone) {
		t.Fatalf("ApplyAnalysis after the purge = %v, want tombstone.ErrGone", err)
	}
	if n := f.letters(t, user); n != 0 {
		t.Fatalf("%d letters of the deleted user", n)
	}
	// A second user.deleted (another event id) is harmless.
	f.purge(t, user)
	f.write(t, other, t0, "2026-03-10", "b", "b")
}

// TestWritesRacingThePurgeLeaveNoLetter: writers keep creating letters
// while the purge runs, many times; every letter either went before the
// purge (and was purged) or was refused.
func TestWritesRacingThePurgeLeaveNoLetter(t *testing.T) {
	f := newFixture(t)
	tombstonetest.Race{
		Writes: 5,
		Write: func(user uuid.UUID, _, _ int) error {
			l, err := letter.New(uuid.New(), user, letter.Draft{Title: "t", Content: "c", OpenDate: "2026-03-11"}, seoul, t0)
			if err != nil {
				return err
			}
			return f.store.Create(ctx, l)
		},
		Purge: func(round int, user uuid.UUID) error {
			time.Sleep(time.Duration(round%5) * time.Millisecond)
			ev, _ := delivery.New("letter-service/user.deleted", uuid.NewString())
			_, err := f.store.DeleteUser(ctx, ev, user)
			return err
		},
		Left: func(user uuid.UUID) (int, error) { return f.letters(t, user), nil },
	}.Run(t)
}

// BenchmarkCreate is a letter write (encrypt, insert, outbox, commit) as
// letter-service does it, without and with the tombstone guard,
// alternating within each iteration so both see the same load; it reports
// the median of each (µs) and of their difference.
func BenchmarkCreate(b *testing.B) {
	f := newFixture(b)
	plainStore := postgres.Unguarded(f.store)
	user := uuid.New()
	create := func(s *postgres.Store) time.Duration {
		l, _ := letter.New(uuid.New(), user, letter.Draft{Title: "t", Content: "c", OpenDate: "2026-03-11"}, seoul, t0)
		start := time.Now()
		if err := s.Create(ctx, l); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var plain, guarded, diff []float64
	for b.Loop() {
		p, g := create(plainStore), create(f.store)
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
