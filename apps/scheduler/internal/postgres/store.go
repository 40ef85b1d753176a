// Package postgres keeps scheduler-service's due work in its own Postgres
// database. All of the service's SQL lives here; the schema is in
// migrations/.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/delivery"
	"github.com/lettertomyself/ltm/apps/platform/inbox"
	"github.com/lettertomyself/ltm/apps/platform/outbox"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/schedule"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/work"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the service's goose files, for service.Spec.Migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Store reads and writes due work.
type Store struct {
	pool *pgxpool.Pool
	log  *slog.Logger
}

// New returns a store on pool.
func New(pool *pgxpool.Pool, log *slog.Logger) *Store { return &Store{pool: pool, log: log} }

// apply runs change for userID's work in a transaction that first claims
// ev in the inbox; a claimed-before event changes nothing and reports
// false. A deleted user's work is tombstone.ErrGone (nothing claimed,
// nothing changed): the purge buried them, and a change racing it either
// went before it (and was purged) or waits for it and is refused.
func (s *Store) apply(ctx context.Context, ev delivery.Ref, userID uuid.UUID, change func(tx pgx.Tx) error) (bool, error) {
	applied := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		fresh, err := inbox.Claim(ctx, tx, ev.Consumer(), ev.ID())
		if err != nil || !fresh {
			return err
		}
		if err := tombstone.Guard(ctx, tx, userID); err != nil {
			return err
		}
		applied = true
		return change(tx)
	})
	if err != nil {
		return false, err
	}
	return applied, nil
}

// ScheduleLetter records a letter's opening. A letter's open time never
// changes, so an existing row (pending, done or a cancelled tombstone)
// wins: a republished letter.created, or one arriving after
// letter.deleted, changes nothing.
func (s *Store) ScheduleLetter(ctx context.Context, ev delivery.Ref, it work.Item) (bool, error) {
	return s.apply(ctx, ev, it.UserID(), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO due_work (kind, source_id, user_id, state, due_at, occurrence, data, updated_at)
			VALUES ($1, $2, $3, 'pending', $4, $5, $6, '-infinity')
			ON CONFLICT (kind, source_id) DO NOTHING`,
			it.Kind(), it.SourceID(), it.UserID(), it.DueAt(), it.Occurrence(), it.Data())
		if err != nil {
			return fmt.Errorf("schedule letter: %w", err)
		}
		return nil
	})
}

// UpsertRecurring records a routine or special date as of it.Version(). An
// event older than the row's version changes nothing. When the schedule is
// unchanged, a pending row keeps its due occurrence: a title edit must not
// drop an occurrence that is due but not yet swept.
func (s *Store) UpsertRecurring(ctx context.Context, ev delivery.Ref, it work.Item) (bool, error) {
	if it.Schedule() == nil {
		return false, fmt.Errorf("upsert %s %s: no schedule", it.Kind(), it.SourceID())
	}
	sc := it.Schedule()
	return s.apply(ctx, ev, it.UserID(), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, strings.ReplaceAll(`INSERT INTO due_work AS w
			(kind, source_id, user_id, state, due_at, occurrence,
			 repeat, weekday, day_of_month, date, time_of_day, timezone, data, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::date, $11, $12, $13, $14)
			ON CONFLICT (kind, source_id) DO UPDATE SET
				user_id = EXCLUDED.user_id,
				state = CASE WHEN w.same THEN w.state ELSE EXCLUDED.state END,
				due_at = CASE WHEN w.same THEN w.due_at ELSE EXCLUDED.due_at END,
				occurrence = CASE WHEN w.same THEN w.occurrence ELSE EXCLUDED.occurrence END,
				repeat = EXCLUDED.repeat, weekday = EXCLUDED.weekday, day_of_month = EXCLUDED.day_of_month,
				date = EXCLUDED.date, time_of_day = EXCLUDED.time_of_day, timezone = EXCLUDED.timezone,
				data = EXCLUDED.data, updated_at = EXCLUDED.updated_at
			WHERE w.updated_at < EXCLUDED.updated_at`, "w.same", keepDue),
			it.Kind(), it.SourceID(), it.UserID(), it.State(), it.DueAt(), it.Occurrence(),
			sc.Repeat(), weekdayArg(*sc), dayArg(*sc), dateArg(*sc), sc.Clock(), sc.Location().String(),
			it.Data(), it.Version())
		if err != nil {
			return fmt.Errorf("upsert %s: %w", it.Kind(), err)
		}
		return nil
	})
}

// keepDue holds when an upsert leaves a pending row's schedule as it was.
const keepDue = `(w.state = 'pending'
	AND w.repeat IS NOT DISTINCT FROM EXCLUDED.repeat
	AND w.weekday IS NOT DISTINCT FROM EXCLUDED.weekday
	AND w.day_of_month IS NOT DISTINCT FROM EXCLUDED.day_of_month
	AND w.date IS NOT DISTINCT FROM EXCLUDED.date
	AND w.time_of_day IS NOT DISTINCT FROM EXCLUDED.time_of_day
	AND w.timezone IS NOT DISTINCT FROM EXCLUDED.timezone)`

// Cancel stops kind's work for sourceID for good: the row becomes a
// tombstone with an infinite version, so no upsert, however late, revives
// it. A cancel that arrives before the create leaves the tombstone behind.
func (s *Store) Cancel(ctx context.Context, ev delivery.Ref, kind work.Kind, sourceID, userID uuid.UUID, now time.Time) (bool, error) {
	return s.apply(ctx, ev, userID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO due_work (kind, source_id, user_id, state, due_at, occurrence, updated_at)
			VALUES ($1, $2, $3, 'cancelled', $4, '', 'infinity')
			ON CONFLICT (kind, source_id) DO UPDATE SET state = 'cancelled', updated_at = 'infinity'`,
			kind, sourceID, userID, now)
		if err != nil {
			return fmt.Errorf("cancel %s: %w", kind, err)
		}
		return nil
	})
}

// PurgeUser buries userID (tombstone) and deletes everything of theirs,
// once per event.
func (s *Store) PurgeUser(ctx context.Context, ev delivery.Ref, userID uuid.UUID) (bool, error) {
	applied := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		fresh, err := inbox.Claim(ctx, tx, ev.Consumer(), ev.ID())
		if err != nil || !fresh {
			return err
		}
		applied = true
		if err := tombstone.Bury(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM due_work WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("purge user: %w", err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return applied, nil
}

// SweepBatch claims up to limit pending items due at or before now, skipping
// rows another sweeper holds, and for each enqueues the outcome's
// notification.requested in the outbox and moves the row to its next
// occurrence or marks it done — all in one transaction, so an occurrence is
// requested once however many sweepers run and wherever one crashes.
func (s *Store) SweepBatch(ctx context.Context, now time.Time, limit int, plan work.Planner) (work.Batch, error) {
	var b work.Batch
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b = work.Batch{}
		rows, err := tx.Query(ctx, `SELECT `+itemColumns+` FROM due_work
			WHERE state = 'pending' AND due_at <= $1
			ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`, now, limit)
		if err != nil {
			return fmt.Errorf("claim due work: %w", err)
		}
		items, err := pgx.CollectRows(rows, scanItem)
		if err != nil {
			return fmt.Errorf("claim due work: %w", err)
		}
		b.Claimed = len(items)
		// Every item's statements (its event, its new state) go to
		// Postgres as one batch: one round trip for the claimed rows, not
		// two per row (10,000 letters due at once took the sweep ~25 s).
		q := &pgx.Batch{}
		for _, r := range items {
			if r.err != nil {
				// Validated on the way in, so only a lost zone can get here;
				// retrying cannot help and must not block the sweep.
				s.log.ErrorContext(ctx, "due work unreadable; cancelling it", "kind", r.item.Kind, "source_id", r.item.SourceID, "err", r.err)
				queueState(q, r.item, work.Cancelled)
				continue
			}
			if err := s.handle(ctx, q, r.item, plan(r.item), &b); err != nil {
				return err
			}
		}
		if q.Len() == 0 {
			return nil
		}
		if err := tx.SendBatch(ctx, q).Close(); err != nil {
			return fmt.Errorf("sweep %d claimed rows: %w", len(items), err)
		}
		return nil
	})
	if err != nil {
		return work.Batch{}, err
	}
	return b, nil
}

// handle queues on q what out asks for it.
func (s *Store) handle(ctx context.Context, q *pgx.Batch, it work.Item, out work.Outcome, b *work.Batch) error {
	if out.Send != nil {
		if _, err := outbox.Queue(q, work.TopicNotificationRequested, out.Send); err != nil {
			return err
		}
		b.Sent = append(b.Sent, out.Send.ID)
	}
	if out.Skipped {
		b.Skipped++
		s.log.WarnContext(ctx, "occurrence older than the catch-up window; skipped",
			"kind", it.Kind(), "source_id", it.SourceID(), "occurrence", it.Occurrence(), "due_at", it.DueAt())
	}
	if out.Next == nil {
		queueState(q, it, work.Done)
		return nil
	}
	q.Queue(`UPDATE due_work SET due_at = $3, occurrence = $4 WHERE kind = $1 AND source_id = $2`,
		it.Kind(), it.SourceID(), out.Next.At, out.Next.Key)
	return nil
}

func queueState(q *pgx.Batch, it work.Item, st work.State) {
	q.Queue(`UPDATE due_work SET state = $3 WHERE kind = $1 AND source_id = $2`, it.Kind(), it.SourceID(), st)
}

// Stats reports the backlog as of now.
func (s *Store) Stats(ctx context.Context, now time.Time) (work.Stats, error) {
	var st work.Stats
	var oldest *time.Time
	err := s.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE due_at <= $1), min(due_at) FILTER (WHERE due_at <= $1)
		FROM due_work WHERE state = 'pending'`, now).Scan(&st.Pending, &st.Due, &oldest)
	if err != nil {
		return work.Stats{}, fmt.Errorf("stats: %w", err)
	}
	if oldest != nil {
		st.OldestDueAge = now.Sub(*oldest)
	}
	return st, nil
}

// updated_at is read as text: tombstones hold ±infinity, which time.Time
// cannot hold, and versions are only ever compared in SQL.
const itemColumns = `kind, source_id, user_id, state, due_at, occurrence,
	repeat, weekday, day_of_month, to_char(date, 'YYYY-MM-DD'), time_of_day, timezone, data`

type row struct {
	item work.Item
	err  error // the stored schedule no longer builds
}

func scanItem(r pgx.CollectableRow) (row, error) {
	var (
		kind                   work.Kind
		sourceID, userID       uuid.UUID
		state                  work.State
		dueAt                  time.Time
		occurrence             string
		data                   map[string]any
		repeat, date, hhmm, tz *string
		weekday, day           *int16
	)
	if err := r.Scan(&kind, &sourceID, &userID, &state, &dueAt, &occurrence,
		&repeat, &weekday, &day, &date, &hhmm, &tz, &data); err != nil {
		return row{}, err
	}
	if repeat == nil || kind == work.LetterOpened {
		return row{item: work.Restore(kind, sourceID, userID, state, dueAt, occurrence, nil, data)}, nil
	}
	sc, err := buildSchedule(schedule.Repeat(*repeat), weekday, day, date, hhmm, tz)
	if err != nil {
		return row{item: work.Restore(kind, sourceID, userID, state, dueAt, occurrence, nil, data), err: err}, nil
	}
	return row{item: work.Restore(kind, sourceID, userID, state, dueAt, occurrence, &sc, data)}, nil
}

func buildSchedule(repeat schedule.Repeat, weekday, day *int16, date, hhmm, tz *string) (schedule.Schedule, error) {
	if hhmm == nil || tz == nil {
		return schedule.Schedule{}, fmt.Errorf("%w: incomplete row", schedule.ErrInvalid)
	}
	loc, err := wallclock.LoadZone(*tz)
	if err != nil {
		return schedule.Schedule{}, err
	}
	switch repeat {
	case schedule.Weekly:
		if weekday == nil {
			break
		}
		return schedule.NewWeekly(time.Weekday(*weekday), *hhmm, loc)
	case schedule.Monthly:
		if day == nil {
			break
		}
		return schedule.NewMonthly(int(*day), *hhmm, loc)
	case schedule.Yearly, schedule.Once:
		if date == nil {
			break
		}
		d, err := wallclock.ParseDate(*date)
		if err != nil {
			return schedule.Schedule{}, err
		}
		return schedule.NewSpecialDate(d, repeat == schedule.Yearly, loc)
	}
	return schedule.Schedule{}, fmt.Errorf("%w: repeat %q without its fields", schedule.ErrInvalid, repeat)
}

func weekdayArg(s schedule.Schedule) *int16 {
	if s.Repeat() != schedule.Weekly {
		return nil
	}
	v := int16(s.Weekday())
	return &v
}

func dayArg(s schedule.Schedule) *int16 {
	if s.Repeat() != schedule.Monthly {
		return nil
	}
	v := int16(s.Day())
	return &v
}

func dateArg(s schedule.Schedule) *string {
	if s.Repeat() != schedule.Yearly && s.Repeat() != schedule.Once {
		return nil
	}
	v := s.Date().String()
	return &v
}
