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

// recorder is the broker as the relay sees it through daprd's rabbitmq
// component; failing makes it refuse.
type recorder struct {
	mu      sync.Mutex
	failing bool
	failAt  int // with failing false: refuse the event whose N is failAt (0: none)
	events  []published
	probes  int

	// The component's wrong "published" (docs/dapr-findings.md): the
	// publish of event loseAt answers nil but the broker never got it (its
	// channel closed before the confirmation); the publish after it finds
	// the channel closed and takes reconnect to answer (nil, delivered).
	loseAt    int
	reconnect time.Duration
	closed    bool
	// Every publish takes delay; one answered with nil after its
	// context ended was never sent (the component's ctx.Done path).
	delay time.Duration
}

type published struct {
	Topic, ID string
	N         int
}

func (r *recorder) PublishEvent(ctx context.Context, topic, id string, data []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failing {
		return errors.New("broker unavailable")
	}
	if r.closed {
		time.Sleep(r.reconnect)
		r.closed = false
	}
	if r.delay > 0 {
		time.Sleep(r.delay)
		if ctx.Err() != nil {
			return nil
		}
	}
	if topic == outbox.ProbeTopic {
		r.probes++
		return nil
	}
	var p struct{ N int }
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	if r.failAt != 0 && p.N == r.failAt {
		return errors.New("broker refused this one")
	}
	if r.loseAt != 0 && p.N == r.loseAt {
		r.loseAt = 0
		r.closed = true
		return nil
	}
	r.events = append(r.events, published{topic, id, p.N})
	return nil
}

func (r *recorder) ns() []int {
	var ns []int
	for _, e := range r.got() {
		ns = append(ns, e.N)
	}
	return ns
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

// A publish failing midway through a batch: the events confirmed before
// it are deleted (not published again) except the last, which a failure
// right after it puts in doubt; it, the refused one and those after it are
// kept and published again in order.
func TestPublishFailingMidwayDeletesOnlyTheConfirmed(t *testing.T) {
	pool := newDB(t)
	enqueue(t, pool, true, 1, 2, 3, 4)
	rec := &recorder{failAt: 3}
	relay := outbox.NewRelay(pool, rec, quiet)
	if err := relay.Drain(context.Background()); err == nil {
		t.Fatal("Drain succeeded while the broker refused event 3")
	}
	if n := pending(t, pool); n != 3 {
		t.Fatalf("%d rows pending, want 3 (events 2, 3 and 4)", n)
	}
	rec.mu.Lock()
	rec.failAt = 0
	rec.mu.Unlock()
	if err := relay.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantPublished(t, rec, pool, 1, 2, 2, 3, 4)
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

// relayForDoubts is a relay whose "slow" is 50 ms, so a test can play a
// sidecar reconnecting to the broker in 100 ms.
func relayForDoubts(pool *pgxpool.Pool, rec *recorder) *outbox.Relay {
	relay := outbox.NewRelay(pool, rec, quiet)
	relay.SuspectAfter = 50 * time.Millisecond
	rec.reconnect = 100 * time.Millisecond
	return relay
}

func publishedAll(t *testing.T, ns []int, want int) {
	t.Helper()
	seen := map[int]bool{}
	for _, n := range ns {
		seen[n] = true
	}
	for n := 1; n <= want; n++ {
		if !seen[n] {
			t.Errorf("event %d never reached the broker (published %v)", n, ns)
		}
	}
}

// The sidecar answers "published" for event 2 although its channel
// closed before the broker confirmed it (daprd 1.18.1, a broker stopping);
// the next publish reconnects, slowly. The relay must publish event 2
// again instead of deleting it.
func TestAnEventTheSidecarWronglyConfirmedMidPassIsPublishedAgain(t *testing.T) {
	pool := newDB(t)
	enqueue(t, pool, true, 1, 2, 3, 4)
	rec := &recorder{loseAt: 2}
	relay := relayForDoubts(pool, rec)
	if err := relay.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	publishedAll(t, rec.ns(), 4)
	// 3 went out on the reconnected channel and is trusted; only the
	// doubted event comes again, after it.
	wantPublished(t, rec, pool, 1, 3, 2, 4)
}

// The wrongly confirmed event is the last of a pass: nothing publishes
// after it but the relay's probe, which finds the channel closed.
func TestAWronglyConfirmedLastEventIsFoundByTheProbe(t *testing.T) {
	pool := newDB(t)
	enqueue(t, pool, true, 1, 2)
	rec := &recorder{loseAt: 2}
	relay := relayForDoubts(pool, rec)
	if err := relay.Drain(context.Background()); err == nil {
		t.Fatal("Drain succeeded although its probe answered slowly")
	}
	if n := pending(t, pool); n != 1 {
		t.Fatalf("%d rows pending after the slow probe, want event 2 kept", n)
	}
	if err := relay.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantPublished(t, rec, pool, 1, 2)
	if rec.probes != 2 {
		t.Errorf("%d probes, want 2 (one slow, one quick)", rec.probes)
	}
}

// A "published" that comes back only as the publish's deadline ends is
// not trusted: the component answers nil when its context ends while it
// waits to reconnect, without having published.
func TestAnAnswerAtTheDeadlineCountsAsAFailure(t *testing.T) {
	pool := newDB(t)
	enqueue(t, pool, true, 1)
	rec := &recorder{delay: 300 * time.Millisecond}
	relay := relayForDoubts(pool, rec)
	relay.Timeout = 200 * time.Millisecond
	if err := relay.Drain(context.Background()); err == nil {
		t.Fatal("Drain trusted a publish answered at its deadline")
	}
	if n := pending(t, pool); n != 1 {
		t.Fatalf("%d rows pending, want the event kept", n)
	}
	rec.mu.Lock()
	rec.delay = 0
	rec.mu.Unlock()
	if err := relay.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ns := rec.ns(); !slices.Equal(ns, []int{1}) {
		t.Errorf("published %v, want [1]", ns)
	}
}

// A broker that is slow on every publish makes every answer "slow": the
// relay trusts each (it went through an open channel) and goes on, each
// event once, instead of publishing the same events again forever.
func TestASlowBrokerStillGetsEachEventOnce(t *testing.T) {
	pool := newDB(t)
	enqueue(t, pool, true, 1, 2, 3)
	rec := &recorder{delay: 60 * time.Millisecond}
	relay := relayForDoubts(pool, rec)
	if err := relay.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantPublished(t, rec, pool, 1, 2, 3)
}

// Outbox ids come from a sequence, so a transaction that took its id
// first can commit after a later one was relayed: its event must still
// go out.
func TestAnEventCommittedAfterALaterOneIsStillPublished(t *testing.T) {
	pool := newDB(t)
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := outbox.Enqueue(ctx, tx, "thing.happened", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	enqueue(t, pool, true, 2)
	rec := &recorder{}
	relay := outbox.NewRelay(pool, rec, quiet)
	if err := relay.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := relay.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	wantPublished(t, rec, pool, 2, 1)
}

// Run settles the last event of a burst with a probe once no other
// event follows it: a wrongly confirmed last event goes out again, and a
// settled one leaves the table.
func TestRunSettlesTheLastEventOfABurst(t *testing.T) {
	pool := newDB(t)
	enqueue(t, pool, true, 1, 2)
	rec := &recorder{loseAt: 2}
	relay := relayForDoubts(pool, rec)
	relay.Interval = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = relay.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitUntil(t, func() bool { return slices.Equal(rec.ns(), []int{1, 2}) && pending(t, pool) == 0 })
	enqueue(t, pool, true, 3)
	waitUntil(t, func() bool { return slices.Equal(rec.ns(), []int{1, 2, 3}) && pending(t, pool) == 0 })
}

// wantPublished checks that the broker got exactly want, in that order,
// and that no row is left in the outbox.
func wantPublished(t *testing.T, rec *recorder, pool *pgxpool.Pool, want ...int) {
	t.Helper()
	if ns := rec.ns(); !slices.Equal(ns, want) {
		t.Errorf("published %v, want %v", ns, want)
	}
	if n := pending(t, pool); n != 0 {
		t.Errorf("%d rows left in the outbox", n)
	}
}
