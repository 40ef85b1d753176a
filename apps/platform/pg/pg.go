// Package pg opens a service's Postgres pool and brings its schema up to
// date with goose migrations embedded in the service binary.
package pg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/lettertomyself/ltm/apps/platform/retry"
)

// Options configure Open.
type Options struct {
	URL      string
	MaxConns int32
	// Migrations are applied in order, each set under its own version
	// table, so the platform's tables and the service's evolve apart.
	Migrations []Migrations
	// ConnectTimeout bounds how long Open waits for the server to answer
	// at start (Postgres may still be starting next to us).
	ConnectTimeout time.Duration
}

// Migrations is one set of goose SQL files (NNNNN_name.sql at the root of
// FS) tracked in its own version table.
type Migrations struct {
	Table string
	FS    fs.FS
}

// ServiceTable is the version table of a service's own migrations.
const ServiceTable = "goose_db_version"

// Open connects, waits for the server to answer, runs pending migrations
// and returns the pool.
func Open(ctx context.Context, log *slog.Logger, o Options) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(o.URL)
	if err != nil {
		// The parse error can echo the URL, password included.
		return nil, errors.New("database url: cannot be parsed")
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database pool: %w", err)
	}
	if err := waitReachable(ctx, log, pool, o.ConnectTimeout); err != nil {
		pool.Close()
		return nil, err
	}
	for _, m := range o.Migrations {
		if m.FS == nil {
			continue
		}
		if err := Migrate(ctx, log, pool, m); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return pool, nil
}

func waitReachable(ctx context.Context, log *slog.Logger, pool *pgxpool.Pool, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := retry.Do(ctx, retry.Policy{First: 250 * time.Millisecond, Max: 2 * time.Second, Jitter: 0.2}, pool.Ping,
		func(err error, failures int, _ time.Duration) {
			if failures == 1 {
				log.Warn("database not reachable yet; retrying", "err", err)
			}
		})
	if err != nil {
		return fmt.Errorf("database not reachable within %s: %w", timeout, err)
	}
	return nil
}

// Migrate applies every pending migration of m. A Postgres advisory lock
// serialises replicas that start at the same time.
func Migrate(ctx context.Context, log *slog.Logger, pool *pgxpool.Pool, m Migrations) error {
	if m.Table == "" {
		m.Table = ServiceTable
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer func(db *sql.DB) { _ = db.Close() }(db)
	provider, err := goose.NewProvider(goose.DialectPostgres, db, m.FS,
		goose.WithTableName(m.Table),
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return fmt.Errorf("migrations (%s): %w", m.Table, err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate up (%s): %w", m.Table, err)
	}
	for _, r := range results {
		log.Info("migration applied", "set", m.Table, "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration.String())
	}
	return nil
}
