// Package postgres stores routines and special dates in routine-service's
// own Postgres database. All of the service's SQL lives here; the schema is
// in migrations/. Every change writes its event to the outbox in the same
// transaction, so no change goes unannounced and no event announces a
// change that did not happen.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/inbox"
	"github.com/lettertomyself/ltm/apps/platform/outbox"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"github.com/lettertomyself/ltm/apps/routine/internal/events"
	"github.com/lettertomyself/ltm/apps/routine/internal/routine"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the service's goose files, for service.Spec.Migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Store reads and writes routines and special dates.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a store on pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

const routineColumns = `id, user_id, title, kind, weekday, day_of_month, local_time, created_at, updated_at`

// ListRoutines returns userID's routines, oldest first.
func (s *Store) ListRoutines(ctx context.Context, userID uuid.UUID) ([]routine.Routine, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+routineColumns+` FROM routines WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list routines: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (routine.Routine, error) { return scanRoutine(row) })
	if err != nil {
		return nil, fmt.Errorf("list routines: %w", err)
	}
	return out, nil
}

// GetRoutine returns userID's routine id, or routine.ErrNotFound.
func (s *Store) GetRoutine(ctx context.Context, userID, id uuid.UUID) (routine.Routine, error) {
	r, err := scanRoutine(s.pool.QueryRow(ctx, `SELECT `+routineColumns+` FROM routines WHERE id = $1 AND user_id = $2`, id, userID))
	if err != nil {
		return routine.Routine{}, fmt.Errorf("get routine: %w", err)
	}
	return r, nil
}

// CreateRoutine saves r and announces it with its owner's timezone.
func (s *Store) CreateRoutine(ctx context.Context, r routine.Routine, timezone string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tombstone.Guard(ctx, tx, r.UserID()); err != nil {
			return err
		}
		weekday, day := routineKindArgs(r)
		_, err := tx.Exec(ctx, `INSERT INTO routines (`+routineColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.ID(), r.UserID(), r.Title(), string(r.Kind()), weekday, day, timeArg(r.Time()), r.CreatedAt(), r.UpdatedAt())
		if err != nil {
			return fmt.Errorf("create routine: %w", err)
		}
		_, err = outbox.Enqueue(ctx, tx, events.TopicUpserted, events.ForRoutine(r, timezone))
		return err
	})
}

// UpdateRoutine loads userID's routine id, locked, passes it to change and
// saves and announces what change returns, all in one transaction. An
// error from change is returned as is and nothing is saved.
func (s *Store) UpdateRoutine(ctx context.Context, userID, id uuid.UUID, timezone string, change func(routine.Routine) (routine.Routine, error)) (routine.Routine, error) {
	var out routine.Routine
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tombstone.Guard(ctx, tx, userID); err != nil {
			return err
		}
		cur, err := scanRoutine(tx.QueryRow(ctx, `SELECT `+routineColumns+` FROM routines WHERE id = $1 AND user_id = $2 FOR UPDATE`, id, userID))
		if err != nil {
			return fmt.Errorf("update routine: %w", err)
		}
		next, err := change(cur)
		if err != nil {
			return err
		}
		weekday, day := routineKindArgs(next)
		_, err = tx.Exec(ctx, `UPDATE routines SET title = $3, kind = $4, weekday = $5, day_of_month = $6, local_time = $7, updated_at = $8
			WHERE id = $1 AND user_id = $2`,
			id, userID, next.Title(), string(next.Kind()), weekday, day, timeArg(next.Time()), next.UpdatedAt())
		if err != nil {
			return fmt.Errorf("update routine: %w", err)
		}
		if _, err := outbox.Enqueue(ctx, tx, events.TopicUpserted, events.ForRoutine(next, timezone)); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

// DeleteRoutine deletes userID's routine id and announces it, or returns
// routine.ErrNotFound.
func (s *Store) DeleteRoutine(ctx context.Context, userID, id uuid.UUID) error {
	return s.delete(ctx, `DELETE FROM routines WHERE id = $1 AND user_id = $2`, events.TypeRoutine, userID, id)
}

const specialDateColumns = `id, user_id, name, date, yearly, created_at, updated_at`

// ListSpecialDates returns userID's special dates, oldest first.
func (s *Store) ListSpecialDates(ctx context.Context, userID uuid.UUID) ([]routine.SpecialDate, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+specialDateColumns+` FROM special_dates WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list special dates: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (routine.SpecialDate, error) { return scanSpecialDate(row) })
	if err != nil {
		return nil, fmt.Errorf("list special dates: %w", err)
	}
	return out, nil
}

// GetSpecialDate returns userID's special date id, or routine.ErrNotFound.
func (s *Store) GetSpecialDate(ctx context.Context, userID, id uuid.UUID) (routine.SpecialDate, error) {
	d, err := scanSpecialDate(s.pool.QueryRow(ctx, `SELECT `+specialDateColumns+` FROM special_dates WHERE id = $1 AND user_id = $2`, id, userID))
	if err != nil {
		return routine.SpecialDate{}, fmt.Errorf("get special date: %w", err)
	}
	return d, nil
}

// CreateSpecialDate saves d and announces it with its owner's timezone.
func (s *Store) CreateSpecialDate(ctx context.Context, d routine.SpecialDate, timezone string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tombstone.Guard(ctx, tx, d.UserID()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO special_dates (`+specialDateColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			d.ID(), d.UserID(), d.Name(), dateArg(d.Date()), d.Yearly(), d.CreatedAt(), d.UpdatedAt())
		if err != nil {
			return fmt.Errorf("create special date: %w", err)
		}
		_, err = outbox.Enqueue(ctx, tx, events.TopicUpserted, events.ForSpecialDate(d, timezone))
		return err
	})
}

// UpdateSpecialDate is UpdateRoutine for special dates.
func (s *Store) UpdateSpecialDate(ctx context.Context, userID, id uuid.UUID, timezone string, change func(routine.SpecialDate) (routine.SpecialDate, error)) (routine.SpecialDate, error) {
	var out routine.SpecialDate
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tombstone.Guard(ctx, tx, userID); err != nil {
			return err
		}
		cur, err := scanSpecialDate(tx.QueryRow(ctx, `SELECT `+specialDateColumns+` FROM special_dates WHERE id = $1 AND user_id = $2 FOR UPDATE`, id, userID))
		if err != nil {
			return fmt.Errorf("update special date: %w", err)
		}
		next, err := change(cur)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE special_dates SET name = $3, date = $4, yearly = $5, updated_at = $6 WHERE id = $1 AND user_id = $2`,
			id, userID, next.Name(), dateArg(next.Date()), next.Yearly(), next.UpdatedAt())
		if err != nil {
			return fmt.Errorf("update special date: %w", err)
		}
		if _, err := outbox.Enqueue(ctx, tx, events.TopicUpserted, events.ForSpecialDate(next, timezone)); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

// DeleteSpecialDate deletes userID's special date id and announces it, or
// returns routine.ErrNotFound.
func (s *Store) DeleteSpecialDate(ctx context.Context, userID, id uuid.UUID) error {
	return s.delete(ctx, `DELETE FROM special_dates WHERE id = $1 AND user_id = $2`, events.TypeSpecialDate, userID, id)
}

func (s *Store) delete(ctx context.Context, sql, typ string, userID, id uuid.UUID) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sql, id, userID)
		if err != nil {
			return fmt.Errorf("delete %s: %w", typ, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("delete %s: %w", typ, routine.ErrNotFound)
		}
		_, err = outbox.Enqueue(ctx, tx, events.TopicDeleted, events.Deleted{Type: typ, ID: id, UserID: userID})
		return err
	})
}

// PurgeUser deletes everything userID owns, once per eventID: a
// redelivered user.deleted finds its claim and changes nothing. The user
// is buried in the same transaction: every later create or update of
// theirs is tombstone.ErrGone, and one racing the purge is purged.
func (s *Store) PurgeUser(ctx context.Context, consumer, eventID string, userID uuid.UUID) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		fresh, err := inbox.Claim(ctx, tx, consumer, eventID)
		if err != nil || !fresh {
			return err
		}
		if err := tombstone.Bury(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM routines WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("purge routines: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM special_dates WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("purge special dates: %w", err)
		}
		return nil
	})
}

func scanRoutine(row pgx.Row) (routine.Routine, error) {
	var (
		id, userID uuid.UUID
		f          routine.RoutineFields
		kind       string
		day        *int16
		at         pgtype.Time
		r          routine.Routine
	)
	var created, updated pgtype.Timestamptz
	if err := row.Scan(&id, &userID, &f.Title, &kind, &f.Weekday, &day, &at, &created, &updated); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return r, routine.ErrNotFound
		}
		return r, err
	}
	f.Kind = routine.Kind(kind)
	if day != nil {
		d := int(*day)
		f.DayOfMonth = &d
	}
	minutes := at.Microseconds / 60_000_000
	f.Time = fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
	return routine.RestoreRoutine(id, userID, f, created.Time, updated.Time)
}

func scanSpecialDate(row pgx.Row) (routine.SpecialDate, error) {
	var (
		id, userID       uuid.UUID
		f                routine.SpecialDateFields
		on               pgtype.Date
		created, updated pgtype.Timestamptz
	)
	if err := row.Scan(&id, &userID, &f.Name, &on, &f.Yearly, &created, &updated); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return routine.SpecialDate{}, routine.ErrNotFound
		}
		return routine.SpecialDate{}, err
	}
	f.Date = wallclock.DateOf(on.Time).String()
	return routine.RestoreSpecialDate(id, userID, f, created.Time, updated.Time)
}

func routineKindArgs(r routine.Routine) (weekday *string, day *int) {
	f := r.Fields()
	return f.Weekday, f.DayOfMonth
}

func timeArg(t wallclock.TimeOfDay) pgtype.Time {
	return pgtype.Time{Microseconds: int64(t.Minutes()) * 60_000_000, Valid: true}
}

func dateArg(d wallclock.Date) pgtype.Date {
	return pgtype.Date{Time: d.Time(), Valid: true}
}
