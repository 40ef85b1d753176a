package pg_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/pg"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
)

var migrations = pg.Migrations{Table: "test_version", FS: os.DirFS("testdata/migrations")}

func TestMigrationsApplyAndAreIdempotent(t *testing.T) {
	pool := pgtest.New(t, migrations)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	if err := pg.Migrate(ctx, log, pool, migrations); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	var version int64
	if err := pool.QueryRow(ctx, `SELECT max(version_id) FROM test_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != 2 {
		t.Errorf("schema version = %d, want 2", version)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO notes (body) VALUES ('hello')`); err != nil {
		t.Errorf("migrated table unusable: %v", err)
	}
}

// Replicas starting together must not apply the same migration twice.
func TestConcurrentMigrationsAreSerialised(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- pg.Migrate(ctx, log, pool, migrations)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Migrate: %v", err)
		}
	}
	var applied int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM test_version WHERE version_id > 0`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied != 2 {
		t.Errorf("applied migrations = %d, want 2", applied)
	}
}

func TestOpenRejectsBadURLWithoutEchoingIt(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, err := pg.Open(context.Background(), log, pg.Options{URL: "postgres://u:s3cret@%zz"})
	if err == nil {
		t.Fatal("Open succeeded on a bad URL")
	}
	if got := err.Error(); strings.Contains(got, "s3cret") {
		t.Errorf("error leaks the password: %s", got)
	}
}
