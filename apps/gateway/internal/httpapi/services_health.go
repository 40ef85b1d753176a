package httpapi

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// servicesHealth asks every service's /healthz through the sidecar and
// answers 200 when all are alive, 503 otherwise, with one line per service.
func servicesHealth(sidecar string, transport http.RoundTripper, services []string) gin.HandlerFunc {
	client := &http.Client{Timeout: 3 * time.Second, Transport: transport}
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
		defer cancel()

		results := make(map[string]string, len(services))
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, app := range services {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := probe(ctx, client, sidecar+"/v1.0/invoke/"+app+"/method/healthz")
				mu.Lock()
				results[app] = res
				mu.Unlock()
			}()
		}
		wg.Wait()

		status := http.StatusOK
		for _, r := range results {
			if r != "ok" {
				status = http.StatusServiceUnavailable
			}
		}
		c.JSON(status, gin.H{"services": results})
	}
}

func probe(ctx context.Context, client *http.Client, url string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "error"
	}
	resp, err := client.Do(req)
	if err != nil {
		return "unreachable"
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "unhealthy (" + http.StatusText(resp.StatusCode) + ")"
	}
	return "ok"
}
