package tombstone_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/pg"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"
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
// or is refused. Without the lock in Guard and Bury it leaves notes behind.
func TestWritesRacingThePurgeLeaveNothing(t *testing.T) {
	pool := newPool(t)
	ctx := context.Background()
	for round := 0; round < 200; round++ {
		user := uuid.New()
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := 0; w < 6; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := 0; i < 5; i++ {
					if err := write(ctx, pool, user); err != nil && !errors.Is(err, tombstone.ErrGone) {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if err := purge(ctx, pool, user); err != nil {
				errs <- err
			}
		}()
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := count(t, pool, user); n != 0 {
			t.Fatalf("round %d: %d notes survived the purge", round, n)
		}
	}
}
