// Package postgres keeps emotion-ml-service's record of what it analysed,
// in its own database, and writes each emotion.analyzed event to the outbox
// in the same transaction. All of the service's SQL lives here.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/outbox"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/emotion"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the service's goose files, for service.Spec.Migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Store implements emotion.Store.
type Store struct {
	pool    *pgxpool.Pool
	publish func(emotion.Analysis) (topic string, payload any)
}

// New returns a store on pool; event turns a recorded analysis into the
// event written with it.
func New(pool *pgxpool.Pool, event func(emotion.Analysis) (string, any)) *Store {
	return &Store{pool: pool, publish: event}
}

func jobKey(job *uuid.UUID) string {
	if job == nil {
		return ""
	}
	return job.String()
}

// Done implements emotion.Store.
func (s *Store) Done(ctx context.Context, req emotion.Request) (bool, error) {
	var done bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM analyses WHERE letter_id = $1 AND job_key = $2)`,
		req.LetterID, jobKey(req.JobID)).Scan(&done)
	if err != nil {
		return false, fmt.Errorf("look up analysis: %w", err)
	}
	return done, nil
}

// Record implements emotion.Store: the row and its event commit together,
// and a second record of the same request writes neither. A deleted
// user's analysis is tombstone.ErrGone: no row, no event.
func (s *Store) Record(ctx context.Context, a emotion.Analysis) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tombstone.Guard(ctx, tx, a.UserID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO analyses (letter_id, job_key, user_id, mood, detailed, analyzer, analyzed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (letter_id, job_key) DO NOTHING`,
			a.LetterID, jobKey(a.JobID), a.UserID, a.Verdict.Mood, a.Verdict.Detailed, a.Verdict.Analyzer, a.AnalyzedAt)
		if err != nil {
			return fmt.Errorf("record analysis: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		topic, payload := s.publish(a)
		if _, err := outbox.Enqueue(ctx, tx, topic, payload); err != nil {
			return fmt.Errorf("enqueue %s: %w", topic, err)
		}
		return nil
	})
}

// ForgetLetter implements emotion.Store.
func (s *Store) ForgetLetter(ctx context.Context, letterID uuid.UUID) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM analyses WHERE letter_id = $1`, letterID); err != nil {
		return fmt.Errorf("forget letter: %w", err)
	}
	return nil
}

// ForgetUser implements emotion.Store: the user is buried (tombstone) and
// their rows go in one transaction, so an analysis racing it either went
// before (and goes with them) or is refused.
func (s *Store) ForgetUser(ctx context.Context, userID uuid.UUID) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tombstone.Bury(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM analyses WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("forget user: %w", err)
		}
		return nil
	})
}
