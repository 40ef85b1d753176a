// Package postgres stores letters in letter-service's own Postgres
// database, encrypted. All of the service's SQL lives here; the schema is
// in migrations/. Events announcing a change are written to the outbox in
// the change's own transaction.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/delivery"
	"github.com/lettertomyself/ltm/apps/platform/inbox"
	"github.com/lettertomyself/ltm/apps/platform/outbox"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"github.com/lettertomyself/ltm/apps/letter/internal/crypto"
	"github.com/lettertomyself/ltm/apps/letter/internal/events"
	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the service's goose files, for service.Spec.Migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Keys hands out the keyring (crypto.Holder is one); crypto.ErrNoKeys
// until it is loaded.
type Keys interface {
	Keyring() (*crypto.Keyring, error)
}

// Store reads and writes letters.
type Store struct {
	pool *pgxpool.Pool
	keys Keys
	// guard is tombstone.Guard; the benchmark measures writes without it.
	guard func(context.Context, pgx.Tx, uuid.UUID) error
}

// New returns a store on pool encrypting with keys.
func New(pool *pgxpool.Pool, keys Keys) *Store {
	return &Store{pool: pool, keys: keys, guard: tombstone.Guard}
}

// Associated data: the letter id plus the column, so a ciphertext moved to
// another row, or title and content swapped within one, fails to decrypt.
func aad(id uuid.UUID, field string) []byte { return append(id[:], field...) }

// Create stores l encrypted and enqueues letter.created in the same
// transaction; tombstone.ErrGone when the writer's account is deleted.
func (s *Store) Create(ctx context.Context, l letter.Letter) error {
	ring, err := s.keys.Keyring()
	if err != nil {
		return err
	}
	snap := l.Snapshot()
	kid, title, err := ring.Encrypt([]byte(snap.Title), aad(snap.ID, "title"))
	if err != nil {
		return err
	}
	_, content, err := ring.Encrypt([]byte(snap.Content), aad(snap.ID, "content"))
	if err != nil {
		return err
	}
	images := snap.ImageIDs
	if images == nil {
		images = []uuid.UUID{}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.guard(ctx, tx, snap.UserID); err != nil {
			return err
		}
		// The row and its event in one round trip.
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO letters
			(id, user_id, key_id, title_ct, content_ct, open_date, open_time, open_at, timezone, image_ids, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			snap.ID, snap.UserID, kid, title, content, snap.OpenDate.Time(), snap.OpenTime.String(),
			snap.OpenAt, snap.Timezone, images, snap.CreatedAt)
		if _, err := outbox.Queue(b, events.TopicCreated, events.Created{
			LetterID: snap.ID, UserID: snap.UserID, OpenAt: snap.OpenAt.UTC().Format(time.RFC3339),
			WrittenAt: snap.CreatedAt.UTC().Format(time.RFC3339Nano),
		}); err != nil {
			return err
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("insert letter: %w", err)
		}
		return nil
	})
}

// Get returns the caller's letter id, with its content, or
// letter.ErrNotFound (also when it is someone else's).
func (s *Store) Get(ctx context.Context, userID, id uuid.UUID) (letter.Letter, error) {
	ring, err := s.keys.Keyring()
	if err != nil {
		return letter.Letter{}, err
	}
	row := s.pool.QueryRow(ctx, `SELECT `+fullColumns+` FROM letters WHERE id = $1 AND user_id = $2`, id, userID)
	l, err := scan(row, ring, true)
	if err != nil {
		return letter.Letter{}, fmt.Errorf("get letter: %w", err)
	}
	return l, nil
}

// Text is a letter's title and content, decrypted, whoever wrote it, with
// when it was written: for emotion-ml's analysis only (the route admits no
// other caller). letter.ErrNotFound when it is gone.
func (s *Store) Text(ctx context.Context, id uuid.UUID) (letter.Letter, error) {
	ring, err := s.keys.Keyring()
	if err != nil {
		return letter.Letter{}, err
	}
	row := s.pool.QueryRow(ctx, `SELECT `+fullColumns+` FROM letters WHERE id = $1`, id)
	l, err := scan(row, ring, true)
	if err != nil {
		return letter.Letter{}, fmt.Errorf("letter text: %w", err)
	}
	return l, nil
}

// WrittenBy lists every letter of userID, oldest first, without decrypting
// anything: emotion-store's re-analysis asks emotion-ml for each.
func (s *Store) WrittenBy(ctx context.Context, userID uuid.UUID) ([]letter.Written, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, created_at FROM letters WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list letters: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (letter.Written, error) {
		var w letter.Written
		err := r.Scan(&w.LetterID, &w.WrittenAt)
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("list letters: %w", err)
	}
	return out, nil
}

// List returns up to q.Limit letters and the cursor of the next page (nil
// on the last one).
func (s *Store) List(ctx context.Context, q letter.Query) ([]letter.Letter, *letter.Cursor, error) {
	ring, err := s.keys.Keyring()
	if err != nil {
		return nil, nil, err
	}
	cols := listColumns
	if q.WithContent {
		cols = fullColumns
	}
	sql := `SELECT ` + cols + ` FROM letters WHERE user_id = $1`
	args := []any{q.UserID}
	switch q.Category {
	case letter.Past:
		args = append(args, q.Today.Time())
		sql += fmt.Sprintf(` AND open_date < $%d`, len(args))
	case letter.Now:
		args = append(args, q.Today.Time())
		sql += fmt.Sprintf(` AND open_date = $%d`, len(args))
	case letter.Future:
		args = append(args, q.Today.Time())
		sql += fmt.Sprintf(` AND open_date > $%d`, len(args))
	}
	if q.After != nil {
		args = append(args, q.After.CreatedAt, q.After.ID)
		sql += fmt.Sprintf(` AND (created_at, id) < ($%d, $%d)`, len(args)-1, len(args))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	args = append(args, limit+1)
	sql += fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d`, len(args))

	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list letters: %w", err)
	}
	defer rows.Close()
	var out []letter.Letter
	for rows.Next() {
		l, err := scan(rows, ring, q.WithContent)
		if err != nil {
			return nil, nil, fmt.Errorf("list letters: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("list letters: %w", err)
	}
	var next *letter.Cursor
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = &letter.Cursor{CreatedAt: last.CreatedAt(), ID: last.ID()}
	}
	return out, next, nil
}

// Delete removes the caller's letter and enqueues letter.deleted in the
// same transaction; letter.ErrNotFound if there is no such letter of
// theirs.
func (s *Store) Delete(ctx context.Context, userID, id uuid.UUID) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM letters WHERE id = $1 AND user_id = $2`, id, userID)
		if err != nil {
			return fmt.Errorf("delete letter: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return letter.ErrNotFound
		}
		_, err = outbox.Enqueue(ctx, tx, events.TopicDeleted, events.Deleted{LetterID: id, UserID: userID})
		return err
	})
}

// ApplyAnalysis stores a's mood on the letter once per event. A letter
// that is gone or not a.UserID's is left alone (it may have been deleted
// since), and an older analysis never replaces a newer one (re-analysis
// results can arrive out of order). It reports whether the letter changed;
// tombstone.ErrGone when a.UserID's account is deleted.
func (s *Store) ApplyAnalysis(ctx context.Context, e delivery.Ref, a letter.Analysis) (bool, error) {
	changed := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		fresh, err := inbox.Claim(ctx, tx, e.Consumer(), e.ID())
		if err != nil || !fresh {
			return err
		}
		if err := tombstone.Guard(ctx, tx, a.UserID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE letters
			SET mood = $3, detailed_mood = $4, mood_analyzed_at = $5
			WHERE id = $1 AND user_id = $2 AND (mood_analyzed_at IS NULL OR mood_analyzed_at <= $5)`,
			a.LetterID, a.UserID, a.Mood, a.DetailedMood, a.AnalyzedAt)
		if err != nil {
			return fmt.Errorf("store analysis: %w", err)
		}
		changed = tag.RowsAffected() == 1
		return nil
	})
	return changed, err
}

// DeleteUser purges every letter of userID once per event, enqueuing
// letter.deleted for each so consumers that track letters (scheduled
// mail, images, statistics) let go of them too. It returns how many
// letters went. The user is buried in the same transaction (tombstone):
// no write for them is accepted after it, and one racing it is purged.
func (s *Store) DeleteUser(ctx context.Context, e delivery.Ref, userID uuid.UUID) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		fresh, err := inbox.Claim(ctx, tx, e.Consumer(), e.ID())
		if err != nil || !fresh {
			return err
		}
		if err := tombstone.Bury(ctx, tx, userID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `DELETE FROM letters WHERE user_id = $1 RETURNING id`, userID)
		if err != nil {
			return fmt.Errorf("purge letters: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return fmt.Errorf("purge letters: %w", err)
		}
		for _, id := range ids {
			if _, err := outbox.Enqueue(ctx, tx, events.TopicDeleted, events.Deleted{LetterID: id, UserID: userID}); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

const (
	listColumns = `id, user_id, key_id, title_ct, NULL::bytea, open_date, open_time, open_at, timezone,
	image_ids, mood, detailed_mood, created_at`
	fullColumns = `id, user_id, key_id, title_ct, content_ct, open_date, open_time, open_at, timezone,
	image_ids, mood, detailed_mood, created_at`
)

func scan(row pgx.Row, ring *crypto.Keyring, withContent bool) (letter.Letter, error) {
	var (
		s               letter.Snapshot
		kid, clock      string
		titleCT, bodyCT []byte
		openDate        time.Time
	)
	err := row.Scan(&s.ID, &s.UserID, &kid, &titleCT, &bodyCT, &openDate, &clock, &s.OpenAt, &s.Timezone,
		&s.ImageIDs, &s.Mood, &s.DetailedMood, &s.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return letter.Letter{}, letter.ErrNotFound
	}
	if err != nil {
		return letter.Letter{}, err
	}
	s.OpenDate = wallclock.DateOf(openDate)
	if s.OpenTime, err = wallclock.ParseTimeOfDay(clock); err != nil {
		return letter.Letter{}, fmt.Errorf("letter %s: %w", s.ID, err)
	}
	title, err := ring.Decrypt(kid, titleCT, aad(s.ID, "title"))
	if err != nil {
		return letter.Letter{}, fmt.Errorf("letter %s title: %w", s.ID, err)
	}
	s.Title = string(title)
	if withContent {
		body, err := ring.Decrypt(kid, bodyCT, aad(s.ID, "content"))
		if err != nil {
			return letter.Letter{}, fmt.Errorf("letter %s content: %w", s.ID, err)
		}
		s.Content = string(body)
	}
	return letter.Restore(s), nil
}
