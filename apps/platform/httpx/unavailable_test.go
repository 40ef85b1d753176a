package httpx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
)

// The errors a real Postgres outage produces are told apart from every
// other failure: a refused connection, a session the server terminated (as
// a restart does), against a statement error and a plain error.
func TestUnavailableIsADatabaseOutage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Nothing listens on a port just freed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	_, refused := pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?connect_timeout=5", port))
	if refused == nil {
		t.Fatal("connected to a closed port")
	}

	conn, err := pgx.Connect(ctx, pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, divByZero := conn.Exec(ctx, "SELECT 1/0")
	// The server ends the session, as a fast shutdown or restart does.
	admin, err := pgx.Connect(ctx, pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend($1)", conn.PgConn().PID()); err != nil {
		t.Fatal(err)
	}
	var one int
	terminated := conn.QueryRow(ctx, "SELECT 1").Scan(&one)
	if terminated == nil {
		t.Fatal("a terminated session still answered")
	}

	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("list letters: %w", refused), true},
		{"session terminated", fmt.Errorf("list letters: %w", terminated), true},
		{"division by zero", fmt.Errorf("list letters: %w", divByZero), false},
		{"plain error", errors.New("db down"), false},
	} {
		if got := httpx.Unavailable(tt.err); got != tt.want {
			t.Errorf("%s (%v): Unavailable = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
