package authn_test

import (
	"context"
	"crypto/ed25519"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
)

// countingKeys counts key lookups: one per full verification.
type countingKeys struct {
	staticKeys
	n atomic.Int32
}

func (c *countingKeys) Key(ctx context.Context, kid string) (ed25519.PublicKey, error) {
	c.n.Add(1)
	return c.staticKeys.Key(ctx, kid)
}

// A token seen before skips the signature check, but a revocation made
// after it was cached still refuses it, and once it has expired the full
// check decides again.
func TestVerifiedTokenCache(t *testing.T) {
	k := newKey(t, "k1")
	clk := clock.NewFake(t0)
	keys := &countingKeys{staticKeys: staticKeys{"k1": k.pub}}
	v := authn.NewVerifier(keys, clk)
	set := authn.NewRevocations()
	v.UseRevocations(set)
	sid := uuid.NewString()
	tok := mintSession(t, k, user, sid)
	ctx := context.Background()

	for range 3 {
		c, err := v.Verify(ctx, tok)
		if err != nil || c.UserID != user || c.SessionID != sid || !c.ExpiresAt.Equal(t0.Add(15*time.Minute)) {
			t.Fatalf("Verify = %+v, %v", c, err)
		}
	}
	if n := keys.n.Load(); n != 1 {
		t.Errorf("%d full verifications for one token presented 3 times, want 1", n)
	}

	// Not a way around the signature: a token differing in one character
	// is another key, checked in full.
	if _, err := v.Verify(ctx, tamper(tok)); err == nil {
		t.Error("a tampered copy of a cached token verified")
	}

	set.Add(clk.Now(), authn.Revocation{UserID: user, SessionID: sid, ExpiresAt: t0.Add(time.Hour)})
	if _, err := v.Verify(ctx, tok); err == nil {
		t.Error("a cached token verified after its session was revoked")
	}

	other := mint(t, k, nil)
	if _, err := v.Verify(ctx, other); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(15*time.Minute + authn.Leeway + time.Second))
	if _, err := v.Verify(ctx, other); err == nil {
		t.Error("a cached token verified after its expiry")
	}

	// Without the cache every call is a full verification.
	keys.n.Store(0)
	clk.Set(t0)
	v.CacheTokens(0)
	for range 3 {
		if _, err := v.Verify(ctx, other); err != nil {
			t.Fatal(err)
		}
	}
	if n := keys.n.Load(); n != 3 {
		t.Errorf("uncached: %d full verifications for 3 calls", n)
	}
}

func tamper(token string) string {
	b := []byte(token)
	i := len(b) - 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}
