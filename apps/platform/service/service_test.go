package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/service"
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

// fakeSidecar answers only the outbound health check, like a daprd whose
// components are up; its gRPC port is closed, so the client never connects.
func fakeSidecar(t *testing.T) int {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1.0/healthz/outbound" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().(*net.TCPAddr).Port
}

func TestRunServesHealthAndShutsDownGracefully(t *testing.T) {
	port := freePort(t)
	base := config.Base{
		Port: port, DaprHTTPPort: fakeSidecar(t), DaprGRPCPort: freePort(t), DaprHost: "127.0.0.1",
		ShutdownTimeout: 3 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second,
	}
	dbURL := pgtest.NewURL(t)
	db := &config.Database{DatabaseURL: config.Secret(dbURL), DatabaseMaxConns: 2}

	entered, release := make(chan struct{}), make(chan struct{})
	spec := service.Spec{
		Name:     "test-service",
		Database: db,
		Setup: func(d service.Deps) ([]service.Worker, error) {
			d.Router.GET("/slow", func(c *gin.Context) {
				close(entered)
				<-release
				c.String(http.StatusOK, "finished")
			})
			return nil, nil
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- service.Run(ctx, base, spec, io.Discard) }()

	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitFor(t, url+"/healthz", http.StatusOK)

	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	getJSON(t, url+"/readyz", http.StatusOK, &ready)
	if ready.Checks["database"] != "ok" || ready.Checks["sidecar"] != "ok" {
		t.Errorf("readyz checks = %v, want database and sidecar ok", ready.Checks)
	}
	assertMigrated(t, dbURL, "outbox", "inbox")

	var prob map[string]any
	getJSON(t, url+"/no/such/route", http.StatusNotFound, &prob)
	getJSON(t, url+"/dapr/subscribe", http.StatusOK, &[]any{})

	// A request in flight when shutdown starts still gets its answer.
	slow := make(chan string, 1)
	go func() {
		resp, err := http.Get(url + "/slow")
		if err != nil {
			slow <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		slow <- string(b)
	}()
	<-entered
	cancel()
	time.Sleep(100 * time.Millisecond) // let Shutdown begin before releasing
	close(release)
	if got := <-slow; got != "finished" {
		t.Errorf("in-flight request got %q, want it to finish", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v, want nil after a clean shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("server still accepting after shutdown")
	}
}

// A stopping service fails /readyz while it still accepts connections, so
// whoever routes by readiness moves away before connections are refused.
// Before DrainDelay, readiness flipped as the listener closed: no new
// connection ever saw the 503.
func TestRunFailsReadinessBeforeItStopsAccepting(t *testing.T) {
	port := freePort(t)
	base := config.Base{
		Port: port, DaprHTTPPort: fakeSidecar(t), DaprGRPCPort: freePort(t), DaprHost: "127.0.0.1",
		ShutdownTimeout: time.Second, DrainDelay: 3 * time.Second,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- service.Run(ctx, base, service.Spec{Name: "test-service"}, io.Discard) }()
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitFor(t, url+"/healthz", http.StatusOK)

	// Every request on a new connection, as a prober or balancer makes it.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 2 * time.Second}
	status := func(path string) (int, error) {
		resp, err := client.Get(url + path)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	cancel()
	sawNotReady := false
	for range 200 {
		code, err := status("/readyz")
		if err != nil {
			break // no longer accepting
		}
		if code == http.StatusServiceUnavailable {
			sawNotReady = true
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !sawNotReady {
		t.Fatal("/readyz never answered 503 on a new connection: the server stopped accepting as readiness failed")
	}
	// Still accepting, and still serving what is not readiness.
	if code, err := status("/healthz"); err != nil || code != http.StatusOK {
		t.Fatalf("after /readyz failed, /healthz = %d, %v; want 200 while draining", code, err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after the drain delay")
	}
	if _, err := status("/healthz"); err == nil {
		t.Error("still accepting after Run returned")
	}
}

func TestRunFailsFastWhenTheDatabaseIsUnreachable(t *testing.T) {
	base := config.Base{Port: freePort(t), DaprHTTPPort: fakeSidecar(t), ShutdownTimeout: time.Second}
	db := &config.Database{DatabaseURL: config.Secret(fmt.Sprintf("postgres://nobody@127.0.0.1:%d/none?sslmode=disable&connect_timeout=1", freePort(t))), DatabaseConnectTimeout: 2 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := service.Run(ctx, base, service.Spec{Name: "t", Database: db}, io.Discard)
	if err == nil {
		t.Fatal("Run succeeded without a database")
	}
}

// assertMigrated checks that Run applied the platform's migrations.
func assertMigrated(t *testing.T, url string, tables ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, table := range tables {
		var exists bool
		if err := conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if !exists {
			t.Errorf("table %s missing: migrations not applied at start", table)
		}
	}
}

func waitFor(t *testing.T, url string, status int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == status {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered %d", url, status)
}

func getJSON(t *testing.T, url string, status int, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != status {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s = %d, want %d: %s", url, resp.StatusCode, status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
