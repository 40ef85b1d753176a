// Package dbsetup creates the Postgres roles and databases the apps expect,
// derived from the DATABASE_URL each app gets in the run file, so a fresh
// machine needs no hand-written SQL. Every step is idempotent.
package dbsetup

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

// DefaultAdminURL is used when PG_ADMIN_URL is not set.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Target is a database and the login role that owns it.
type Target struct {
	Role     string
	Database string
}

// ParseURL takes the role and database from a postgres:// URL.
func ParseURL(raw string) (Target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("database url: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return Target{}, fmt.Errorf("database url: scheme %q, want postgres", u.Scheme)
	}
	t := Target{Role: u.User.Username(), Database: strings.TrimPrefix(u.Path, "/")}
	if t.Role == "" || t.Database == "" {
		return Target{}, errors.New("database url: needs both a user and a database name")
	}
	return t, nil
}

// FromRunFile returns one target per app whose env sets DATABASE_URL.
func FromRunFile(f *runfile.File) ([]Target, error) {
	var targets []Target
	for _, a := range f.Apps {
		raw, ok := a.Env["DATABASE_URL"]
		if !ok {
			continue
		}
		t, err := ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("app %s: %w", a.ID, err)
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// WithPrefix renames each database to prefix+name, keeping its owner, so a
// test run gets databases of its own that the apps' roles can still use.
func WithPrefix(targets []Target, prefix string) []Target {
	out := make([]Target, len(targets))
	for i, t := range targets {
		out[i] = Target{Role: t.Role, Database: prefix + t.Database}
	}
	return out
}

// Ensure makes each role exist with LOGIN and each database exist owned by
// its role. Running it again changes nothing.
func Ensure(ctx context.Context, adminURL string, targets []Target) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect as admin: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, t := range targets {
		if err := ensureRole(ctx, conn, t.Role); err != nil {
			return err
		}
		if err := ensureDatabase(ctx, conn, t); err != nil {
			return err
		}
	}
	return nil
}

// Drop removes the targets' databases and, if dropRoles, their roles. It is
// for test runs cleaning up what they created; connections still open to a
// database are terminated.
func Drop(ctx context.Context, adminURL string, targets []Target, dropRoles bool) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect as admin: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, t := range targets {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+quote(t.Database)+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", t.Database, err)
		}
	}
	if !dropRoles {
		return nil
	}
	for _, t := range targets {
		if _, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+quote(t.Role)); err != nil {
			return fmt.Errorf("drop role %s: %w", t.Role, err)
		}
	}
	return nil
}

// Identifiers cannot be bound as parameters in DDL, so they are quoted.
func quote(name string) string { return pgx.Identifier{name}.Sanitize() }

func ensureRole(ctx context.Context, conn *pgx.Conn, role string) error {
	var canLogin bool
	err := conn.QueryRow(ctx, "SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", role).Scan(&canLogin)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		_, err = conn.Exec(ctx, "CREATE ROLE "+quote(role)+" LOGIN")
		// Another run may have won the race; its role is as good as ours.
		if err != nil && !isCode(err, "42710") {
			return fmt.Errorf("create role %s: %w", role, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("look up role %s: %w", role, err)
	case !canLogin:
		if _, err := conn.Exec(ctx, "ALTER ROLE "+quote(role)+" LOGIN"); err != nil {
			return fmt.Errorf("allow login for role %s: %w", role, err)
		}
	}
	return nil
}

func ensureDatabase(ctx context.Context, conn *pgx.Conn, t Target) error {
	var owner string
	err := conn.QueryRow(ctx,
		"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", t.Database).Scan(&owner)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		_, err = conn.Exec(ctx, "CREATE DATABASE "+quote(t.Database)+" OWNER "+quote(t.Role))
		if err != nil && !isCode(err, "42P04") {
			return fmt.Errorf("create database %s: %w", t.Database, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("look up database %s: %w", t.Database, err)
	case owner != t.Role:
		if _, err := conn.Exec(ctx, "ALTER DATABASE "+quote(t.Database)+" OWNER TO "+quote(t.Role)); err != nil {
			return fmt.Errorf("give database %s to %s: %w", t.Database, t.Role, err)
		}
	}
	return nil
}

func isCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}
