package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/pgtest"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestRunStartsMigratesAndDeclaresSubscriptions starts the real binary's
// run with a fake sidecar that only answers its health check.
func TestRunStartsMigratesAndDeclaresSubscriptions(t *testing.T) {
	sidecar := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1.0/healthz/outbound" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.NotFound(w, r)
	}))
	defer sidecar.Close()
	port := freePort(t)
	env := map[string]string{
		"APP_PORT":       strconv.Itoa(port),
		"DAPR_HTTP_PORT": strconv.Itoa(sidecar.Listener.Addr().(*net.TCPAddr).Port),
		"DAPR_GRPC_PORT": strconv.Itoa(freePort(t)),
		"DATABASE_URL":   pgtest.NewURL(t),
		"APP_API_TOKEN":  "t",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, func(k string) string { return env[k] }, io.Discard) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Get(base + "/dapr/subscribe")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var subs []struct{ Topic string }
	if err := json.NewDecoder(resp.Body).Decode(&subs); err != nil || len(subs) != 3 {
		t.Errorf("subscriptions = %v, %v; want the three user.* topics", subs, err)
	}
	// The platform's token check guards the profile.
	r, err := http.Get(base + "/api/users/me")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/users/me without a token: %d, want 401", r.StatusCode)
	}
}
