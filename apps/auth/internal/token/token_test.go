package token

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
)

// generateKey makes a fresh signing key; production keys come from the
// secret store.
func generateKey(kid string) Key {
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		panic(err)
	}
	return Key{ID: kid, Private: priv}
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestAccessTokensVerifyWithThePlatformVerifier(t *testing.T) {
	current, previous, stranger := generateKey("k2"), generateKey("k1"), generateKey("k2")
	ring := NewKeyring()
	ring.Set(current, &previous)
	user := uuid.New()

	signWith := func(k Key, mutate func(*jwt.RegisteredClaims)) string {
		c := jwt.RegisteredClaims{
			Issuer: authn.Issuer, Audience: jwt.ClaimStrings{authn.Audience}, Subject: user.String(),
			IssuedAt: jwt.NewNumericDate(t0), ExpiresAt: jwt.NewNumericDate(t0.Add(15 * time.Minute)), ID: uuid.NewString(),
		}
		if mutate != nil {
			mutate(&c)
		}
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
		tok.Header["kid"] = k.ID
		s, err := tok.SignedString(k.Private)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sid := uuid.New()
	minted, err := NewMinter(ring, 15*time.Minute).Mint(user, sid, t0)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		token string
		at    time.Time
		ok    bool
	}{
		{"minted, fresh", minted, t0.Add(time.Minute), true},
		{"minted, just before expiry", minted, t0.Add(15 * time.Minute), true},
		{"minted, expired", minted, t0.Add(16 * time.Minute), false},
		{"previous key still verifies", signWith(previous, nil), t0, true},
		{"same kid, wrong key", signWith(stranger, nil), t0, false},
		{"unknown kid", signWith(generateKey("k9"), nil), t0, false},
		{"wrong audience", signWith(current, func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"someone-else"} }), t0, false},
		{"wrong issuer", signWith(current, func(c *jwt.RegisteredClaims) { c.Issuer = "evil" }), t0, false},
		{"subject not a user id", signWith(current, func(c *jwt.RegisteredClaims) { c.Subject = "admin" }), t0, false},
		{"tampered payload", tamper(minted), t0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := authn.NewVerifier(ring, clock.NewFake(tt.at))
			claims, err := v.Verify(context.Background(), tt.token)
			if (err == nil) != tt.ok {
				t.Fatalf("Verify: err = %v, want ok = %v", err, tt.ok)
			}
			if tt.ok && claims.UserID != user.String() {
				t.Errorf("UserID = %q, want %q", claims.UserID, user)
			}
			if tt.ok && tt.token == minted && claims.SessionID != sid.String() {
				t.Errorf("SessionID = %q, want the sid minted with, %s", claims.SessionID, sid)
			}
		})
	}

	// The minted token carries every claim the contract names.
	parsed, _, err := jwt.NewParser().ParseUnverified(minted, &jwt.RegisteredClaims{})
	if err != nil {
		t.Fatal(err)
	}
	c := parsed.Claims.(*jwt.RegisteredClaims)
	if parsed.Header["kid"] != "k2" || parsed.Header["alg"] != "EdDSA" || c.ID == "" || c.IssuedAt == nil ||
		!c.ExpiresAt.Equal(t0.Add(15*time.Minute)) {
		t.Errorf("header %v, claims %+v", parsed.Header, c)
	}
}

func tamper(token string) string {
	parts := strings.Split(token, ".")
	parts[1] = parts[1][:len(parts[1])-2] + "AA"
	return strings.Join(parts, ".")
}

func TestKeyringBeforeLoading(t *testing.T) {
	ring := NewKeyring()
	if _, err := NewMinter(ring, time.Minute).Mint(uuid.New(), uuid.New(), t0); !errors.Is(err, ErrKeysNotLoaded) {
		t.Errorf("Mint: %v, want ErrKeysNotLoaded", err)
	}
	if _, err := ring.JWKS(); !errors.Is(err, ErrKeysNotLoaded) {
		t.Errorf("JWKS: %v, want ErrKeysNotLoaded", err)
	}
	ring.Set(generateKey("a"), nil)
	set, err := ring.JWKS()
	if err != nil || len(set.Keys) != 1 || set.Keys[0].Kid != "a" || set.Keys[0].Alg != "EdDSA" {
		t.Errorf("JWKS = %+v, %v", set, err)
	}
}

func TestCheckRotation(t *testing.T) {
	spent, revoked := t0.Add(-time.Minute), t0.Add(-time.Second)
	base := Refresh{ExpiresAt: t0.Add(time.Hour)}
	tests := []struct {
		name string
		r    Refresh
		at   time.Time
		want error
	}{
		{"fresh", base, t0, nil},
		{"expired", base, t0.Add(time.Hour), ErrRefreshExpired},
		{"spent is reuse", Refresh{ExpiresAt: base.ExpiresAt, SpentAt: &spent}, t0, ErrRefreshReused},
		{"spent and expired is still reuse", Refresh{ExpiresAt: base.ExpiresAt, SpentAt: &spent}, t0.Add(2 * time.Hour), ErrRefreshReused},
		{"revoked", Refresh{ExpiresAt: base.ExpiresAt, SpentAt: &spent, RevokedAt: &revoked}, t0, ErrRefreshRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.CheckRotation(tt.at); !errors.Is(got, tt.want) {
				t.Errorf("CheckRotation = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRefreshTokens(t *testing.T) {
	raw, r := NewFamily(uuid.New(), t0, time.Hour)
	if len(raw) < 43 || strings.ContainsAny(raw, "+/=") {
		t.Errorf("raw token %q is not 256 bits of base64url", raw)
	}
	if string(r.Hash) != string(HashRefresh(raw)) || strings.Contains(string(r.Hash), raw) {
		t.Error("stored hash is not the SHA-256 of the token")
	}
	raw2, next := r.Successor(t0.Add(time.Minute), time.Hour)
	if raw2 == raw || next.FamilyID != r.FamilyID || next.UserID != r.UserID || next.ID == r.ID {
		t.Errorf("successor %+v of %+v", next, r)
	}
}

func pemOf(t *testing.T, k Key) string {
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestLoaderReadsCurrentAndPreviousKeys(t *testing.T) {
	cur, prev := generateKey("new"), generateKey("old")
	secrets := map[string]string{SecretSigningKid: "new", SecretSigningKey: pemOf(t, cur)}
	ring := NewKeyring()
	l := &Loader{Keys: ring, Secrets: secretStore(secrets), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := l.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if set, _ := ring.JWKS(); len(set.Keys) != 1 {
		t.Fatalf("keys = %+v, want only the current one", set.Keys)
	}

	secrets[SecretPreviousKid], secrets[SecretPreviousKey] = "old", pemOf(t, prev)
	if err := l.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Key(context.Background(), "old"); err != nil {
		t.Errorf("previous key not accepted: %v", err)
	}
	if k, _ := ring.Signing(); k.ID != "new" {
		t.Errorf("signing with %q, want new", k.ID)
	}

	secrets[SecretPreviousKid] = denied
	if err := l.Load(context.Background()); err == nil {
		t.Error("a previous key the store refuses to read was taken for no previous key")
	}
	secrets[SecretPreviousKid] = "old"

	secrets[SecretSigningKey] = "not a pem"
	if err := l.Load(context.Background()); err == nil {
		t.Error("a broken key loaded")
	}
	if k, _ := ring.Signing(); k.ID != "new" {
		t.Error("a failed reload dropped the loaded keys")
	}
}

// denied marks a secret the store refuses to read (access denied).
const denied = "\x00denied"

// secretStore is the secret store: absent keys do not exist.
type secretStore map[string]string

func (s secretStore) Secret(_ context.Context, key string) (string, error) {
	v, ok := s[key]
	switch {
	case !ok:
		return "", errors.New("secret " + key + ": not in the store")
	case v == denied:
		return "", errors.New("secret " + key + ": forbidden")
	}
	return v, nil
}

func (s secretStore) OptionalSecret(ctx context.Context, key string) (string, error) {
	if _, ok := s[key]; !ok {
		return "", nil
	}
	return s.Secret(ctx, key)
}
