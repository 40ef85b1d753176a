package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/fields"

	"github.com/lettertomyself/ltm/apps/platform/clock"

	"github.com/lettertomyself/ltm/apps/auth/internal/password"
	"github.com/lettertomyself/ltm/apps/auth/internal/throttle"
	"github.com/lettertomyself/ltm/apps/auth/internal/token"
)

// Store is the persistence the use cases need. Every method that changes
// an account also writes its event in the same transaction.
type Store interface {
	// Create inserts a and enqueues user.registered; a taken username or
	// email is a *TakenError.
	Create(ctx context.Context, a Account) error
	// ByLogin finds an account by username or email key.
	ByLogin(ctx context.Context, identifier string) (Account, error)
	ByID(ctx context.Context, id uuid.UUID) (Account, error)
	// SetPasswordHash replaces the hash; with revokeSessions every refresh
	// family of the account is revoked in the same transaction, and so are
	// the sessions whose access tokens may still be live (a revocation).
	SetPasswordHash(ctx context.Context, id uuid.UUID, hash string, revokeSessions bool, now time.Time) error
	// ChangeEmail sets the address and enqueues user.email_changed.
	ChangeEmail(ctx context.Context, id uuid.UUID, email, key string) error
	// Delete removes the account with its refresh tokens, revokes every
	// access token of the user and enqueues user.deleted.
	Delete(ctx context.Context, id uuid.UUID, now time.Time) error

	CreateRefresh(ctx context.Context, r token.Refresh) error
	// Rotate locks the token hashed as hash, checks it at now and, when it
	// may be exchanged, marks it spent and stores successor(it). A reused
	// token revokes its family (committed) and returns ErrRefreshReused.
	Rotate(ctx context.Context, hash []byte, now time.Time, successor func(token.Refresh) token.Refresh) error
	// RevokeFamily revokes the family of the token hashed as hash and the
	// session's access tokens (a revocation); an unknown token is not an
	// error.
	RevokeFamily(ctx context.Context, hash []byte, now time.Time) error
}

// Hasher is the password hashing the use cases need.
type Hasher interface {
	Hash(ctx context.Context, pw string) (string, error)
	Verify(ctx context.Context, pw, encoded string) (bool, error)
	VerifyDummy(ctx context.Context, pw string)
	NeedsRehash(encoded string) bool
}

// Pair is what a login or refresh hands out.
type Pair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
}

// Service runs the use cases.
type Service struct {
	Store      Store
	Hasher     Hasher
	Minter     *token.Minter
	Throttle   *throttle.Throttler
	Clock      clock.Clock
	RefreshTTL time.Duration
	Log        *slog.Logger
}

// Signup creates an account. It does not log the user in: tokens come
// from Login, so there is one way to get them.
func (s *Service) Signup(ctx context.Context, username, email, pw string) (Account, error) {
	var errs fields.Set
	username = NormalizeUsername(username)
	if msg := CheckUsername(username); msg != "" {
		errs.Add("username", msg)
	}
	email, _, msg := NormalizeEmail(email)
	if msg != "" {
		errs.Add("email", msg)
	}
	if msg := checkPassword(pw, username, email); msg != "" {
		errs.Add("password", msg)
	}
	if err := errs.Err(); err != nil {
		return Account{}, err
	}
	hash, err := s.Hasher.Hash(ctx, pw)
	if err != nil {
		return Account{}, err
	}
	a, err := New(uuid.New(), username, email, hash, s.Clock.Now().Truncate(time.Microsecond))
	if err != nil {
		return Account{}, err
	}
	if err := s.Store.Create(ctx, a); err != nil {
		return Account{}, err
	}
	return a, nil
}

func checkPassword(pw, username, email string) string {
	if pw == "" {
		return "is required"
	}
	problems := password.Check(pw,
		password.Attribute{Name: "username", Value: username},
		password.Attribute{Name: "email address", Value: email})
	return strings.Join(problems, "; ")
}

// Login checks the credentials of the account named by identifier
// (username or email) and starts a refresh family. Unknown accounts and
// wrong passwords fail alike, in about the same time.
func (s *Service) Login(ctx context.Context, identifier, pw, addr string) (Pair, error) {
	if err := s.Minter.Ready(); err != nil {
		return Pair{}, err // no key yet: do not count this as an attempt
	}
	identifier = NormalizeUsername(identifier)
	a, err := s.Store.ByLogin(ctx, identifier)
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Pair{}, err
	}
	// Known accounts are counted by id, so alternating between username
	// and email gives a guesser no extra tries.
	subject := throttle.Subject{Account: "name:" + identifier, Address: addr}
	if found {
		subject.Account = a.ID().String()
	}
	if err := s.checkThrottle(ctx, subject); err != nil {
		return Pair{}, err
	}
	ok := false
	if found {
		if ok, err = s.Hasher.Verify(ctx, pw, a.PasswordHash()); err != nil {
			return Pair{}, err
		}
	} else {
		s.Hasher.VerifyDummy(ctx, pw)
	}
	if !ok {
		if err := s.Throttle.Fail(ctx, subject); err != nil {
			return Pair{}, err
		}
		return Pair{}, ErrInvalidCredentials
	}
	if err := s.Throttle.Succeed(ctx, subject); err != nil {
		return Pair{}, err
	}
	s.upgradeHash(ctx, a, pw)
	return s.startFamily(ctx, a.ID())
}

// upgradeHash re-hashes with the current parameters after they were
// raised; the login succeeds whatever happens here.
func (s *Service) upgradeHash(ctx context.Context, a Account, pw string) {
	if !s.Hasher.NeedsRehash(a.PasswordHash()) {
		return
	}
	hash, err := s.Hasher.Hash(ctx, pw)
	if err == nil {
		err = s.Store.SetPasswordHash(ctx, a.ID(), hash, false, s.Clock.Now())
	}
	if err != nil {
		s.Log.WarnContext(ctx, "upgrading a password hash failed", "user_id", a.ID(), "err", err)
	}
}

func (s *Service) checkThrottle(ctx context.Context, subject throttle.Subject) error {
	wait, err := s.Throttle.Check(ctx, subject)
	if err != nil {
		return err
	}
	if wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	return nil
}

func (s *Service) startFamily(ctx context.Context, userID uuid.UUID) (Pair, error) {
	now := s.Clock.Now()
	raw, r := token.NewFamily(userID, now, s.RefreshTTL)
	if err := s.Store.CreateRefresh(ctx, r); err != nil {
		return Pair{}, err
	}
	return s.pair(userID, r.FamilyID, raw, now)
}

// pair mints the access token that goes with refresh, in its family's
// session.
func (s *Service) pair(userID, family uuid.UUID, refresh string, now time.Time) (Pair, error) {
	access, err := s.Minter.Mint(userID, family, now)
	if err != nil {
		return Pair{}, err
	}
	return Pair{AccessToken: access, RefreshToken: refresh, ExpiresIn: s.Minter.TTL()}, nil
}

// Refresh exchanges a refresh token for a new pair; the presented token is
// spent. Every refusal is ErrInvalidCredentials wrapping the reason.
func (s *Service) Refresh(ctx context.Context, raw string) (Pair, error) {
	if err := s.Minter.Ready(); err != nil {
		return Pair{}, err // keep the token unspent while we cannot sign
	}
	if raw == "" {
		return Pair{}, fmt.Errorf("%w: %w", ErrInvalidCredentials, token.ErrRefreshUnknown)
	}
	now := s.Clock.Now()
	var next string
	var userID, family uuid.UUID
	err := s.Store.Rotate(ctx, token.HashRefresh(raw), now, func(old token.Refresh) token.Refresh {
		r, n := old.Successor(now, s.RefreshTTL)
		next, userID, family = r, old.UserID, old.FamilyID
		return n
	})
	if err != nil {
		if token.IsRefusal(err) {
			if errors.Is(err, token.ErrRefreshReused) {
				s.Log.WarnContext(ctx, "spent refresh token presented again; its family is revoked")
			}
			return Pair{}, fmt.Errorf("%w: %w", ErrInvalidCredentials, err)
		}
		return Pair{}, err
	}
	return s.pair(userID, family, next, now)
}

// Logout revokes the family of the presented refresh token. Unknown
// tokens are fine: logging out twice is not an error.
func (s *Service) Logout(ctx context.Context, raw string) error {
	if raw == "" {
		return nil
	}
	return s.Store.RevokeFamily(ctx, token.HashRefresh(raw), s.Clock.Now())
}

// reauth confirms the signed-in user's password before a sensitive change.
// Misses count against the account like failed logins, so a stolen access
// token cannot be used to guess the password. A wrong password is a field
// error (400), not 401: the access token itself is fine, and a client
// seeing 401 would wrongly refresh or log the user out.
func (s *Service) reauth(ctx context.Context, userID, pw, field, addr string) (Account, error) {
	id, err := uuid.Parse(userID)
	if err != nil {
		return Account{}, ErrInvalidCredentials
	}
	a, err := s.Store.ByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Account{}, ErrInvalidCredentials // deleted while its access token lives on
	}
	if err != nil {
		return Account{}, err
	}
	subject := throttle.Subject{Account: a.ID().String(), Address: addr}
	if err := s.checkThrottle(ctx, subject); err != nil {
		return Account{}, err
	}
	ok, err := s.Hasher.Verify(ctx, pw, a.PasswordHash())
	if err != nil {
		return Account{}, err
	}
	if !ok {
		if err := s.Throttle.Fail(ctx, subject); err != nil {
			return Account{}, err
		}
		return Account{}, fields.New(field, "is not your current password")
	}
	return a, nil
}

// ChangePassword sets a new password and revokes every refresh family:
// whoever else was signed in is signed out, and so is the caller, who logs
// in again with the new password.
func (s *Service) ChangePassword(ctx context.Context, userID, current, next, addr string) error {
	if current == "" {
		return fields.New("current_password", "is required")
	}
	a, err := s.reauth(ctx, userID, current, "current_password", addr)
	if err != nil {
		return err
	}
	if msg := checkPassword(next, a.Username(), a.Email()); msg != "" {
		return fields.New("new_password", msg)
	}
	hash, err := s.Hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	return s.Store.SetPasswordHash(ctx, a.ID(), hash, true, s.Clock.Now())
}

// ChangeEmail moves the account to a new address and announces it.
func (s *Service) ChangeEmail(ctx context.Context, userID, pw, email, addr string) error {
	email, key, msg := NormalizeEmail(email)
	var errs fields.Set
	if msg != "" {
		errs.Add("email", msg)
	}
	if pw == "" {
		errs.Add("password", "is required")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	a, err := s.reauth(ctx, userID, pw, "password", addr)
	if err != nil {
		return err
	}
	if a.Email() == email {
		return nil // nothing changes, nothing to announce
	}
	return s.Store.ChangeEmail(ctx, a.ID(), email, key)
}

// Delete removes the account; user.deleted tells every other service.
func (s *Service) Delete(ctx context.Context, userID, pw, addr string) error {
	if pw == "" {
		return fields.New("password", "is required")
	}
	a, err := s.reauth(ctx, userID, pw, "password", addr)
	if err != nil {
		return err
	}
	if err := s.Store.Delete(ctx, a.ID(), s.Clock.Now()); err != nil {
		return err
	}
	// Its throttle state would only ever be read again by an attacker
	// (other addresses' counts are pruned after the window).
	if err := s.Throttle.Succeed(ctx, throttle.Subject{Account: a.ID().String(), Address: addr}); err != nil {
		s.Log.WarnContext(ctx, "forgetting a deleted account's throttle state failed", "err", err)
	}
	return nil
}
