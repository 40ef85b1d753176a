// Package postgres stores profiles in user-service's own Postgres database.
// All of the service's SQL lives here; the schema is in migrations/.
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
	"github.com/lettertomyself/ltm/apps/platform/tombstone"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the service's goose files, for service.Spec.Migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Store reads and writes profiles.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a store on pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

const columns = `user_id, username, email, nickname, bio, birthday, blog_url, avatar_image_id,
	timezone, locale, notify_letter_opened, notify_routine_reminder, notify_special_date,
	created_at, updated_at`

// Get returns userID's profile or profile.ErrNotFound.
func (s *Store) Get(ctx context.Context, userID uuid.UUID) (profile.Profile, error) {
	p, err := scan(s.pool.QueryRow(ctx, `SELECT `+columns+` FROM profiles WHERE user_id = $1`, userID))
	if err != nil {
		return profile.Profile{}, fmt.Errorf("get profile: %w", err)
	}
	return p, nil
}

// Update loads userID's profile, locked, passes it to change and saves what
// change returns, all in one transaction. An error from change is returned
// as is and nothing is saved; tombstone.ErrGone when the account is
// deleted.
func (s *Store) Update(ctx context.Context, userID uuid.UUID, change func(profile.Profile) (profile.Profile, error)) (profile.Profile, error) {
	var out profile.Profile
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tombstone.Guard(ctx, tx, userID); err != nil {
			return err
		}
		cur, err := scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM profiles WHERE user_id = $1 FOR UPDATE`, userID))
		if err != nil {
			return fmt.Errorf("update profile: %w", err)
		}
		next, err := change(cur)
		if err != nil {
			return err
		}
		n := next.Snapshot()
		_, err = tx.Exec(ctx, `UPDATE profiles SET
			nickname = $2, bio = $3, birthday = $4, blog_url = $5, avatar_image_id = $6,
			timezone = $7, locale = $8, notify_letter_opened = $9, notify_routine_reminder = $10,
			notify_special_date = $11, updated_at = $12
			WHERE user_id = $1`,
			userID, n.Nickname, n.Bio, dateArg(n.Birthday), n.BlogURL, n.AvatarImageID,
			n.Timezone, n.Locale, n.Notifications.LetterOpened, n.Notifications.RoutineReminder,
			n.Notifications.SpecialDate, n.UpdatedAt)
		if err != nil {
			return fmt.Errorf("update profile: %w", err)
		}
		out = next
		return nil
	})
	if err != nil {
		return profile.Profile{}, err
	}
	return out, nil
}

// Create stores p unless the event was applied before or the profile
// exists already (a republished event can carry a new id). It reports
// whether a profile was created; tombstone.ErrGone when the account was
// deleted meanwhile (topics are separate queues: a user.registered
// redelivered late must not bring a purged profile back).
func (s *Store) Create(ctx context.Context, ev delivery.Ref, p profile.Profile) (bool, error) {
	created := false
	sn := p.Snapshot()
	err := s.apply(ctx, ev, func(tx pgx.Tx) error {
		if err := tombstone.Guard(ctx, tx, sn.UserID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO profiles (`+columns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			ON CONFLICT (user_id) DO NOTHING`,
			sn.UserID, sn.Username, sn.Email, sn.Nickname, sn.Bio, dateArg(sn.Birthday), sn.BlogURL, sn.AvatarImageID,
			sn.Timezone, sn.Locale, sn.Notifications.LetterOpened, sn.Notifications.RoutineReminder,
			sn.Notifications.SpecialDate, sn.CreatedAt, sn.UpdatedAt)
		if err != nil {
			return fmt.Errorf("create profile: %w", err)
		}
		created = tag.RowsAffected() == 1
		return nil
	})
	return created, err
}

// ChangeEmail mirrors an email change made in auth-service. A user without
// a profile changes nothing. It reports whether a profile was changed;
// tombstone.ErrGone when the account is deleted.
func (s *Store) ChangeEmail(ctx context.Context, ev delivery.Ref, userID uuid.UUID, email string, at time.Time) (bool, error) {
	changed := false
	err := s.apply(ctx, ev, func(tx pgx.Tx) error {
		if err := tombstone.Guard(ctx, tx, userID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE profiles SET email = $2, updated_at = $3
			WHERE user_id = $1 AND email IS DISTINCT FROM $2`, userID, email, at)
		if err != nil {
			return fmt.Errorf("change email: %w", err)
		}
		changed = tag.RowsAffected() == 1
		return nil
	})
	return changed, err
}

// Purge forgets userID: the user is buried (tombstone) and the profile
// goes, in one transaction, so neither a late registration event nor a
// profile update racing it brings the profile back. It reports whether a
// profile was deleted.
func (s *Store) Purge(ctx context.Context, ev delivery.Ref, userID uuid.UUID) (bool, error) {
	deleted := false
	err := s.apply(ctx, ev, func(tx pgx.Tx) error {
		if err := tombstone.Bury(ctx, tx, userID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM profiles WHERE user_id = $1`, userID)
		if err != nil {
			return fmt.Errorf("purge profile: %w", err)
		}
		deleted = tag.RowsAffected() == 1
		return nil
	})
	return deleted, err
}

// apply runs fn in a transaction that first claims ev in the inbox; an
// event claimed before is skipped.
func (s *Store) apply(ctx context.Context, ev delivery.Ref, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		fresh, err := inbox.Claim(ctx, tx, ev.Consumer(), ev.ID())
		if err != nil || !fresh {
			return err
		}
		return fn(tx)
	})
}

func scan(row pgx.Row) (profile.Profile, error) {
	var (
		p        profile.Snapshot
		birthday *time.Time
	)
	err := row.Scan(&p.UserID, &p.Username, &p.Email, &p.Nickname, &p.Bio, &birthday, &p.BlogURL,
		&p.AvatarImageID, &p.Timezone, &p.Locale, &p.Notifications.LetterOpened,
		&p.Notifications.RoutineReminder, &p.Notifications.SpecialDate, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return profile.Profile{}, profile.ErrNotFound
	}
	if err != nil {
		return profile.Profile{}, err
	}
	if birthday != nil {
		d := wallclock.DateOf(*birthday)
		p.Birthday = &d
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return profile.Restore(p), nil
}

func dateArg(d *wallclock.Date) *time.Time {
	if d == nil {
		return nil
	}
	t := d.Time()
	return &t
}
