// Package servicetest builds a service in a test exactly as main does
// (service.New with the service's own Spec), against a stand-in for the
// Dapr sidecar's HTTP API, and serves its handler on a local port. Workers
// do not run: tests drive them, or read the outbox with outboxtest.
package servicetest

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/service"
)

// AppToken is the app API token of every test service: send it as
// dapr-api-token to reach /internal/, event and binding routes, as the
// sidecar does.
const AppToken = "servicetest-app-token"

// Server is a built service serving on URL.
type Server struct {
	*service.Service
	URL string
}

// Database is a fresh migrated-on-start database for spec.Database,
// dropped when the test ends.
func Database(t testing.TB) *config.Database {
	return &config.Database{DatabaseURL: config.Secret(pgtest.NewURL(t)), DatabaseMaxConns: 4}
}

// Start builds spec with service.New and serves it. sidecar stands in for
// the Dapr HTTP API (service invocation, bindings); the outbound health
// check is answered here, and nil answers everything else with 404.
func Start(t testing.TB, spec service.Spec, sidecar http.Handler) *Server {
	t.Helper()
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1.0/healthz/outbound" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if sidecar == nil {
			http.NotFound(w, r)
			return
		}
		sidecar.ServeHTTP(w, r)
	}))
	t.Cleanup(fake.Close)
	base := config.Base{
		DaprHost: "127.0.0.1", DaprHTTPPort: fake.Listener.Addr().(*net.TCPAddr).Port,
		AppAPIToken: AppToken,
	}
	svc, err := service.New(context.Background(), base, spec, io.Discard)
	if err != nil {
		t.Fatalf("service.New: %v", err)
	}
	t.Cleanup(svc.Close)
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	return &Server{Service: svc, URL: srv.URL}
}
