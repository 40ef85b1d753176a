// Package servicetest builds a service in a test exactly as main does
// (service.New with the service's own Spec), against a stand-in for the
// Dapr sidecar's HTTP API, and serves its handler on a local port. Workers
// do not run: tests drive them, or read the outbox with outboxtest. Do and
// Publish call it as a client and as the sidecar do.
package servicetest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
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

// Response is an answer as a test reads it: Body holds a JSON object
// answer, decoded (nil for anything else).
type Response struct {
	Status int
	Header http.Header
	Raw    string
	Body   map[string]any
}

// Do sends method path to the service. A string or []byte body is sent as
// is, anything else (but nil) as JSON; a body gets Content-Type
// application/json unless header sets one. A transport error fails the
// test.
func (s *Server) Do(t testing.TB, method, path string, body any, header map[string]string) Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encode %s %s body: %v", method, path, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := Response{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

// Publish delivers data on topic the way daprd does: a CloudEvent with id
// eventID ("" for a fresh one) to the route the service declared for the
// topic, with the app token. It returns what the handler answered
// (SUCCESS, RETRY or DROP); a topic the service does not declare, or an
// answer other than 200, fails the test.
func (s *Server) Publish(t testing.TB, topic, eventID string, data any) string {
	t.Helper()
	route := ""
	for _, sub := range s.Subs.Declared() {
		if sub.Topic == topic {
			route = sub.Route
		}
	}
	if route == "" {
		t.Fatalf("no subscription to %s", topic)
	}
	if eventID == "" {
		eventID = uuid.NewString()
	}
	payload, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	envelope, _ := json.Marshal(map[string]any{
		"id": eventID, "topic": topic, "pubsubname": daprx.PubSub, "specversion": "1.0", "type": "com.dapr.event.sent",
		"source": "servicetest", "datacontenttype": "application/json", "data": json.RawMessage(payload),
	})
	r := s.Do(t, http.MethodPost, route, envelope, map[string]string{
		"Content-Type": "application/cloudevents+json", authn.AppTokenHeader: AppToken,
	})
	if r.Status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", topic, r.Status, r.Raw)
	}
	status, _ := r.Body["status"].(string)
	return status
}
