package authn

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"
)

// JWK is one Ed25519 public key in JSON Web Key form (RFC 8037).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// JWKS is a key set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// PublicJWK describes pub under kid.
func PublicJWK(kid string, pub ed25519.PublicKey) JWK {
	return JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub), Kid: kid, Alg: "EdDSA", Use: "sig"}
}

// Find returns the Ed25519 key named kid.
func (s JWKS) Find(kid string) (ed25519.PublicKey, bool) {
	for _, k := range s.Keys {
		if k.Kid != kid || k.Kty != "OKP" || k.Crv != "Ed25519" {
			continue
		}
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, false
		}
		return ed25519.PublicKey(x), true
	}
	return nil, false
}

// RemoteKeys is a KeySource fed by the auth service's JWKS. It caches the
// set, refreshes it periodically, and refetches at once (but at most every
// MinRefetch) when a token names a kid it does not know: that is how a
// newly added key is picked up without a restart.
type RemoteKeys struct {
	fetch func(ctx context.Context) ([]byte, error)
	clock clock.Clock
	log   *slog.Logger

	MaxAge     time.Duration
	MinRefetch time.Duration

	mu        sync.Mutex
	set       JWKS
	fetchedAt time.Time
}

// NewRemoteKeys returns a source reading the JWKS with fetch.
func NewRemoteKeys(fetch func(ctx context.Context) ([]byte, error), c clock.Clock, log *slog.Logger) *RemoteKeys {
	return &RemoteKeys{fetch: fetch, clock: c, log: log, MaxAge: 10 * time.Minute, MinRefetch: 10 * time.Second}
}

// Key returns the key named kid, fetching the set when it is stale or the
// kid is unknown.
func (r *RemoteKeys) Key(ctx context.Context, kid string) (ed25519.PublicKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock.Now()
	fresh := !r.fetchedAt.IsZero() && now.Sub(r.fetchedAt) < r.MaxAge
	if k, ok := r.set.Find(kid); ok && fresh {
		return k, nil
	}
	if r.fetchedAt.IsZero() || !fresh || now.Sub(r.fetchedAt) >= r.MinRefetch {
		if err := r.refresh(ctx, now); err != nil {
			// A stale set still verifies tokens signed with known keys.
			if k, ok := r.set.Find(kid); ok {
				r.log.WarnContext(ctx, "jwks refresh failed; using the cached set", "err", err)
				return k, nil
			}
			return nil, err
		}
	}
	if k, ok := r.set.Find(kid); ok {
		return k, nil
	}
	return nil, fmt.Errorf("unknown key id %q", kid)
}

func (r *RemoteKeys) refresh(ctx context.Context, now time.Time) error {
	b, err := r.fetch(ctx)
	if err != nil {
		return fmt.Errorf("fetch jwks: %w", err)
	}
	var set JWKS
	if err := json.Unmarshal(b, &set); err != nil {
		return fmt.Errorf("decode jwks: %w", err)
	}
	r.set, r.fetchedAt = set, now
	return nil
}
