package authn

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"
)

// The cache never holds more than its size, keeps what is in use, and
// serves an entry only until its token expires.
func TestTokenCacheIsBounded(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	c := newTokenCache(100)
	key := func(i int) [sha256.Size]byte { return sha256.Sum256(fmt.Appendf(nil, "token-%d", i)) }
	claims := Claims{UserID: "u", ExpiresAt: t0.Add(time.Minute)}
	hot := key(-1)
	c.put(hot, claims)
	for i := range 1000 {
		c.put(key(i), claims)
		if _, ok := c.get(hot, t0); !ok {
			t.Fatalf("the token in use was evicted after %d others", i)
		}
		if n := c.len(); n > 100 {
			t.Fatalf("%d entries, bound 100", n)
		}
	}
	if _, ok := c.get(key(0), t0); ok {
		t.Error("the oldest unused entry is still there")
	}
	if _, ok := c.get(key(999), t0); !ok {
		t.Error("the newest entry is gone")
	}
	if _, ok := c.get(hot, t0.Add(time.Minute)); ok {
		t.Error("an entry served at its token's expiry")
	}
}
