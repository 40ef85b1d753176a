package token

import (
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
)

// Minter signs access tokens with the keyring's current key.
type Minter struct {
	keys *Keyring
	ttl  time.Duration
}

// NewMinter returns a minter of tokens valid for ttl.
func NewMinter(keys *Keyring, ttl time.Duration) *Minter {
	return &Minter{keys: keys, ttl: ttl}
}

// TTL is how long a minted token is valid.
func (m *Minter) TTL() time.Duration { return m.ttl }

// Mint returns a signed access token for userID issued at now, in the
// session sid (the refresh family of the login: a login starts one, a
// refresh keeps it). Verifiers refuse the token once sid is revoked.
func (m *Minter) Mint(userID, sid uuid.UUID, now time.Time) (string, error) {
	key, err := m.keys.Signing()
	if err != nil {
		return "", err
	}
	claims := accessClaims{RegisteredClaims: jwt.RegisteredClaims{
		Issuer:    authn.Issuer,
		Audience:  jwt.ClaimStrings{authn.Audience},
		Subject:   userID.String(),
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(m.ttl)),
		ID:        uuid.NewString(),
	}, SessionID: sid.String()}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	t.Header["kid"] = key.ID
	return t.SignedString(key.Private)
}

// accessClaims is an access token's payload: the registered claims and
// sid.
type accessClaims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid"`
}

// Ready returns ErrKeysNotLoaded until there is a key to sign with.
func (m *Minter) Ready() error {
	_, err := m.keys.Signing()
	return err
}
