package httpx

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/problem"
)

// Check reports whether one dependency is reachable.
type Check func(ctx context.Context) error

// Health serves GET /healthz (the process is alive) and GET /readyz (every
// check passes and the service is not draining). Neither needs auth.
type Health struct {
	checks   map[string]Check
	timeout  time.Duration
	mu       sync.RWMutex
	draining bool
}

// NewHealth returns health endpoints running checks, each bounded by 2s.
func NewHealth(checks map[string]Check) *Health {
	return &Health{checks: checks, timeout: 2 * time.Second}
}

// Drain makes /readyz fail from now on, so traffic moves elsewhere while
// in-flight requests finish.
func (h *Health) Drain() {
	h.mu.Lock()
	h.draining = true
	h.mu.Unlock()
}

// Mount adds the two endpoints to r.
func (h *Health) Mount(r gin.IRoutes) {
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", h.ready)
}

func (h *Health) ready(c *gin.Context) {
	h.mu.RLock()
	draining := h.draining
	h.mu.RUnlock()
	if draining {
		Abort(c, problem.New(http.StatusServiceUnavailable, "Shutting down."))
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), h.timeout)
	defer cancel()

	results := make(map[string]string, len(h.checks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	ok := true
	for name, check := range h.checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := "ok"
			if err := check(ctx); err != nil {
				res = err.Error()
			}
			mu.Lock()
			defer mu.Unlock()
			results[name] = res
			if res != "ok" {
				ok = false
			}
		}()
	}
	wg.Wait()
	if !ok {
		Abort(c, problem.New(http.StatusServiceUnavailable, "A dependency is not reachable.").With("checks", results))
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": results})
}
