// Package inbox makes event consumers idempotent: a consumer claims an
// event id inside the transaction that applies the event, so a redelivered
// or republished event (same CloudEvent id) changes nothing twice.
package inbox

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations creates the inbox table.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Claim records that consumer handles eventID as part of tx. It returns
// false when the event was handled before: the caller then skips its work
// and commits nothing new. If tx rolls back, the claim goes with it.
func Claim(ctx context.Context, tx pgx.Tx, consumer, eventID string) (bool, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, consumer, eventID)
	if err != nil {
		return false, fmt.Errorf("inbox claim: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Retention is how long claims are kept: far longer than any redelivery or
// relay retry can take.
const Retention = 30 * 24 * time.Hour

// Pruner deletes claims older than Retention once an hour.
func Pruner(pool *pgxpool.Pool, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		for {
			if _, err := pool.Exec(ctx, `DELETE FROM inbox WHERE processed_at < now() - $1::interval`, Retention.String()); err != nil && ctx.Err() == nil {
				log.Warn("inbox prune failed", "err", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Hour):
			}
		}
	}
}
