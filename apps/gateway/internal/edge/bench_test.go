package edge_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/gateway/internal/edge"
)

// The limiter sits on every /api/auth/ request; many distinct addresses
// exercise its map and locking.
func BenchmarkRateLimiterAllow(b *testing.B) {
	l := edge.NewRateLimiter(1_000_000, 1_000_000, time.Now)
	addrs := make([]string, 1024)
	for i := range addrs {
		addrs[i] = "10.0." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.Allow(addrs[i%len(addrs)])
		i++
	}
}
