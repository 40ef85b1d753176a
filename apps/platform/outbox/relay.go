package outbox

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/retry"
)

// Publisher sends one event under a given CloudEvent id; the Dapr sidecar
// handle (daprx.Sidecar) is one.
type Publisher interface {
	PublishEvent(ctx context.Context, topic, id string, data []byte) error
}

// Relay publishes outbox rows in the order they were written. One relay
// per service leads at a time (a session advisory lock held on a
// connection of its own, released by Postgres if the process dies), which
// keeps the order across replicas. A failed publish stops the pass, so a
// later event never overtakes an earlier one — except an event the sidecar
// wrongly reported as published, which the relay publishes again later
// (see Drain).
//
// A Relay is driven by one goroutine (Run, or Drain in tests).
type Relay struct {
	pool *pgxpool.Pool
	pub  Publisher
	log  *slog.Logger

	// Interval is how often the relay looks without being woken, and the
	// base of its back-off after a failure.
	Interval time.Duration
	// MaxBackoff bounds the wait between attempts while publishing fails.
	MaxBackoff time.Duration
	// Batch is how many rows one query reads.
	Batch int
	// Timeout bounds one publish. A publish answered successfully later
	// than Timeout-SuspectAfter counts as failed: daprd's rabbitmq
	// component answers success when its context ends while it waits to
	// reconnect (docs/dapr-findings.md).
	Timeout time.Duration
	// SuspectAfter is how long a publish may take before the relay
	// assumes the sidecar reconnected to the broker during it. It must be
	// below the component's shortest retry wait (2 s; reconnectWaitSeconds
	// is 5 s in components/pubsub.yaml).
	SuspectAfter time.Duration
	// Settle is how long the relay waits for another event after its last
	// one before it spends a probe on settling that one (see Drain).
	Settle time.Duration

	// unverified is the id of the last event published (0: none), still
	// in the table and skipped by reads: the sidecar's "published" for it
	// is only believed once a later publish (or a probe) comes back
	// quickly. One at most: each quick publish settles the one before it.
	unverified int64
}

// NewRelay returns a relay with sensible defaults.
func NewRelay(pool *pgxpool.Pool, pub Publisher, log *slog.Logger) *Relay {
	return &Relay{
		pool: pool, pub: pub, log: log,
		Interval: time.Second, MaxBackoff: 30 * time.Second, Batch: 100,
		Timeout: 15 * time.Second, SuspectAfter: time.Second, Settle: 200 * time.Millisecond,
	}
}

// lockKey names the leader lock; one database belongs to one service.
var lockKey = func() int64 {
	h := fnv.New64a()
	h.Write([]byte("ltm/outbox/relay"))
	return int64(h.Sum64())
}()

// ApplicationName marks the relay's own connection in pg_stat_activity.
const ApplicationName = "ltm-outbox-relay"

// Run relays until ctx is done. It keeps one connection of its own for
// the whole run: a follower asks for the leader lock on it every Interval
// (so it takes over within a second of the leader's death) instead of
// opening a new connection each time; a broken connection is replaced.
func (r *Relay) Run(ctx context.Context) error {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.WithoutCancel(ctx))
		}
	}()
	failures := 0
	backoff := r.backoff()
	for {
		var err error
		if conn == nil || conn.IsClosed() {
			conn, err = r.connect(ctx)
		}
		if err == nil {
			err = r.lead(ctx, conn)
		}
		if ctx.Err() != nil {
			return nil
		}
		wait := r.Interval
		if err != nil {
			failures++
			wait = backoff.Next()
			r.log.Warn("outbox relay interrupted; retrying", "err", err, "failures", failures)
			if conn != nil {
				// Closing it also releases the leader lock, if held.
				conn.Close(context.WithoutCancel(ctx))
				conn = nil
			}
		} else {
			failures = 0
			backoff.Reset()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

func (r *Relay) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg := r.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = ApplicationName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return conn, nil
}

// lead relays while this process holds the leader lock on conn. It
// returns nil at once when another replica leads.
func (r *Relay) lead(ctx context.Context, conn *pgx.Conn) error {
	var leader bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey).Scan(&leader); err != nil {
		return fmt.Errorf("leader lock: %w", err)
	}
	if !leader {
		return nil
	}
	// A new term trusts nothing from an earlier one: what that one had
	// not verified is still in the table and goes out again.
	r.rewind()
	// Leading ends only with an error or ctx; either way the caller closes
	// conn, which releases the lock and the LISTEN.
	if _, err := conn.Exec(ctx, `LISTEN `+notifyChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	failures := 0
	backoff := r.backoff()
	for {
		err := r.drain(ctx)
		if err == nil && r.unverified != 0 {
			// The last event published waits to be settled. Under load
			// the next event's publish does it within moments; only if
			// none comes does the relay spend a probe on it.
			woke, werr := r.await(ctx, conn, r.Settle)
			if werr != nil || ctx.Err() != nil {
				return werr
			}
			if woke {
				continue
			}
			err = r.verify(ctx)
		}
		wait := r.Interval
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			failures++
			wait = backoff.Next()
			r.log.Warn("outbox publish failed; will retry", "err", err, "failures", failures)
		} else {
			failures = 0
			backoff.Reset()
		}
		if _, err := r.await(ctx, conn, wait); err != nil || ctx.Err() != nil {
			return err
		}
	}
}

// await waits up to d for a NOTIFY from an enqueuing commit; woke is
// false when d passed without one.
func (r *Relay) await(ctx context.Context, conn *pgx.Conn, d time.Duration) (woke bool, err error) {
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	_, err = conn.WaitForNotification(wctx)
	switch {
	case ctx.Err() != nil:
		return false, nil
	case errors.Is(err, context.DeadlineExceeded):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("wait for notification: %w", err)
	}
	return true, nil
}

// backoff is the wait after each failure in a row: Interval doubling up
// to MaxBackoff.
func (r *Relay) backoff() *retry.Backoff {
	return retry.Policy{First: r.Interval, Max: r.MaxBackoff, Jitter: 0.2}.New()
}

type row struct {
	id      int64
	eventID string
	topic   string
	payload []byte
}

// ProbeTopic is where the relay publishes a probe to learn whether the
// sidecar's channel to the broker stayed open after its last events. No
// queue is bound to it: the broker confirms the probe and drops it.
const ProbeTopic = "outbox.probe"

// errSuspect ends a pass whose earlier acceptances are in doubt.
var errSuspect = errors.New("a publish took long enough for the sidecar to have reconnected to the broker")

// Drain publishes every pending row in order and deletes the rows whose
// publication it trusts, a batch at a time. It stops at the first failure.
//
// daprd 1.18.1's rabbitmq component answers "published" for an event the
// broker never confirmed when the channel closes while it waits for the
// confirmation (a broker stopping: it logs "did not receive confirmation
// of publishing" and returns nil; docs/dapr-findings.md). The component
// only reconnects when the next publish finds the channel closed, and that
// publish then takes at least its retry wait (2 s) or fails. So the relay
// believes a quick "published" only once a later publish through the same
// sidecar comes back quickly too; at the end of a pass a probe on
// ProbeTopic plays that later publish (Run first waits Settle for another
// event to do it, so a steady stream costs no probes). A failed or slow
// publish sends the doubted event again, with its id (consumers dedupe,
// package inbox).
func (r *Relay) Drain(ctx context.Context) error {
	if err := r.drain(ctx); err != nil {
		return err
	}
	return r.verify(ctx)
}

// drain is Drain without the probe: it leaves the last quick publish
// unverified (its row in the table, skipped) for the next pass or the
// caller's probe.
func (r *Relay) drain(ctx context.Context) error {
	for {
		rows, err := r.pool.Query(ctx, `SELECT id, event_id::text, topic, payload::text FROM outbox WHERE id <> $1 ORDER BY id LIMIT $2`, r.unverified, r.Batch)
		if err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		batch, err := pgx.CollectRows(rows, func(rs pgx.CollectableRow) (row, error) {
			var x row
			var payload string
			err := rs.Scan(&x.id, &x.eventID, &x.topic, &payload)
			x.payload = []byte(payload)
			return x, err
		})
		if err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		// The rows trusted as published go in one statement per batch (one
		// commit, not one per event), also when a publish fails midway.
		// A crash before it republishes them with the same ids; consumers
		// dedupe on those (package inbox).
		var done []int64
		rewound := false
		for _, x := range batch {
			var slow bool
			if slow, err = r.publish(ctx, x); err != nil {
				r.rewind()
				break
			}
			if !slow {
				if r.unverified != 0 {
					done = append(done, r.unverified)
				}
				r.unverified = x.id
				continue
			}
			// x went out on a channel the sidecar opened during its publish:
			// trusted. The quick ones before it are doubted.
			done = append(done, x.id)
			if r.unverified != 0 {
				r.log.Warn("outbox publish was slow; publishing the event before it again",
					"event", x.eventID, "topic", x.topic)
				r.rewind()
				rewound = true
				break
			}
		}
		if err := r.delete(ctx, done); err != nil {
			return err
		}
		if err != nil {
			return err
		}
		if !rewound && len(batch) < r.Batch {
			return nil
		}
	}
}

// verify settles the event published quickly at the end of a pass with a
// probe: a quick answer means the channel it went through was still open
// after its confirmation, so that was real.
func (r *Relay) verify(ctx context.Context) error {
	if r.unverified == 0 {
		return nil
	}
	slow, err := r.send(ctx, ProbeTopic, uuid.NewString(), []byte(`{}`))
	if err != nil || slow {
		r.rewind()
		if err == nil {
			err = errSuspect
		}
		return fmt.Errorf("probe after the last event (published again next): %w", err)
	}
	done := r.unverified
	r.unverified = 0
	return r.delete(ctx, []int64{done})
}

// rewind stops skipping the event not yet trusted, so the next read
// publishes it again, in order with the rows after it.
func (r *Relay) rewind() { r.unverified = 0 }

func (r *Relay) delete(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := r.pool.Exec(ctx, `DELETE FROM outbox WHERE id = ANY($1)`, ids); err != nil {
		// Still in the table: published again by the next term.
		r.rewind()
		return fmt.Errorf("delete %d relayed events: %w", len(ids), err)
	}
	return nil
}

// publish sends one row; slow reports that the sidecar took long enough
// to have reconnected to the broker meanwhile.
func (r *Relay) publish(ctx context.Context, x row) (slow bool, err error) {
	slow, err = r.send(ctx, x.topic, x.eventID, x.payload)
	if err != nil {
		if _, uerr := r.pool.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, x.id, err.Error()); uerr != nil {
			err = errors.Join(err, uerr)
		}
		return false, fmt.Errorf("publish %s %s: %w", x.topic, x.eventID, err)
	}
	return slow, nil
}

func (r *Relay) send(ctx context.Context, topic, id string, data []byte) (slow bool, err error) {
	pctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	start := time.Now()
	err = r.pub.PublishEvent(pctx, topic, id, data)
	took := time.Since(start)
	if err == nil && took >= r.Timeout-r.SuspectAfter {
		err = fmt.Errorf("answered after %s, too close to the %s deadline to trust", took.Round(time.Millisecond), r.Timeout)
	}
	return took >= r.SuspectAfter, err
}

// Stats describe the backlog, for status endpoints and alerts.
type Stats struct {
	Pending   int64          `json:"pending"`
	OldestAge *time.Duration `json:"oldest_age_seconds,omitempty"`
}

// Backlog reports how many events wait and how old the oldest is.
func Backlog(ctx context.Context, pool *pgxpool.Pool) (Stats, error) {
	var s Stats
	var oldest *time.Time
	if err := pool.QueryRow(ctx, `SELECT count(*), min(created_at) FROM outbox`).Scan(&s.Pending, &oldest); err != nil {
		return s, fmt.Errorf("outbox backlog: %w", err)
	}
	if oldest != nil {
		age := time.Since(*oldest)
		s.OldestAge = &age
	}
	return s, nil
}
