// Package tombstone keeps a deleted user deleted. A service's user.deleted
// handler calls Bury in the transaction of its purge; every write for a
// user, from a request or an event, calls Guard in its own transaction
// first. Bury takes the user's advisory lock exclusively and Guard takes it
// shared, so a write and a purge of the same user serialise: a write that
// committed before the purge is deleted by it, and a write that waited for
// the purge finds the tombstone and is refused with ErrGone. Without the
// lock a write checked before the tombstone was committed could still land
// after the purge's DELETE and stay forever.
//
// Each service that keeps per-user rows creates the table with its own
// migration, a copy of migrations/00001_tombstones.sql (the platform's
// shared migration sets are chosen in apps/platform/service). Tombstones
// are kept for good: a deleted id never comes back, a row is ~60 bytes,
// and a prune would reopen the window for an event delayed longer than it.
//
// State-store services (Dapr state, no SQL) keep a tombstone as a state
// key instead; see Key.
package tombstone

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/lettertomyself/ltm/apps/platform/problem"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations creates the tombstones table: for this package's tests and as
// the file each service copies into its own migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// ErrGone refuses a write for a deleted user. It is a 401 problem, as for
// a revoked token, so httpx.Fail answers it as is; event handlers that get
// it acknowledge and drop the event (errors.Is).
var ErrGone error = problem.New(http.StatusUnauthorized, "This account no longer exists.")

// lockKey names the user's lock; hashtextextended is 64-bit, so two users
// sharing a lock is negligible (and would only serialise them).
const lockKey = `hashtextextended('tombstone:' || $1::text, 0)`

// Guard refuses (ErrGone) a write for userID inside tx when the user is
// buried, and otherwise holds the user's shared lock until tx ends, so no
// purge of the user runs before tx commits. Call it before the write's
// first statement. Lock and check go in one round trip; they are two
// statements so that the check sees a tombstone committed while the lock
// was awaited (read committed takes a snapshot per statement).
func Guard(ctx context.Context, tx pgx.Tx, userID uuid.UUID) error {
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock_shared(`+lockKey+`)`, userID)
	b.Queue(`SELECT EXISTS (SELECT 1 FROM tombstones WHERE user_id = $1)`, userID)
	res := tx.SendBatch(ctx, b)
	_, err := res.Exec()
	var buried bool
	if err == nil {
		err = res.QueryRow().Scan(&buried)
	}
	if cerr := res.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("tombstone guard: %w", err)
	}
	if buried {
		return ErrGone
	}
	return nil
}

// Bury records userID as deleted inside tx, after waiting for every write
// of the user in flight (Guard) to end and holding off new ones until tx
// ends. Purge the user's rows in tx after it: each statement then sees
// every write that committed before. Burying twice is harmless.
func Bury(ctx context.Context, tx pgx.Tx, userID uuid.UUID) error {
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock(`+lockKey+`)`, userID)
	b.Queue(`INSERT INTO tombstones (user_id) VALUES ($1) ON CONFLICT DO NOTHING`, userID)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("tombstone bury: %w", err)
	}
	return nil
}

// Querier is a pool, a connection or a transaction.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Buried tells whether userID is buried, without any lock: for a read or a
// side effect outside the database (a mail) that only needs to know.
func Buried(ctx context.Context, q Querier, userID uuid.UUID) (bool, error) {
	var buried bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tombstones WHERE user_id = $1)`, userID).Scan(&buried); err != nil {
		return false, fmt.Errorf("tombstone check: %w", err)
	}
	return buried, nil
}

// Key is the state key of userID's tombstone in a Dapr state store (the
// sidecar prefixes keys with "<app id>||", which a key may not contain).
func Key(userID string) string { return "tombstone:" + userID }

// IsGone reports whether err is (or wraps) ErrGone.
func IsGone(err error) bool { return errors.Is(err, ErrGone) }
