package tombstone_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/pg"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"
	"github.com/lettertomyself/ltm/apps/platform/tombstone/tombstonetest"
)

func newPool(t testing.TB) *pgxpool.Pool {
	pool := pgtest.New(t, pg.Migrations{Table: "tombstone_version", FS: tombstone.Migrations()})
	if _, err := pool.Exec(context.Background(), `CREATE TABLE notes (id uuid PRIMARY KEY, user_id uuid NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return pool
}

// write is a guarded write of one note for user.
func write(ctx context.Context, pool *pgxpool.Pool, user uuid.UUID) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := tombstone.Guard(ctx, tx, user); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO notes (id, user_id) VALUES ($1, $2)`, uuid.New(), user)
		return err
	})
}

// purge buries user and deletes their notes.
func purge(ctx context.Context, pool *pgxpool.Pool, user uuid.UUID) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := tombstone.Bury(ctx, tx, user); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM notes WHERE user_id = $1`, user)
		return err
	})
}

func count(t testing.TB, pool *pgxpool.Pool, user uuid.UUID) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM notes WHERE user_id = $1`, user).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestABuriedUserCannotWriteOthersCan(t *testing.T) {
	pool := newPool(t)
	ctx := context.Background()
	gone, other := uuid.New(), uuid.New()
	if err := write(ctx, pool, gone); err != nil {
		t.Fatal(err)
	}
	if err := purge(ctx, pool, gone); err != nil {
		t.Fatal(err)
	}
	if err := purge(ctx, pool, gone); err != nil {
		t.Fatalf("second bury: %v", err)
	}
	if err := write(ctx, pool, gone); !errors.Is(err, tombstone.ErrGone) || !tombstone.IsGone(err) {
		t.Fatalf("write after the purge: %v, want ErrGone", err)
	}
	if err := write(ctx, pool, other); err != nil {
		t.Fatalf("another user's write: %v", err)
	}
	if n := count(t, pool, gone); n != 0 {
		t.Fatalf("%d notes of the buried user left", n)
	}
	for user, want := range map[uuid.UUID]bool{gone: true, other: false} {
		if got, err := tombstone.Buried(ctx, pool, user); err != nil || got != want {
			t.Fatalf("Buried = %v, %v; want %v", got, err, want)
		}
	}
}

// TestWritesRacingThePurgeLeaveNothing runs writers against a purge many
// times: every write either lands before the purge (and is deleted by it)
// or is refused.
func TestWritesRacingThePurgeLeaveNothing(t *testing.T) {
	pool := newPool(t)
	ctx := context.Background()
	race(pool, func(user uuid.UUID) error { return write(ctx, pool, user) }).Run(t)
}

// Without the guard the same race leaves notes behind: the harness sees it.
func TestTheRaceCatchesAnUnguardedWrite(t *testing.T) {
	pool := newPool(t)
	ctx := context.Background()
	unguarded := func(user uuid.UUID) error {
		_, err := pool.Exec(ctx, `INSERT INTO notes (id, user_id) VALUES ($1, $2)`, uuid.New(), user)
		return err
	}
	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); race(pool, unguarded).Run(rec) }()
	<-done
	if !strings.Contains(rec.failure, "survived the purge") {
		t.Fatalf("the race passed an unguarded write (failure %q)", rec.failure)
	}
}

func race(pool *pgxpool.Pool, write func(uuid.UUID) error) tombstonetest.Race {
	ctx := context.Background()
	return tombstonetest.Race{
		Rounds: 200, Writers: 6, Writes: 5,
		Write: func(user uuid.UUID, _, _ int) error { return write(user) },
		Purge: func(_ int, user uuid.UUID) error { return purge(ctx, pool, user) },
		Left: func(user uuid.UUID) (int, error) {
			var n int
			err := pool.QueryRow(ctx, `SELECT count(*) FROM notes WHERE user_id = $1`, user).Scan(&n)
			return n, err
		},
	}
}

// recorder is a testing.TB whose Fatalf records and stops the goroutine.
type recorder struct {
	testing.TB
	failure string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failure = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
