package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"

	"github.com/lettertomyself/ltm/apps/gateway/internal/proxy"
)

// newGateway builds the gateway as main does, against a fake sidecar whose
// invocation of /healthz succeeds for every app except those in down.
func newGateway(t *testing.T, down map[string]bool) http.Handler {
	t.Helper()
	sidecar := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app, ok := strings.CutPrefix(r.URL.Path, "/v1.0/invoke/")
		app, _, _ = strings.Cut(app, "/")
		if !ok || down[app] {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})
	cfg, err := config.Load[Config](func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return servicetest.Start(t, spec(cfg), sidecar).Handler()
}

func get(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestWebClientAndSecurityHeaders(t *testing.T) {
	h := newGateway(t, nil)
	for _, path := range []string{"/", "/assets/app.css", "/assets/app.js", "/no-such-page"} {
		rec := get(h, path)
		for _, header := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
			if rec.Header().Get(header) == "" {
				t.Errorf("%s: missing %s", path, header)
			}
		}
		if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: CSP lacks frame-ancestors 'none'", path)
		}
	}
	rec := get(h, "/")
	if got := rec.Header().Get("Permissions-Policy"); !strings.Contains(got, "camera=()") || !strings.Contains(got, "geolocation=()") {
		t.Errorf("Permissions-Policy = %q", got)
	}
	if got := rec.Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS over plain http: %q", got)
	}
	behindTLS := httptest.NewRequest(http.MethodGet, "/", nil)
	behindTLS.Header.Set("X-Forwarded-Proto", "https")
	tlsRec := httptest.NewRecorder()
	h.ServeHTTP(tlsRec, behindTLS)
	if got := tlsRec.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=31536000") {
		t.Errorf("HSTS behind https = %q", got)
	}
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "나에게 쓰는 편지") {
		t.Errorf("GET / = %d, want the web client", rec.Code)
	}
	if rec := get(h, "/internal/users/1/contact"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /internal/… = %d, want 404", rec.Code)
	}
}

// fromHere is a request made on the gateway's own machine (an operator).
func fromHere(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = "127.0.0.1:50000"
	h.ServeHTTP(rec, req)
	return rec
}

func TestServicesHealth(t *testing.T) {
	var body struct{ Services map[string]string }

	// It names every app: not for the public (httptest's requests come from 192.0.2.1).
	if rec := get(newGateway(t, nil), "/healthz/services"); rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "letter-service") {
		t.Fatalf("from elsewhere: %d %s, want a 404 naming no app", rec.Code, rec.Body)
	}

	rec := fromHere(newGateway(t, nil), "/healthz/services")
	if rec.Code != http.StatusOK {
		t.Fatalf("all up: status %d", rec.Code)
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if len(body.Services) != len(proxy.Services) {
		t.Errorf("reported %d services, want %d", len(body.Services), len(proxy.Services))
	}

	rec = fromHere(newGateway(t, map[string]bool{"letter-service": true}), "/healthz/services")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("one down: status %d, want 503", rec.Code)
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if body.Services["letter-service"] == "ok" || body.Services["auth-service"] != "ok" {
		t.Errorf("services = %v", body.Services)
	}
}
