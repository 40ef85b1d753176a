package postgres_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/tombstone"
	"github.com/lettertomyself/ltm/apps/platform/tombstone/tombstonetest"

	"github.com/lettertomyself/ltm/apps/routine/internal/routine"
)

func owned(t *testing.T, pool *pgxpool.Pool, user uuid.UUID) int {
	t.Helper()
	var n int
	err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM routines WHERE user_id = $1) + (SELECT count(*) FROM special_dates WHERE user_id = $1)`, user).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestADeletedUserCannotWriteAgain(t *testing.T) {
	store, pool := newStore(t)
	user := uuid.New()
	r, d := newWeekly(t, user), newDate(t, user)
	if err := store.CreateRoutine(ctx, r, "UTC"); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSpecialDate(ctx, d, "UTC"); err != nil {
		t.Fatal(err)
	}
	if err := store.PurgeUser(ctx, "routine-service", uuid.NewString(), user); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{
		"create routine":      store.CreateRoutine(ctx, newWeekly(t, user), "UTC"),
		"create special date": store.CreateSpecialDate(ctx, newDate(t, user), "UTC"),
	} {
		if !errors.Is(err, tombstone.ErrGone) {
			t.Errorf("%s after the purge: %v, want tombstone.ErrGone", what, err)
		}
	}
	if _, err := store.UpdateRoutine(ctx, user, r.ID(), "UTC", func(r routine.Routine) (routine.Routine, error) { return r, nil }); !errors.Is(err, tombstone.ErrGone) {
		t.Errorf("update routine after the purge: %v, want tombstone.ErrGone", err)
	}
	if _, err := store.UpdateSpecialDate(ctx, user, d.ID(), "UTC", func(d routine.SpecialDate) (routine.SpecialDate, error) { return d, nil }); !errors.Is(err, tombstone.ErrGone) {
		t.Errorf("update special date after the purge: %v, want tombstone.ErrGone", err)
	}
	if n := owned(t, pool, user); n != 0 {
		t.Fatalf("%d items of the deleted user", n)
	}
	if err := store.CreateRoutine(ctx, newWeekly(t, uuid.New()), "UTC"); err != nil {
		t.Fatalf("another user: %v", err)
	}
}

// TestWritesRacingThePurgeLeaveNothing: creates of both kinds race the
// purge, many times; nothing of the user survives.
func TestWritesRacingThePurgeLeaveNothing(t *testing.T) {
	store, pool := newStore(t)
	tombstonetest.Race{
		Write: func(user uuid.UUID, w, i int) error {
			if (w+i)%2 == 0 {
				return store.CreateRoutine(ctx, newWeekly(t, user), "UTC")
			}
			return store.CreateSpecialDate(ctx, newDate(t, user), "UTC")
		},
		Purge: func(_ int, user uuid.UUID) error {
			return store.PurgeUser(ctx, "routine-service", uuid.NewString(), user)
		},
		Left: func(user uuid.UUID) (int, error) { return owned(t, pool, user), nil },
	}.Run(t)
}
