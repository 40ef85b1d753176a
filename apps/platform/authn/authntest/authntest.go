// Package authntest stands in for auth-service in the tests of services
// that verify access tokens: one signing key, published as a KeySource,
// and tokens minted exactly as auth-service mints them.
package authntest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
)

// KeyID is the kid of every Issuer's key. Two issuers share it, so a token
// from one presented to the other's verifier tests the signature itself,
// not just an unknown kid.
const KeyID = "test-key-1"

// Issuer signs access tokens with its own Ed25519 key. Times come from
// its clock, the one the verifier under test uses.
type Issuer struct {
	t     testing.TB
	key   ed25519.PrivateKey
	clock clock.Clock
}

// NewIssuer makes an issuer with a fresh key.
func NewIssuer(t testing.TB, c clock.Clock) *Issuer {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &Issuer{t: t, key: key, clock: c}
}

// Key implements authn.KeySource: the issuer's public key under KeyID.
func (i *Issuer) Key(_ context.Context, kid string) (ed25519.PublicKey, error) {
	if kid != KeyID {
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	return i.key.Public().(ed25519.PublicKey), nil
}

// Verifier checks tokens against this issuer's key, on its clock.
func (i *Issuer) Verifier() *authn.Verifier { return authn.NewVerifier(i, i.clock) }

// Token mints an access token for userID, issued a minute ago and valid for
// 14 more minutes; mutate (optional) changes the claims before signing.
func (i *Issuer) Token(userID string, mutate ...func(*jwt.RegisteredClaims)) string {
	i.t.Helper()
	now := i.clock.Now()
	claims := jwt.RegisteredClaims{
		Issuer: authn.Issuer, Audience: jwt.ClaimStrings{authn.Audience}, Subject: userID, ID: uuid.NewString(),
		IssuedAt: jwt.NewNumericDate(now.Add(-time.Minute)), ExpiresAt: jwt.NewNumericDate(now.Add(14 * time.Minute)),
	}
	for _, m := range mutate {
		m(&claims)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	tok.Header["kid"] = KeyID
	signed, err := tok.SignedString(i.key)
	if err != nil {
		i.t.Fatal(err)
	}
	return signed
}

// Bearer is the Authorization header value for a fresh token for userID.
func (i *Issuer) Bearer(userID string) string { return "Bearer " + i.Token(userID) }
