package authn_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
)

// Every protected request verifies a token, at the edge and again in the
// service: this is the per-request cost of local verification, in full
// (uncached: a token seen for the first time) and for a token verified
// before (cached: what a client presenting its token on every request
// costs after the first).
func BenchmarkVerify(b *testing.B) {
	for _, size := range []int{0, authn.TokenCacheSize} {
		b.Run(map[int]string{0: "uncached", authn.TokenCacheSize: "cached"}[size], func(b *testing.B) {
			t := &testing.T{}
			k := newKey(t, "k1")
			v := authn.NewVerifier(staticKeys{"k1": k.pub}, clock.NewFake(t0))
			v.CacheTokens(size)
			token := mint(t, k, nil)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// What the revocation check adds to Verify: an empty set (the usual case)
// and one of 10,000 live entries (half sessions, half users; ~10,000
// logouts in 15 minutes), for a token not in it. Uncached, as measured
// when revocations came; BenchmarkVerifyCachedRevocations is the same on
// the cached path, where the lookup is a larger share.
func BenchmarkVerifyRevocations(b *testing.B) { benchRevocations(b, 0) }

func BenchmarkVerifyCachedRevocations(b *testing.B) { benchRevocations(b, authn.TokenCacheSize) }

func benchRevocations(b *testing.B, cacheSize int) {
	for _, n := range []int{0, 10_000} {
		b.Run(map[int]string{0: "empty", 10_000: "10k"}[n], func(b *testing.B) {
			t := &testing.T{}
			k := newKey(t, "k1")
			v := authn.NewVerifier(staticKeys{"k1": k.pub}, clock.NewFake(t0))
			set := authn.NewRevocations()
			for i := range n {
				r := authn.Revocation{UserID: uuid.NewString(), ExpiresAt: t0.Add(time.Hour)}
				if i%2 == 0 {
					r.SessionID = uuid.NewString()
				}
				set.Add(t0, r)
			}
			v.UseRevocations(set)
			v.CacheTokens(cacheSize)
			token := mintSession(t, k, user, uuid.NewString())
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The lookup alone, on 10,000 entries, with requests in parallel.
func BenchmarkRevokedLookup(b *testing.B) {
	set := authn.NewRevocations()
	for range 10_000 {
		set.Add(t0, authn.Revocation{UserID: uuid.NewString(), SessionID: uuid.NewString(), ExpiresAt: t0.Add(time.Hour)})
	}
	c := authn.Claims{UserID: uuid.NewString(), SessionID: uuid.NewString()}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if set.Revoked(c, t0) {
				b.Fatal("revoked")
			}
		}
	})
}
