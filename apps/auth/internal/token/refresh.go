package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Refresh tokens are opaque random strings. Only their SHA-256 is stored:
// a leaked table cannot be replayed, and the tokens carry 256 random bits,
// so a fast unsalted hash is enough (nothing to brute-force).
const refreshBytes = 32

// Why a refresh token is refused. The HTTP layer answers all of them with
// the same 401; the distinction is for logs and tests.
var (
	ErrRefreshUnknown = errors.New("token: unknown refresh token")
	ErrRefreshExpired = errors.New("token: refresh token expired")
	ErrRefreshRevoked = errors.New("token: refresh token revoked")
	// ErrRefreshReused means a spent token came back: either the user's
	// client or a thief holds a copy, and we cannot tell which, so the
	// whole family is revoked.
	ErrRefreshReused = errors.New("token: refresh token reused")
)

// IsRefusal reports whether err refuses a refresh token for one of the
// reasons above (as opposed to failing to check it).
func IsRefusal(err error) bool {
	return errors.Is(err, ErrRefreshUnknown) || errors.Is(err, ErrRefreshExpired) ||
		errors.Is(err, ErrRefreshRevoked) || errors.Is(err, ErrRefreshReused)
}

// NewRefresh returns a new refresh token and its hash.
func NewRefresh() (raw string, hash []byte) {
	b := make([]byte, refreshBytes)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand failing is not recoverable
	}
	raw = base64.RawURLEncoding.EncodeToString(b)
	return raw, HashRefresh(raw)
}

// HashRefresh is the stored form of raw.
func HashRefresh(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}

// Refresh is one stored refresh token. A family is the chain of tokens
// rotated from one login.
type Refresh struct {
	ID        uuid.UUID
	FamilyID  uuid.UUID
	UserID    uuid.UUID
	Hash      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
	SpentAt   *time.Time
	RevokedAt *time.Time
}

// NewFamily starts a family for userID (a login) and returns the raw
// token to hand out with its record.
func NewFamily(userID uuid.UUID, now time.Time, ttl time.Duration) (string, Refresh) {
	raw, hash := NewRefresh()
	return raw, Refresh{ID: uuid.New(), FamilyID: uuid.New(), UserID: userID, Hash: hash, CreatedAt: now, ExpiresAt: now.Add(ttl)}
}

// Successor returns the token that replaces r in its family.
func (r Refresh) Successor(now time.Time, ttl time.Duration) (string, Refresh) {
	raw, hash := NewRefresh()
	return raw, Refresh{ID: uuid.New(), FamilyID: r.FamilyID, UserID: r.UserID, Hash: hash, CreatedAt: now, ExpiresAt: now.Add(ttl)}
}

// CheckRotation decides whether r may be exchanged at now. Order matters:
// a revoked family stays dead, and reuse is detected even after expiry
// would otherwise hide it.
func (r Refresh) CheckRotation(now time.Time) error {
	switch {
	case r.RevokedAt != nil:
		return ErrRefreshRevoked
	case r.SpentAt != nil:
		return ErrRefreshReused
	case !now.Before(r.ExpiresAt):
		return ErrRefreshExpired
	}
	return nil
}
