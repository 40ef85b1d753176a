package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/outbox"
	"github.com/lettertomyself/ltm/apps/platform/pg"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// recorder is the broker as the relay sees it; failing makes it refuse.
type recorder struct {
	mu      sync.Mutex
	failing bool
	failAt  int // with failing false: refuse the event whose N is failAt (0: none)
	events  []published
}

type published struct {
	Topic, ID string
	N         int
}

func (r *recorder) PublishEvent(_ context.Context, topic, id string, data []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failing {
		return errors.New("broker unavailable")
	}
	var p struct{ N int }
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	if r.failAt != 0 && p.N == r.failAt {
		return errors.New("broker refused this one")
	}
	r.events = append(r.events, published{topic, id, p.N})
	return nil
}

func (r *recorder) setFailing(v bool) { r.mu.Lock(); r.failing = v; r.mu.Unlock() }

func (r *recorder) got() []published {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]published(nil), r.events...)
}

func newDB(t *testing.T) *pgxpool.Pool {
	return pgtest.New(t, pg.Migrations{Table: "outbox_version", FS: outbox.Migrations()})
}

func enqueue(t *testing.T, pool *pgxpool.Pool, commit bool, ns ...int) []string {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var ids []string
	for _, n := range ns {
		id, err := outbox.Enqueue(ctx, tx, "thing.happened", map[string]int{"n": n})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id.String())
	}
	if commit {
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

func pending(t *testing.T, pool *pgxpool.Pool) int64 {
	t.Helper()
	s, err := outbox.Backlog(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	return s.Pending
}

func TestCommittedEventsArePublishedInOrderWithTheirIDs(t *testing.T) {
	pool := newDB(t)
	ids := enqueue(t, pool, true, 1, 2, 3)
	enqueue(t, pool, false, 99) // rolled back: must never be published

	rec := &recorder{}
	relay := outbox.NewRelay(pool, rec, quiet)
	relay.Batch = 2 // more rows than one batch
	if err := relay.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := rec.got()
	if len(got) != 3 {
		t.Fatalf("published %v, want 3 events", got)
	}
	for i, e := range got {
		if e.N != i+1 || e.ID != ids[i] || e.Topic != "thing.happened" {
			t.Errorf("event %d = %+v, want n=%d id=%s", i, e, i+1, ids[i])
		}
	}
	if n := pending(t, pool); n != 0 {
		t.Errorf("%d rows left after relaying", n)
	}
}

func TestFailedPublishKeepsTheEventsAndTheirOrder(t *testing.T) {
	pool := newDB(t)
	enqueue(t, pool, true, 1, 2)
	rec := &recorder{failing: true}
	relay := outbox.NewRelay(pool, rec, quiet)

	if err := relay.Drain(context.Background()); err == nil {
		t.Fatal("Drain succeeded while the broker refused")
	}
	if n := pending(t, pool); n != 2 {
		t.Fatalf("%d rows pending, want 2 kept", n)
	}
	var attempts int
	var lastErr string
	if err := pool.QueryRow(context.Background(), `SELECT attempts, last_error FROM outbox ORDER BY id LIMIT 1`).Scan(&attempts, &lastErr); err != nil {
		t.Fatal(err)
	}
	if attempts != 1 || lastErr == "" {
		t.Errorf("attempts=%d last_error=%q, want the failure recorded", attempts, lastErr)
	}

	rec.setFailing(false)
	enqueue(t, pool, true, 3)
	if err := relay.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ns []int
	for _, e := range rec.got() {
		ns = append(ns, e.N)
	}
	if len(ns) != 3 || ns[0] != 1 || ns[1] != 2 || ns[2] != 3 {
		t.Errorf("published %v, want [1 2 3]", ns)
	}
}

// A publish failing midway through a batch: the events the broker
// confirmed before it are deleted (not published again), the refused one
// and those after it are kept, in order.
func TestPublishFailingMidwayDeletesOnlyTheConfirmed(t *testing.T) {
	pool := newDB(t)
	enqueue(t, pool, true, 1, 2, 3, 4)
	rec := &recorder{failAt: 3}
	relay := outbox.NewRelay(pool, rec, quiet)
	if err := relay.Drain(context.Background()); err == nil {
		t.Fatal("Drain succeeded while the broker refused event 3")
	}
	if n := pending(t, pool); n != 2 {
		t.Fatalf("%d rows pending, want 2 (events 3 and 4)", n)
	}
	rec.mu.Lock()
	rec.failAt = 0
	rec.mu.Unlock()
	if err := relay.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ns []int
	for _, e := range rec.got() {
		ns = append(ns, e.N)
	}
	if !slices.Equal(ns, []int{1, 2, 3, 4}) {
		t.Errorf("published %v, want [1 2 3 4]: each once, in order", ns)
	}
	if n := pending(t, pool); n != 0 {
		t.Errorf("%d rows pending after a clean drain", n)
	}
}

// Events written while no relay runs (the service crashed after commit)
// are published when a relay starts; with two relays running, each event
// is still published once.
func TestRelaysPickUpAfterARestartAndOneLeads(t *testing.T) {
	pool := newDB(t)
	enqueue(t, pool, true, 1, 2, 3)

	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range 2 {
		relay := outbox.NewRelay(pool, rec, quiet)
		relay.Interval = 50 * time.Millisecond
		wg.Add(1)
		go func() { defer wg.Done(); _ = relay.Run(ctx) }()
	}
	waitUntil(t, func() bool { return len(rec.got()) >= 3 })
	// Woken by NOTIFY: a new event goes out without waiting for a poll.
	enqueue(t, pool, true, 4)
	waitUntil(t, func() bool { return len(rec.got()) >= 4 })
	cancel()
	wg.Wait()

	seen := map[int]int{}
	for _, e := range rec.got() {
		seen[e.N]++
	}
	for n := 1; n <= 4; n++ {
		if seen[n] != 1 {
			t.Errorf("event %d published %d times, want once", n, seen[n])
		}
	}
}

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A follower waits for the leader lock on one connection of its own: it
// must not open a new connection every interval, forever.
func TestFollowerKeepsOneConnection(t *testing.T) {
	pool := newDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for range 2 {
		relay := outbox.NewRelay(pool, &recorder{}, quiet)
		relay.Interval = 20 * time.Millisecond
		wg.Add(1)
		go func() { defer wg.Done(); _ = relay.Run(ctx) }()
	}
	// Over 50 follower intervals, every relay backend seen is one of two.
	pids := map[int32]bool{}
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		rows, err := pool.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`, outbox.ApplicationName)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var pid int32
			if err := rows.Scan(&pid); err != nil {
				t.Fatal(err)
			}
			pids[pid] = true
		}
		rows.Close()
		time.Sleep(10 * time.Millisecond)
	}
	if len(pids) != 2 {
		t.Errorf("%d relay connections over 50 intervals, want 2 (one each, kept)", len(pids))
	}
}
