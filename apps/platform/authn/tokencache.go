package authn

import (
	"crypto/sha256"
	"sync"
	"time"
)

// tokenCache remembers the claims of verified tokens by the SHA-256 of the
// token string, so a client presenting the same token on every request
// costs one hash and a map read instead of an Ed25519 check and two JSON
// decodes (issue 17). An entry is used only while the token has not
// expired (without the leeway: past its expiry the full check decides).
//
// Bounded by two generations of at most max/2 entries each: entries go
// into the young one; when it is full it becomes the old one and the
// previous old one is dropped whole. A hit in the old generation moves
// the entry to the young one. So the cache never holds more than max
// entries, eviction is O(1) amortised, and tokens in use survive.
type tokenCache struct {
	mu    sync.Mutex
	half  int
	young map[[sha256.Size]byte]Claims
	old   map[[sha256.Size]byte]Claims
}

func newTokenCache(size int) *tokenCache {
	half := max(1, size/2)
	return &tokenCache{half: half, young: make(map[[sha256.Size]byte]Claims, half)}
}

// get returns the claims of a token verified before, unless it has expired
// at now.
func (c *tokenCache) get(key [sha256.Size]byte, now time.Time) (Claims, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, ok := c.young[key]
	if !ok {
		if cl, ok = c.old[key]; ok {
			delete(c.old, key)
			c.addLocked(key, cl)
		}
	}
	if !ok || !now.Before(cl.ExpiresAt) {
		return Claims{}, false
	}
	return cl, true
}

// put remembers a verified token's claims.
func (c *tokenCache) put(key [sha256.Size]byte, cl Claims) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addLocked(key, cl)
}

func (c *tokenCache) addLocked(key [sha256.Size]byte, cl Claims) {
	if _, ok := c.young[key]; !ok && len(c.young) >= c.half {
		c.old, c.young = c.young, make(map[[sha256.Size]byte]Claims, c.half)
	}
	c.young[key] = cl
}

// len is the number of entries held.
func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.young) + len(c.old)
}
