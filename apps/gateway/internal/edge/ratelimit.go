package edge

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
)

// RateLimiter gives each client address a token bucket. It bounds how fast
// one address can hit the auth endpoints (sign-up floods, credential
// stuffing across accounts); per-account login throttling lives in
// auth-service, which shares it between replicas.
type RateLimiter struct {
	perSecond rate.Limit
	burst     int
	now       func() time.Time

	mu      sync.Mutex
	clients map[string]*client
	sweep   time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewRateLimiter allows perMinute requests a minute per address, with
// bursts of burst.
func NewRateLimiter(perMinute, burst int, now func() time.Time) *RateLimiter {
	return &RateLimiter{
		perSecond: rate.Limit(float64(perMinute) / 60),
		burst:     burst,
		now:       now,
		clients:   map[string]*client{},
	}
}

// Allow takes a token for addr; when none is left it says how long to wait.
func (l *RateLimiter) Allow(addr string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forgetIdle(now)
	c, ok := l.clients[addr]
	if !ok {
		c = &client{lim: rate.NewLimiter(l.perSecond, l.burst)}
		l.clients[addr] = c
	}
	c.seen = now
	r := c.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// forgetIdle drops addresses idle long enough to have a full bucket again,
// so the map does not grow without bound.
func (l *RateLimiter) forgetIdle(now time.Time) {
	if now.Sub(l.sweep) < time.Minute {
		return
	}
	l.sweep = now
	full := time.Duration(float64(l.burst)/float64(l.perSecond)*float64(time.Second)) + time.Minute
	for addr, c := range l.clients {
		if now.Sub(c.seen) > full {
			delete(l.clients, addr)
		}
	}
}

// Middleware answers 429 with Retry-After when the client is over its rate.
func (l *RateLimiter) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		ok, wait := l.Allow(c.ClientIP())
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			c.Header("Retry-After", strconv.Itoa(secs))
			httpx.Abort(c, problem.New(http.StatusTooManyRequests, "Too many requests from your address. Try again in "+strconv.Itoa(secs)+" seconds.").With("retry_after", secs))
			return
		}
		c.Next()
	}
}

// OnlyUnder applies h to paths under prefix and lets the rest pass.
func OnlyUnder(prefix string, h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, prefix) {
			h(c)
			return
		}
		c.Next()
	}
}
