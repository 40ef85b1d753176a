// Package postgres is auth-service's storage: accounts, refresh tokens and
// login-throttle state in pgx, every SQL statement of the service, and the
// embedded goose migrations. Changes that announce an event write it to
// the platform outbox in the same transaction.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/outbox"

	"github.com/lettertomyself/ltm/apps/auth/internal/account"
	"github.com/lettertomyself/ltm/apps/auth/internal/events"
	"github.com/lettertomyself/ltm/apps/auth/internal/token"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the service's goose files, for service.Spec.Migrations.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Store implements account.Store on a pool.
type Store struct {
	db *pgxpool.Pool
	// window is how long an access token minted now may be accepted:
	// the access TTL plus the verifiers' leeway. A revocation lasts that
	// long; a password change revokes the sessions that minted a token
	// within it.
	window time.Duration
}

// New returns a store on db for access tokens valid for accessTTL.
func New(db *pgxpool.Pool, accessTTL time.Duration) *Store {
	return &Store{db: db, window: accessTTL + authn.Leeway}
}

var _ account.Store = (*Store)(nil)

const uniqueViolation = "23505"

// Create inserts a and enqueues user.registered. Both taken fields are
// reported at once when they are already there before the insert; a race
// lost at the insert reports the constraint that failed.
func (s *Store) Create(ctx context.Context, a account.Account) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var userTaken, emailTaken bool
		err := tx.QueryRow(ctx, `
			SELECT coalesce(bool_or(username = $1), false), coalesce(bool_or(email_key = $2), false)
			FROM accounts WHERE username = $1 OR email_key = $2`, a.Username(), a.EmailKey()).Scan(&userTaken, &emailTaken)
		if err != nil {
			return fmt.Errorf("check taken: %w", err)
		}
		if userTaken || emailTaken {
			taken := &account.TakenError{}
			if userTaken {
				taken.Fields = append(taken.Fields, "username")
			}
			if emailTaken {
				taken.Fields = append(taken.Fields, "email")
			}
			return taken
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO accounts (id, username, email, email_key, password_hash, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)`,
			a.ID(), a.Username(), a.Email(), a.EmailKey(), a.PasswordHash(), a.CreatedAt())
		if err != nil {
			return takenOr(err, "insert account")
		}
		_, err = outbox.Enqueue(ctx, tx, events.TopicRegistered, events.NewRegistered(a.ID(), a.Username(), a.Email(), a.CreatedAt()))
		return err
	})
}

// takenOr turns a unique violation on username or email into a
// *account.TakenError.
func takenOr(err error, what string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation {
		switch pgErr.ConstraintName {
		case "accounts_username_key":
			return &account.TakenError{Fields: []string{"username"}}
		case "accounts_email_key":
			return &account.TakenError{Fields: []string{"email"}}
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

const accountColumns = `id, username, email, email_key, password_hash, created_at`

func scanAccount(row pgx.Row) (account.Account, error) {
	var (
		id                                  uuid.UUID
		username, email, emailKey, password string
		createdAt                           time.Time
	)
	err := row.Scan(&id, &username, &email, &emailKey, &password, &createdAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return account.Account{}, account.ErrNotFound
	}
	if err != nil {
		return account.Account{}, fmt.Errorf("read account: %w", err)
	}
	return account.Restore(id, username, email, emailKey, password, createdAt), nil
}

// ByLogin finds an account by username or email key. Usernames cannot
// contain "@", so the two never collide.
func (s *Store) ByLogin(ctx context.Context, identifier string) (account.Account, error) {
	return scanAccount(s.db.QueryRow(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE username = $1 OR email_key = $1 LIMIT 1`, identifier))
}

// ByID finds an account by id.
func (s *Store) ByID(ctx context.Context, id uuid.UUID) (account.Account, error) {
	return scanAccount(s.db.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id))
}

// SetPasswordHash replaces the hash, revoking every refresh family when
// asked, in one transaction.
func (s *Store) SetPasswordHash(ctx context.Context, id uuid.UUID, hash string, revokeSessions bool, now time.Time) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE accounts SET password_hash = $2, updated_at = now() WHERE id = $1`, id, hash)
		if err != nil {
			return fmt.Errorf("update password: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return account.ErrNotFound
		}
		if !revokeSessions {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, id, now); err != nil {
			return fmt.Errorf("revoke sessions: %w", err)
		}
		// Every session that minted an access token within the window may
		// have one still live: each one's sid is revoked (not the user
		// whole: the login that follows must work). A session revoked
		// earlier got its row then, and one more does no harm.
		rows, err := tx.Query(ctx, `
			SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = $1 AND created_at > $2`, id, now.Add(-s.window))
		if err != nil {
			return fmt.Errorf("find live sessions: %w", err)
		}
		families, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return fmt.Errorf("find live sessions: %w", err)
		}
		return s.revoke(ctx, tx, id, families, now)
	})
}

// revocationLock serialises writers of revocations to the end of their
// transaction (pg_advisory_xact_lock), so seq order is commit order: a
// reader that has seen seq n has seen every row before it.
const revocationLock = 0x6c746d7265766f6b // "ltmrevok"

// revoke writes a revocation for each of sids of user (none given: the
// user whole) lasting the window, in tx.
func (s *Store) revoke(ctx context.Context, tx pgx.Tx, user uuid.UUID, sids []uuid.UUID, now time.Time) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(revocationLock)); err != nil {
		return fmt.Errorf("lock revocations: %w", err)
	}
	until := now.Add(s.window)
	if sids == nil {
		_, err := tx.Exec(ctx, `INSERT INTO revocations (user_id, sid, created_at, expires_at) VALUES ($1, NULL, $2, $3)`, user, now, until)
		if err != nil {
			return fmt.Errorf("revoke user: %w", err)
		}
		return nil
	}
	if len(sids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO revocations (user_id, sid, created_at, expires_at)
		SELECT $1, sid, $3, $4 FROM unnest($2::uuid[]) AS sid`, user, sids, now, until)
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// ChangeEmail sets the address and enqueues user.email_changed.
func (s *Store) ChangeEmail(ctx context.Context, id uuid.UUID, email, key string) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE accounts SET email = $2, email_key = $3, updated_at = now() WHERE id = $1`, id, email, key)
		if err != nil {
			return takenOr(err, "update email")
		}
		if tag.RowsAffected() == 0 {
			return account.ErrNotFound
		}
		_, err = outbox.Enqueue(ctx, tx, events.TopicEmailChanged, events.EmailChanged{UserID: id.String(), Email: email})
		return err
	})
}

// Delete removes the account (its refresh tokens go by cascade), revokes
// every access token of the user and enqueues user.deleted.
func (s *Store) Delete(ctx context.Context, id uuid.UUID, now time.Time) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM accounts WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return account.ErrNotFound
		}
		if _, err = outbox.Enqueue(ctx, tx, events.TopicDeleted, events.Deleted{UserID: id.String()}); err != nil {
			return err
		}
		return s.revoke(ctx, tx, id, nil, now)
	})
}

// CreateRefresh stores a new refresh token.
func (s *Store) CreateRefresh(ctx context.Context, r token.Refresh) error {
	return insertRefresh(ctx, s.db, r)
}

func insertRefresh(ctx context.Context, db interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, r token.Refresh) error {
	_, err := db.Exec(ctx, `
		INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, r.ID, r.FamilyID, r.UserID, r.Hash, r.CreatedAt, r.ExpiresAt)
	if err != nil {
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

// Rotate exchanges the token hashed as hash for successor(it). The row
// lock (FOR UPDATE) serialises two refreshes presenting the same token:
// the second one waits, then sees the token spent — which is reuse, so it
// revokes the family and fails.
func (s *Store) Rotate(ctx context.Context, hash []byte, now time.Time, successor func(token.Refresh) token.Refresh) error {
	var refused error
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if found, err := lockAccountOf(ctx, tx, hash); err != nil || !found {
			refused = token.ErrRefreshUnknown
			return err
		}
		var r token.Refresh
		err := tx.QueryRow(ctx, `
			SELECT id, family_id, user_id, token_hash, created_at, expires_at, spent_at, revoked_at
			FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`, hash).
			Scan(&r.ID, &r.FamilyID, &r.UserID, &r.Hash, &r.CreatedAt, &r.ExpiresAt, &r.SpentAt, &r.RevokedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			refused = token.ErrRefreshUnknown
			return nil
		}
		if err != nil {
			return fmt.Errorf("read refresh token: %w", err)
		}
		switch err := r.CheckRotation(now); {
		case errors.Is(err, token.ErrRefreshReused):
			// Committed, unlike the other refusals: the revocation is the point.
			refused = err
			return s.revokeFamily(ctx, tx, r.UserID, r.FamilyID, now)
		case err != nil:
			refused = err
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET spent_at = $2 WHERE id = $1`, r.ID, now); err != nil {
			return fmt.Errorf("spend refresh token: %w", err)
		}
		return insertRefresh(ctx, tx, successor(r))
	})
	if err != nil {
		return err
	}
	return refused
}

// lockAccountOf locks the account owning the refresh token hashed as hash
// (FOR UPDATE) until the end of tx; found is false for an unknown token.
// Every change to a user's refresh tokens holds this lock (a password
// change and a deletion by writing the account row): otherwise a refresh
// racing a logout or a password change inserts a successor that the
// revoking statement cannot see, and the session lives on.
func lockAccountOf(ctx context.Context, tx pgx.Tx, hash []byte) (found bool, err error) {
	var one int
	err = tx.QueryRow(ctx, `
		SELECT 1 FROM accounts WHERE id = (SELECT user_id FROM refresh_tokens WHERE token_hash = $1) FOR UPDATE`, hash).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lock account: %w", err)
	}
	return true, nil
}

// revokeFamily revokes family's refresh tokens and, when it was still
// live, its session's access tokens. A family already revoked writes no
// revocation again: logging out twice adds nothing.
func (s *Store) revokeFamily(ctx context.Context, tx pgx.Tx, user, family uuid.UUID, now time.Time) error {
	tag, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL`, family, now)
	if err != nil {
		return fmt.Errorf("revoke family: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	return s.revoke(ctx, tx, user, []uuid.UUID{family}, now)
}

// RevokeFamily revokes the family of the token hashed as hash, if any,
// with its session's access tokens.
func (s *Store) RevokeFamily(ctx context.Context, hash []byte, now time.Time) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if found, err := lockAccountOf(ctx, tx, hash); err != nil || !found {
			return err
		}
		var user, family uuid.UUID
		err := tx.QueryRow(ctx, `SELECT user_id, family_id FROM refresh_tokens WHERE token_hash = $1`, hash).Scan(&user, &family)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find family: %w", err)
		}
		return s.revokeFamily(ctx, tx, user, family, now)
	})
}

// Revocations is the live revocations after a cursor, read at now():
// what GET /internal/revocations serves and what auth's own verifier
// polls.
func (s *Store) Revocations(now func() time.Time) authn.RevocationSource {
	return revocationFeed{db: s.db, now: now}
}

type revocationFeed struct {
	db  *pgxpool.Pool
	now func() time.Time
}

// RevocationsAfter returns at most limit live revocations with seq above
// after, in order. With none, Next is after, or less when the sequence is
// behind it (the table was recreated), which tells the reader to start
// over.
func (f revocationFeed) RevocationsAfter(ctx context.Context, after int64, limit int) (authn.RevocationPage, error) {
	limit = max(1, min(limit, authn.RevocationsPageMax))
	rows, err := f.db.Query(ctx, `
		SELECT seq, user_id, coalesce(sid::text, ''), expires_at FROM revocations
		WHERE seq > $1 AND expires_at > $2 ORDER BY seq LIMIT $3`, after, f.now(), limit+1)
	if err != nil {
		return authn.RevocationPage{}, fmt.Errorf("read revocations: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (authn.Revocation, error) {
		var r authn.Revocation
		var user uuid.UUID
		err := row.Scan(&r.Seq, &user, &r.SessionID, &r.ExpiresAt)
		r.UserID = user.String()
		return r, err
	})
	if err != nil {
		return authn.RevocationPage{}, fmt.Errorf("read revocations: %w", err)
	}
	page := authn.RevocationPage{Revocations: list, Next: after}
	if len(list) > limit {
		page.Revocations, page.More = list[:limit], true
	}
	if n := len(page.Revocations); n > 0 {
		page.Next = page.Revocations[n-1].Seq
		return page, nil
	}
	page.Revocations = []authn.Revocation{}
	var last int64
	err = f.db.QueryRow(ctx, `SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM revocations_seq_seq`).Scan(&last)
	if err != nil {
		return authn.RevocationPage{}, fmt.Errorf("read the revocation sequence: %w", err)
	}
	page.Next = min(after, last)
	return page, nil
}

// Prune deletes refresh tokens past their expiry (they can only ever be
// refused), revocations past theirs (every token they name has expired)
// and throttle rows quiet for longer than keep.
func (s *Store) Prune(ctx context.Context, now time.Time, keep time.Duration) (int64, error) {
	t1, err := s.db.Exec(ctx, `DELETE FROM refresh_tokens WHERE expires_at < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("prune refresh tokens: %w", err)
	}
	t2, err := s.db.Exec(ctx, `
		DELETE FROM login_throttle
		WHERE coalesce(last_failure, '-infinity') < $1 AND coalesce(locked_until, '-infinity') < $1`, now.Add(-keep))
	if err != nil {
		return 0, fmt.Errorf("prune throttle: %w", err)
	}
	t3, err := s.db.Exec(ctx, `DELETE FROM revocations WHERE expires_at < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("prune revocations: %w", err)
	}
	return t1.RowsAffected() + t2.RowsAffected() + t3.RowsAffected(), nil
}

// Pruner runs Prune every interval until ctx is done.
func (s *Store) Pruner(now func() time.Time, interval, keep time.Duration, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
			if n, err := s.Prune(ctx, now(), keep); err != nil {
				log.WarnContext(ctx, "pruning expired tokens failed", "err", err)
			} else if n > 0 {
				log.DebugContext(ctx, "pruned expired tokens and throttle rows", "rows", n)
			}
		}
	}
}
