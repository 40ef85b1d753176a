// Package postgres keeps letter-storage-service's image metadata in its
// own Postgres database. Every SQL statement of the service is here.
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
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/inbox"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/letter-storage/internal/image"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the service's goose migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Store implements image.Store.
type Store struct{ pool *pgxpool.Pool }

// New returns a store over pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

var _ image.Store = (*Store)(nil)

const columns = `id, user_id, object_key, content_type, size, sha256, letter_id, open_at, created_at`

// Create inserts img after checking the quota under a per-user advisory
// lock, so two concurrent uploads cannot both squeeze under it;
// tombstone.ErrGone when the user's account is deleted.
func (s *Store) Create(ctx context.Context, img image.Image, limits image.Limits) error {
	user, err := uuid.Parse(img.UserID())
	if err != nil {
		return fmt.Errorf("image user: %w", err)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tombstone.Guard(ctx, tx, user); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('images:' || $1::text, 0))`, img.UserID()); err != nil {
			return fmt.Errorf("quota lock: %w", err)
		}
		var count int
		var used int64
		err := tx.QueryRow(ctx, `SELECT count(*), coalesce(sum(size), 0) FROM images WHERE user_id = $1`, img.UserID()).Scan(&count, &used)
		if err != nil {
			return fmt.Errorf("quota usage: %w", err)
		}
		if err := limits.CheckQuota(count, used, img.Size()); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO images (id, user_id, object_key, content_type, size, sha256, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			img.ID(), img.UserID(), img.ObjectKey(), img.ContentType(), img.Size(), img.SHA256(), img.CreatedAt())
		if err != nil {
			return fmt.Errorf("insert image: %w", err)
		}
		return nil
	})
}

// Get returns the user's image; another user's is ErrNotFound.
func (s *Store) Get(ctx context.Context, userID, id string) (image.Image, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM images WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return image.Image{}, fmt.Errorf("get image: %w", err)
	}
	img, err := pgx.CollectExactlyOneRow(rows, scanImage)
	if errors.Is(err, pgx.ErrNoRows) {
		return image.Image{}, image.ErrNotFound
	}
	if err != nil {
		return image.Image{}, fmt.Errorf("get image: %w", err)
	}
	return img, nil
}

// Delete removes one row.
func (s *Store) Delete(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM images WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete image: %w", err)
	}
	return nil
}

// Attach locks the requested rows (in id order, so concurrent attaches
// cannot deadlock), checks each, and attaches all or none. A second letter
// waiting on the same row sees it attached once the first commits.
func (s *Store) Attach(ctx context.Context, userID, letterID string, ids []string, openAt time.Time) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id::text, user_id::text, coalesce(letter_id::text, ''), avatar
			FROM images WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, ids)
		if err != nil {
			return fmt.Errorf("lock images: %w", err)
		}
		type row struct {
			id, user, letter string
			avatar           bool
		}
		found := map[string]row{}
		var r row
		_, err = pgx.ForEachRow(rows, []any{&r.id, &r.user, &r.letter, &r.avatar}, func() error {
			found[r.id] = r
			return nil
		})
		if err != nil {
			return fmt.Errorf("lock images: %w", err)
		}
		reasons := map[string]string{}
		for _, id := range ids {
			got, ok := found[id]
			switch {
			case !ok || got.user != userID:
				reasons[id] = image.ReasonNotFound
			case got.letter != "" && got.letter != letterID:
				reasons[id] = image.ReasonOtherLetter
			case got.avatar:
				reasons[id] = image.ReasonAvatar
			}
		}
		if len(reasons) > 0 {
			return &image.AttachError{Reasons: reasons}
		}
		if _, err := tx.Exec(ctx, `UPDATE images SET letter_id = $2, open_at = $3 WHERE id = ANY($1::uuid[])`, ids, letterID, openAt); err != nil {
			return fmt.Errorf("attach images: %w", err)
		}
		return nil
	})
}

// Detach makes the letter's images unattached again.
func (s *Store) Detach(ctx context.Context, letterID string) (int64, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE images SET letter_id = NULL, open_at = NULL WHERE letter_id = $1`, letterID)
	if err != nil {
		return 0, fmt.Errorf("detach images: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Purge deletes the rows sel picks and records their object keys as
// doomed, in one transaction (which also claims sel's event), and returns
// the images that went. Rows are locked only for that short transaction:
// an attach waiting on one finds it gone, never attached to a letter
// whose bytes are about to go. Deleting the objects is the caller's, with
// no transaction open.
func (s *Store) Purge(ctx context.Context, sel image.Selection, at time.Time) ([]image.Image, error) {
	where, args, err := selection(sel)
	if err != nil {
		return nil, err
	}
	var imgs []image.Image
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if sel.Claim != nil {
			fresh, err := inbox.Claim(ctx, tx, sel.Claim.Consumer(), sel.Claim.ID())
			if err != nil || !fresh {
				return err
			}
		}
		if sel.UserID != "" {
			// A user's purge buries them first (every batch; it is
			// idempotent): no upload or avatar of theirs lands after it.
			user, err := uuid.Parse(sel.UserID)
			if err != nil {
				return fmt.Errorf("purge user: %w", err)
			}
			if err := tombstone.Bury(ctx, tx, user); err != nil {
				return err
			}
		}
		q := `SELECT ` + columns + ` FROM images WHERE ` + where + ` ORDER BY created_at, id`
		if sel.Limit > 0 {
			q += fmt.Sprintf(` LIMIT %d`, sel.Limit)
		}
		q += ` FOR UPDATE`
		if sel.SkipLocked {
			q += ` SKIP LOCKED`
		}
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("select images to purge: %w", err)
		}
		if imgs, err = pgx.CollectRows(rows, scanImage); err != nil {
			return fmt.Errorf("select images to purge: %w", err)
		}
		if len(imgs) == 0 {
			return nil
		}
		ids := make([]string, len(imgs))
		keys := make([]string, len(imgs))
		for i, img := range imgs {
			ids[i], keys[i] = img.ID(), img.ObjectKey()
		}
		if _, err := tx.Exec(ctx, `INSERT INTO doomed_objects (object_key, doomed_at)
			SELECT unnest($1::text[]), $2 ON CONFLICT (object_key) DO NOTHING`, keys, at); err != nil {
			return fmt.Errorf("doom image objects: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM images WHERE id = ANY($1::uuid[])`, ids); err != nil {
			return fmt.Errorf("delete purged images: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return imgs, nil
}

// SetAvatar makes id (nil: none) userID's avatar, in one transaction: the
// image must be the user's own and on no letter; the previous avatar's row
// goes and its object is doomed. It returns the doomed object keys;
// tombstone.ErrGone when the user's account is deleted.
func (s *Store) SetAvatar(ctx context.Context, userID string, id *string, at time.Time) ([]string, error) {
	user, err := uuid.Parse(userID)
	if err != nil {
		return nil, image.ErrNotFound
	}
	var doomed []string
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tombstone.Guard(ctx, tx, user); err != nil {
			return err
		}
		// One avatar change of a user at a time.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('avatar:' || $1::text, 0))`, userID); err != nil {
			return fmt.Errorf("avatar lock: %w", err)
		}
		keep := ""
		if id != nil {
			var letter pgtype.Text
			err := tx.QueryRow(ctx, `SELECT letter_id::text FROM images WHERE id = $1 AND user_id = $2 FOR UPDATE`, *id, userID).Scan(&letter)
			if errors.Is(err, pgx.ErrNoRows) {
				return image.ErrNotFound
			}
			if err != nil {
				return fmt.Errorf("avatar image: %w", err)
			}
			if letter.Valid {
				return image.ErrOnALetter
			}
			keep = *id
		}
		rows, err := tx.Query(ctx, `DELETE FROM images WHERE user_id = $1 AND avatar AND id::text <> $2 RETURNING object_key`, userID, keep)
		if err != nil {
			return fmt.Errorf("drop the previous avatar: %w", err)
		}
		if doomed, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return fmt.Errorf("drop the previous avatar: %w", err)
		}
		if len(doomed) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO doomed_objects (object_key, doomed_at)
				SELECT unnest($1::text[]), $2 ON CONFLICT (object_key) DO NOTHING`, doomed, at); err != nil {
				return fmt.Errorf("doom the previous avatar: %w", err)
			}
		}
		if keep != "" {
			if _, err := tx.Exec(ctx, `UPDATE images SET avatar = true WHERE id = $1`, keep); err != nil {
				return fmt.Errorf("set avatar: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return doomed, nil
}

// Doomed implements image.Store.
func (s *Store) Doomed(ctx context.Context, before time.Time, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT object_key FROM doomed_objects WHERE doomed_at < $1 ORDER BY doomed_at LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("doomed objects: %w", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("doomed objects: %w", err)
	}
	return keys, nil
}

// Forget implements image.Store.
func (s *Store) Forget(ctx context.Context, keys []string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM doomed_objects WHERE object_key = ANY($1::text[])`, keys); err != nil {
		return fmt.Errorf("forget doomed objects: %w", err)
	}
	return nil
}

func selection(sel image.Selection) (string, []any, error) {
	switch {
	case sel.LetterID != "":
		return `letter_id = $1`, []any{sel.LetterID}, nil
	case sel.UserID != "":
		return `user_id = $1`, []any{sel.UserID}, nil
	case !sel.UnattachedBefore.IsZero():
		return `letter_id IS NULL AND NOT avatar AND created_at < $1`, []any{sel.UnattachedBefore}, nil
	}
	return "", nil, errors.New("purge: empty selection")
}

func scanImage(row pgx.CollectableRow) (image.Image, error) {
	var (
		id, userID, key, contentType, sum string
		size                              int64
		letter                            pgtype.Text
		openAt                            pgtype.Timestamptz
		createdAt                         time.Time
	)
	if err := row.Scan(&id, &userID, &key, &contentType, &size, &sum, &letter, &openAt, &createdAt); err != nil {
		return image.Image{}, err
	}
	var open time.Time
	if openAt.Valid {
		open = openAt.Time.UTC()
	}
	return image.Restore(id, userID, key, contentType, size, sum, letter.String, open, createdAt.UTC()), nil
}
