package dbsetup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		want    Target
		wantErr bool
	}{
		{"app url", "postgres://ltm_auth@127.0.0.1:5432/ltm_auth?sslmode=disable", Target{"ltm_auth", "ltm_auth"}, false},
		{"with password", "postgresql://u:secret@h/db", Target{"u", "db"}, false},
		{"no user", "postgres://127.0.0.1/db", Target{}, true},
		{"no database", "postgres://u@127.0.0.1/", Target{}, true},
		{"not postgres", "mysql://u@h/db", Target{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseURL(tt.url)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseURL = %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestWithPrefix(t *testing.T) {
	got := WithPrefix([]Target{{"r", "db"}}, "e2e_")
	if want := []Target{{"r", "e2e_db"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func adminURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("PG_ADMIN_URL")
	if u == "" {
		u = DefaultAdminURL
	}
	conn, err := pgx.Connect(context.Background(), u)
	if err != nil {
		t.Skipf("no Postgres at %s: %v", u, err)
	}
	conn.Close(context.Background())
	return u
}

// TestEnsure runs against the real Postgres with names of its own, twice, and
// checks what a fresh machine needs: a login role that owns its database.
func TestEnsure(t *testing.T) {
	admin := adminURL(t)
	ctx := context.Background()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	id := "ltmtest_" + hex.EncodeToString(b)
	targets := []Target{
		{Role: id + "_a", Database: id + "_a"},
		{Role: id + `_we"ird`, Database: id + "_weird db"},
	}
	targets = append(targets, WithPrefix(targets[:1], "e2e_")...)
	t.Cleanup(func() {
		if err := Drop(ctx, admin, targets, true); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})

	for run := 1; run <= 2; run++ {
		if err := Ensure(ctx, admin, targets); err != nil {
			t.Fatalf("Ensure run %d: %v", run, err)
		}
	}

	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, tt := range targets {
		var owner string
		var login bool
		err := conn.QueryRow(ctx, `SELECT pg_get_userbyid(d.datdba), r.rolcanlogin
			FROM pg_database d JOIN pg_roles r ON r.rolname = $2 WHERE d.datname = $1`,
			tt.Database, tt.Role).Scan(&owner, &login)
		if err != nil {
			t.Errorf("%+v: %v", tt, err)
			continue
		}
		if owner != tt.Role || !login {
			t.Errorf("%+v: owner %q, login %v", tt, owner, login)
		}
	}

	// The role must actually be able to use its database.
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatal(err)
	}
	cfg.User, cfg.Database = targets[0].Role, targets[0].Database
	appConn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect as %s: %v", cfg.User, err)
	}
	defer appConn.Close(ctx)
	if _, err := appConn.Exec(ctx, "CREATE TABLE t (id int)"); err != nil {
		t.Errorf("create table as owner: %v", err)
	}
}
