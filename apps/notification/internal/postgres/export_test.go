package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

// The store's tests read single records back; the service never needs to.

// Get returns the record id.
func (s *Store) Get(ctx context.Context, id string) (notify.Record, error) {
	r, err := scan(s.pool.QueryRow(ctx, `SELECT `+columns+` FROM notifications WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return notify.Record{}, fmt.Errorf("notification %s: %w", id, notify.ErrNotFound)
	}
	return r, err
}
