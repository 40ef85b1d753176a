package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/tombstone"
	"github.com/lettertomyself/ltm/apps/platform/tombstone/tombstonetest"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/work"
)

func rowsOf(t *testing.T, pool *pgxpool.Pool, user uuid.UUID) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM due_work WHERE user_id = $1`, user).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// After the purge no event for the user leaves a row: not a letter, not a
// routine, not even the cancelled tombstone row a late letter.deleted (the
// letter service's purge sends one per letter) would have left forever.
func TestADeletedUsersEventsScheduleNothing(t *testing.T) {
	s, pool := newStore(t)
	user := uuid.New()
	l := addLetter(t, s, user, t0.Add(time.Hour))
	if _, err := s.PurgeUser(ctx, ev(), user); err != nil {
		t.Fatal(err)
	}
	letter, _ := work.NewLetter(uuid.New(), user, t0.Add(time.Hour), written)
	routine := work.NewRecurring(work.RoutineReminder, uuid.New(), user, weeklyAt(t, time.Monday, "09:00"), map[string]any{"title": "r"}, t0, t0)
	if _, err := s.ScheduleLetter(ctx, ev(), letter); !errors.Is(err, tombstone.ErrGone) {
		t.Errorf("ScheduleLetter after the purge: %v", err)
	}
	if _, err := s.UpsertRecurring(ctx, ev(), routine); !errors.Is(err, tombstone.ErrGone) {
		t.Errorf("UpsertRecurring after the purge: %v", err)
	}
	if _, err := s.Cancel(ctx, ev(), work.LetterOpened, l, user, t0); !errors.Is(err, tombstone.ErrGone) {
		t.Errorf("Cancel after the purge: %v", err)
	}
	if n := rowsOf(t, pool, user); n != 0 {
		t.Fatalf("%d rows of the deleted user", n)
	}
}

// TestEventsRacingThePurgeLeaveNothing: letter and routine events race
// user.deleted, many times; no row of the user survives.
func TestEventsRacingThePurgeLeaveNothing(t *testing.T) {
	s, pool := newStore(t)
	sc := weeklyAt(t, time.Monday, "09:00")
	tombstonetest.Race{
		Write: func(user uuid.UUID, w, i int) error {
			if (w+i)%2 == 0 {
				it, _ := work.NewLetter(uuid.New(), user, t0.Add(time.Hour), written)
				_, err := s.ScheduleLetter(ctx, ev(), it)
				return err
			}
			_, err := s.UpsertRecurring(ctx, ev(), work.NewRecurring(work.RoutineReminder, uuid.New(), user, sc, map[string]any{"title": "r"}, t0, t0))
			return err
		},
		Purge: func(_ int, user uuid.UUID) error { _, err := s.PurgeUser(ctx, ev(), user); return err },
		Left:  func(user uuid.UUID) (int, error) { return rowsOf(t, pool, user), nil },
	}.Run(t)
}
