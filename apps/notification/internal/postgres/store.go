// Package postgres stores notification-service's history and delivery
// claims in its own Postgres database. All of the service's SQL lives here;
// the schema is in migrations/.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the service's goose files, for service.Spec.Migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Store reads and writes notification records; it implements notify.Store.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a store on pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

const columns = `id, user_id::text, kind, subject, status, reason, attempts, last_error,
	claim_token::text, claimed_at, created_at, sent_at, updated_at`

// Claim inserts the record for id unless it exists, then runs fn on it
// locked. Two deliveries of one id serialise on the primary key: the second
// waits for the first's transaction and then sees its claim. A deleted
// user's notification is tombstone.ErrGone: nothing is recorded or sent.
func (s *Store) Claim(ctx context.Context, id, userID string, kind notify.Kind, now time.Time, fn func(*notify.Record) error) error {
	user, err := uuid.Parse(userID)
	if err != nil {
		return fmt.Errorf("notification %s: user_id: %w", id, err)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tombstone.Guard(ctx, tx, user); err != nil {
			return err
		}
		fresh := notify.NewRecord(id, userID, kind, now)
		_, err := tx.Exec(ctx, `INSERT INTO notifications (id, user_id, kind, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id) DO NOTHING`,
			fresh.ID, fresh.UserID, string(fresh.Kind), string(fresh.Status), fresh.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert notification: %w", err)
		}
		return update(ctx, tx, id, fn)
	})
}

// Update runs fn on the record id, locked, and saves the result.
func (s *Store) Update(ctx context.Context, id string, fn func(*notify.Record) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return update(ctx, tx, id, fn) })
}

func update(ctx context.Context, tx pgx.Tx, id string, fn func(*notify.Record) error) error {
	r, err := scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM notifications WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("notification %s: %w", id, notify.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("load notification: %w", err)
	}
	if err := fn(&r); err != nil {
		return err
	}
	var token *string
	if r.ClaimToken != "" {
		token = &r.ClaimToken
	}
	_, err = tx.Exec(ctx, `UPDATE notifications SET
		subject = $2, status = $3, reason = $4, attempts = $5, last_error = $6,
		claim_token = $7, claimed_at = $8, sent_at = $9, updated_at = $10
		WHERE id = $1`,
		r.ID, r.Subject, string(r.Status), r.Reason, r.Attempts, r.LastError,
		token, r.ClaimedAt, r.SentAt, r.UpdatedAt)
	if err != nil {
		return fmt.Errorf("save notification: %w", err)
	}
	return nil
}

// List returns userID's newest records first, at most limit.
func (s *Store) List(ctx context.Context, userID string, limit int) ([]notify.Record, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM notifications
		WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (notify.Record, error) { return scan(row) })
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return out, nil
}

// DeleteUser buries userID (tombstone) and forgets every notification of
// theirs in one transaction: a claim racing it either went before (and is
// forgotten) or is refused. Repeating it is harmless.
func (s *Store) DeleteUser(ctx context.Context, userID string) (int64, error) {
	user, err := uuid.Parse(userID)
	if err != nil {
		return 0, fmt.Errorf("delete notifications: user_id: %w", err)
	}
	var n int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tombstone.Bury(ctx, tx, user); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM notifications WHERE user_id = $1`, user)
		if err != nil {
			return fmt.Errorf("delete notifications: %w", err)
		}
		n = tag.RowsAffected()
		return nil
	})
	return n, err
}

func scan(row pgx.Row) (notify.Record, error) {
	var (
		r                 notify.Record
		kind, status      string
		token             pgtype.Text
		claimedAt, sentAt pgtype.Timestamptz
	)
	err := row.Scan(&r.ID, &r.UserID, &kind, &r.Subject, &status, &r.Reason, &r.Attempts, &r.LastError,
		&token, &claimedAt, &r.CreatedAt, &sentAt, &r.UpdatedAt)
	if err != nil {
		return notify.Record{}, err
	}
	r.Kind, r.Status, r.ClaimToken = notify.Kind(kind), notify.Status(status), token.String
	if claimedAt.Valid {
		t := claimedAt.Time.UTC()
		r.ClaimedAt = &t
	}
	if sentAt.Valid {
		t := sentAt.Time.UTC()
		r.SentAt = &t
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, nil
}
