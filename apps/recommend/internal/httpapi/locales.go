package httpapi

import (
	"context"
	"sync"
	"time"
)

// localeTTL is how long a profile locale is reused: every recommendation
// without ?lang= needs it (the web client sends ?lang=; other clients may
// not), it changes rarely, and asking user-service each time cost two
// sidecar hops and a query per request (docs/performance.md). A changed
// locale shows within localeTTL.
const localeTTL = 30 * time.Second

// maxLocales bounds the cache; past it, expired entries go, and if none
// has expired, all of them.
const maxLocales = 10_000

// localeCache remembers the locales lookup found (never a failure, which
// is asked again next time).
type localeCache struct {
	lookup func(ctx context.Context, userID string) string
	now    func() time.Time
	ttl    time.Duration
	max    int

	mu sync.Mutex
	m  map[string]cachedLocale
}

type cachedLocale struct {
	locale  string
	expires time.Time
}

func newLocaleCache(lookup func(ctx context.Context, userID string) string, now func() time.Time, ttl time.Duration, max int) *localeCache {
	return &localeCache{lookup: lookup, now: now, ttl: ttl, max: max, m: map[string]cachedLocale{}}
}

// Locale is userID's locale from the cache or, when absent or expired,
// from lookup.
func (c *localeCache) Locale(ctx context.Context, userID string) string {
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[userID]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.locale
	}
	l := c.lookup(ctx, userID)
	if l == "" {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k, v := range c.m {
			if !now.Before(v.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= c.max {
			clear(c.m)
		}
	}
	c.m[userID] = cachedLocale{locale: l, expires: now.Add(c.ttl)}
	return l
}
