package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/auth/internal/throttle"
)

// ThrottleStore keeps login-throttle state in login_throttle.
type ThrottleStore struct {
	db *pgxpool.Pool
}

// NewThrottleStore returns a throttle store on db.
func NewThrottleStore(db *pgxpool.Pool) *ThrottleStore { return &ThrottleStore{db: db} }

var _ throttle.Store = (*ThrottleStore)(nil)

// Get returns the state of key (zero when never seen).
func (s *ThrottleStore) Get(ctx context.Context, key string) (throttle.State, error) {
	st, err := scanState(s.db.QueryRow(ctx, `SELECT failures, last_failure, locked_until FROM login_throttle WHERE key = $1`, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return throttle.State{}, nil
	}
	if err != nil {
		return throttle.State{}, fmt.Errorf("read throttle: %w", err)
	}
	return st, nil
}

// Update applies fn under a row lock, so concurrent failures from several
// replicas are all counted.
func (s *ThrottleStore) Update(ctx context.Context, key string, fn func(throttle.State) throttle.State) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		// Make sure a row exists to lock; a fresh row reads as "never seen".
		if _, err := tx.Exec(ctx, `
			INSERT INTO login_throttle (key, failures) VALUES ($1, 0)
			ON CONFLICT (key) DO NOTHING`, key); err != nil {
			return fmt.Errorf("init throttle: %w", err)
		}
		st, err := scanState(tx.QueryRow(ctx, `
			SELECT failures, last_failure, locked_until FROM login_throttle WHERE key = $1 FOR UPDATE`, key))
		if err != nil {
			return fmt.Errorf("lock throttle: %w", err)
		}
		st = fn(st)
		if _, err := tx.Exec(ctx, `UPDATE login_throttle SET failures = $2, last_failure = $3, locked_until = $4 WHERE key = $1`,
			key, st.Failures, nullTime(st.LastFailure), nullTime(st.LockedUntil)); err != nil {
			return fmt.Errorf("write throttle: %w", err)
		}
		return nil
	})
}

func scanState(row pgx.Row) (throttle.State, error) {
	var st throttle.State
	var last, locked *time.Time
	if err := row.Scan(&st.Failures, &last, &locked); err != nil {
		return throttle.State{}, err
	}
	if last != nil {
		st.LastFailure = *last
	}
	if locked != nil {
		st.LockedUntil = *locked
	}
	return st, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Delete forgets key.
func (s *ThrottleStore) Delete(ctx context.Context, key string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM login_throttle WHERE key = $1`, key); err != nil {
		return fmt.Errorf("delete throttle: %w", err)
	}
	return nil
}
