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

	"golang.org/x/sync/singleflight"

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
//
// A fetch never holds the lock and runs once however many requests want
// it (single flight). A known key is always answered from the cache at
// once, a stale set being refreshed in the background; only a request
// naming an unknown kid waits for the fetch, and no longer than its own
// context allows. So a slow auth-service never queues every request of the
// process behind one fetch.
type RemoteKeys struct {
	fetch func(ctx context.Context) ([]byte, error)
	clock clock.Clock
	log   *slog.Logger

	MaxAge     time.Duration
	MinRefetch time.Duration
	// FetchTimeout bounds one fetch, whoever waits for it.
	FetchTimeout time.Duration

	flight singleflight.Group

	mu        sync.Mutex
	set       JWKS
	fetchedAt time.Time // last successful fetch
	triedAt   time.Time // last fetch started
	fetching  bool      // a fetch is in flight: join it rather than refuse
}

// NewRemoteKeys returns a source reading the JWKS with fetch.
func NewRemoteKeys(fetch func(ctx context.Context) ([]byte, error), c clock.Clock, log *slog.Logger) *RemoteKeys {
	return &RemoteKeys{fetch: fetch, clock: c, log: log, MaxAge: 10 * time.Minute, MinRefetch: 10 * time.Second, FetchTimeout: 20 * time.Second}
}

// Key returns the key named kid: from the cache when it is there (a stale
// set is refreshed in the background meanwhile), otherwise after a fetch,
// rate-limited to one per MinRefetch.
func (r *RemoteKeys) Key(ctx context.Context, kid string) (ed25519.PublicKey, error) {
	now := r.clock.Now()
	r.mu.Lock()
	set, fetchedAt, triedAt, fetching := r.set, r.fetchedAt, r.triedAt, r.fetching
	r.mu.Unlock()
	mayFetch := triedAt.IsZero() || now.Sub(triedAt) >= r.MinRefetch
	if k, ok := set.Find(kid); ok {
		if now.Sub(fetchedAt) >= r.MaxAge && mayFetch {
			// A stale set still verifies tokens signed with known keys.
			r.flight.DoChan("jwks", r.refresh)
		}
		return k, nil
	}
	// A fetch in flight may be the one that brings kid: at a cold start
	// every request names a kid the empty set lacks, and refusing those
	// that arrive during the first fetch answered 401 to valid tokens
	// (found by tools/bench).
	if !mayFetch && !fetching {
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	select {
	case res := <-r.flight.DoChan("jwks", r.refresh):
		if res.Err != nil {
			return nil, res.Err
		}
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the jwks: %w", ctx.Err())
	}
	r.mu.Lock()
	set = r.set
	r.mu.Unlock()
	if k, ok := set.Find(kid); ok {
		return k, nil
	}
	return nil, fmt.Errorf("unknown key id %q", kid)
}

// refresh fetches the set, detached from any one request: requests that
// stop waiting do not cancel the fetch the others share.
func (r *RemoteKeys) refresh() (any, error) {
	now := r.clock.Now()
	r.mu.Lock()
	r.triedAt, r.fetching = now, true
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.fetching = false
		r.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), r.FetchTimeout)
	defer cancel()
	b, err := r.fetch(ctx)
	if err != nil {
		r.log.Warn("jwks fetch failed; known keys keep verifying", "err", err)
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	var set JWKS
	if err := json.Unmarshal(b, &set); err != nil {
		r.log.Warn("jwks undecodable; known keys keep verifying", "err", err)
		return nil, fmt.Errorf("decode jwks: %w", err)
	}
	r.mu.Lock()
	r.set, r.fetchedAt = set, now
	r.mu.Unlock()
	return nil, nil
}
