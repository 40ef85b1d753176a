package inbox_test

import (
	"context"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/inbox"
	"github.com/lettertomyself/ltm/apps/platform/pg"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
)

func TestClaimOncePerConsumerAndRollbackReleases(t *testing.T) {
	pool := pgtest.New(t, pg.Migrations{Table: "inbox_version", FS: inbox.Migrations()})
	ctx := context.Background()
	claim := func(consumer, id string, commit bool) bool {
		t.Helper()
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		first, err := inbox.Claim(ctx, tx, consumer, id)
		if err != nil {
			t.Fatal(err)
		}
		if commit {
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return first
	}

	if !claim("profiles", "e1", false) {
		t.Fatal("first claim refused")
	}
	if !claim("profiles", "e1", true) {
		t.Fatal("claim after a rollback refused: the rolled-back claim must not count")
	}
	if claim("profiles", "e1", true) {
		t.Error("second claim of the same event accepted")
	}
	if !claim("purge", "e1", true) {
		t.Error("another consumer's claim of the same event refused")
	}
}
