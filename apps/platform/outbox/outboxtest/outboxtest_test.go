package outboxtest_test

import (
	"context"
	"slices"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/outbox"
	"github.com/lettertomyself/ltm/apps/platform/outbox/outboxtest"
	"github.com/lettertomyself/ltm/apps/platform/pg"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
)

func TestMessagesInWriteOrderFilteredByTopic(t *testing.T) {
	pool := pgtest.New(t, pg.Migrations{Table: "outbox_version", FS: outbox.Migrations()})
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, topic := range []string{"a.happened", "b.happened", "a.happened"} {
		if _, err := outbox.Enqueue(ctx, tx, topic, map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	if got, want := outboxtest.Topics(t, pool), []string{"a.happened", "b.happened", "a.happened"}; !slices.Equal(got, want) {
		t.Errorf("Topics = %v, want %v", got, want)
	}
	as := outboxtest.Messages(t, pool, "a.happened")
	if len(as) != 2 || as[0].Payload["n"] != float64(0) || as[1].Payload["n"] != float64(2) {
		t.Fatalf("a.happened messages = %+v, want n=0 then n=2", as)
	}
	var v struct{ N int }
	as[1].Decode(t, &v)
	if v.N != 2 {
		t.Errorf("Decode: n = %d, want 2", v.N)
	}
	if none := outboxtest.Messages(t, pool, "c.happened"); len(none) != 0 {
		t.Errorf("c.happened: %d messages, want none", len(none))
	}
}
