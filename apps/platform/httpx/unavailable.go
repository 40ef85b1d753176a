package httpx

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err says the service's database could not be
// reached: down, restarting, or the connection cut mid-request. Nothing is
// wrong with the request, and the same request may succeed in a moment, so
// it is answered 503 (with Retry-After), not 500.
func Unavailable(err error) bool {
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01–57P03: the server is
		// shutting down, was restarted, or cannot accept connections yet.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	// pgconn's own connection-level errors (the socket closed or timed
	// out under a query) are the ones that say whether a retry is safe.
	var conn interface{ SafeToRetry() bool }
	return errors.As(err, &conn)
}
