package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/work"
)

// The store's tests read single items back; the service never needs to.

// Get returns one item.
func (s *Store) Get(ctx context.Context, kind work.Kind, sourceID uuid.UUID) (work.Item, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+itemColumns+` FROM due_work WHERE kind = $1 AND source_id = $2`, kind, sourceID)
	if err != nil {
		return work.Item{}, fmt.Errorf("get %s: %w", kind, err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanItem)
	if errors.Is(err, pgx.ErrNoRows) {
		return work.Item{}, fmt.Errorf("get %s %s: %w", kind, sourceID, ErrNotFound)
	}
	if err != nil {
		return work.Item{}, fmt.Errorf("get %s: %w", kind, err)
	}
	return r.item, r.err
}

// ErrNotFound is Get's answer for missing work.
var ErrNotFound = errors.New("not found")
