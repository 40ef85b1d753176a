package outbox

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"

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
// later event never overtakes an earlier one.
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
}

// NewRelay returns a relay with sensible defaults.
func NewRelay(pool *pgxpool.Pool, pub Publisher, log *slog.Logger) *Relay {
	return &Relay{pool: pool, pub: pub, log: log, Interval: time.Second, MaxBackoff: 30 * time.Second, Batch: 100}
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
	// Leading ends only with an error or ctx; either way the caller closes
	// conn, which releases the lock and the LISTEN.
	if _, err := conn.Exec(ctx, `LISTEN `+notifyChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	failures := 0
	backoff := r.backoff()
	for {
		wait := r.Interval
		if err := r.Drain(ctx); err != nil {
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
		wctx, cancel := context.WithTimeout(ctx, wait)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("wait for notification: %w", err)
		}
	}
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

// Drain publishes every pending row in order and deletes the rows the
// broker has confirmed, a batch at a time. It stops at the first failure.
func (r *Relay) Drain(ctx context.Context) error {
	for {
		rows, err := r.pool.Query(ctx, `SELECT id, event_id::text, topic, payload::text FROM outbox ORDER BY id LIMIT $1`, r.Batch)
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
		// The rows the broker confirmed go in one statement per batch (one
		// commit, not one per event), also when a publish fails midway.
		// A crash before it republishes them with the same ids; consumers
		// dedupe on those (package inbox).
		var done []int64
		for _, x := range batch {
			if err = r.publish(ctx, x); err != nil {
				break
			}
			done = append(done, x.id)
		}
		if len(done) > 0 {
			if _, derr := r.pool.Exec(ctx, `DELETE FROM outbox WHERE id = ANY($1)`, done); derr != nil {
				return errors.Join(err, fmt.Errorf("delete %d relayed events: %w", len(done), derr))
			}
		}
		if err != nil {
			return err
		}
		if len(batch) < r.Batch {
			return nil
		}
	}
}

func (r *Relay) publish(ctx context.Context, x row) error {
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	err := r.pub.PublishEvent(pctx, x.topic, x.eventID, x.payload)
	cancel()
	if err != nil {
		if _, uerr := r.pool.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, x.id, err.Error()); uerr != nil {
			err = errors.Join(err, uerr)
		}
		return fmt.Errorf("publish %s %s: %w", x.topic, x.eventID, err)
	}
	return nil
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
