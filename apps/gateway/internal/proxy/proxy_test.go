package proxy_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lettertomyself/ltm/apps/gateway/internal/proxy"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
)

// sidecar records what reached it, like daprd in HTTP proxy mode would.
type sidecar struct {
	*httptest.Server
	got *http.Request
}

func newSidecar(t *testing.T, status int, contentType, body string) *sidecar {
	s := &sidecar{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.got = r.Clone(r.Context())
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("X-Request-Id", r.Header.Get("X-Request-Id"))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

// sidecarToken is the sidecar's API token in these tests.
const sidecarToken = "sidecar-token"

func newProxy(t *testing.T, sidecarURL string) http.Handler {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sidecar := daprx.New(daprx.Config{APIToken: sidecarToken}, log)
	h, err := proxy.New(sidecarURL, sidecar.Transport(proxy.Transport()), log)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestRoutesEachAreaToItsOwner(t *testing.T) {
	tests := []struct{ path, app string }{
		{"/api/auth/login", "auth-service"},
		{"/api/auth/jwks", "auth-service"},
		{"/api/users/me", "user-service"},
		{"/api/letters", "letter-service"},
		{"/api/letters/0b8e/", "letter-service"},
		{"/api/images/abc", "letter-storage-service"},
		{"/api/routines", "routine-service"},
		{"/api/special-dates/1", "routine-service"},
		{"/api/calendar", "routine-service"},
		{"/api/emotions/summary", "emotion-store-service"},
		{"/api/recommendations/feedback", "recommend-service"},
		{"/api/notifications", "notification-service"},
	}
	sc := newSidecar(t, http.StatusOK, "application/json", `{}`)
	h := newProxy(t, sc.URL)
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			sc.got = nil
			req := httptest.NewRequest(http.MethodGet, tt.path+"?category=past", nil)
			req.Header.Set("Authorization", "Bearer abc")
			req.Header.Set("Dapr-App-Id", "scheduler-service")
			req.Header.Set("Dapr-Api-Token", "forged")
			req.Header.Set("X-Request-Id", "edge-id")
			rec := httptest.NewRecorder()
			rec.Header().Set("X-Request-Id", "edge-id") // as the gateway's middleware does
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || sc.got == nil {
				t.Fatalf("status %d, reached sidecar: %v", rec.Code, sc.got != nil)
			}
			if got := sc.got.Header.Get("dapr-app-id"); got != tt.app {
				t.Errorf("dapr-app-id = %q, want %q", got, tt.app)
			}
			if got := sc.got.Header.Values("dapr-api-token"); len(got) != 1 || got[0] != sidecarToken {
				t.Errorf("dapr-api-token = %q, want only the sidecar's token (never the client's)", got)
			}
			if sc.got.URL.Path != tt.path || sc.got.URL.RawQuery != "category=past" {
				t.Errorf("forwarded %s?%s, want %s?category=past", sc.got.URL.Path, sc.got.URL.RawQuery, tt.path)
			}
			if n := len(rec.Header().Values("X-Request-Id")); n > 1 {
				t.Errorf("response carries %d X-Request-Id headers, want at most 1", n)
			}
			if sc.got.Header.Get("Authorization") != "Bearer abc" {
				t.Error("Authorization header not forwarded")
			}
		})
	}
}

func TestNeverRoutesInternalOrUnknownPaths(t *testing.T) {
	sc := newSidecar(t, http.StatusOK, "application/json", `{}`)
	h := newProxy(t, sc.URL)
	for _, path := range []string{
		"/api/internal/users/1/contact",
		"/api/users/internal/x",
		"/api/users/../internal/users/1/contact",
		"/api/users/%2e%2e/internal/users/1",
		"/api/users%2F..%2Finternal",
		"/api/nope",
		"/api/",
		"/internal/users/1/contact",
	} {
		t.Run(path, func(t *testing.T) {
			sc.got = nil
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusNotFound {
				t.Errorf("status = %d, want 404", rec.Code)
			}
			if sc.got != nil {
				t.Errorf("request reached the sidecar as %s", sc.got.URL.Path)
			}
			if ct := rec.Header().Get("Content-Type"); ct != problem.ContentType {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestDaprErrorsBecomeProblemsAndAppProblemsPassThrough(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantStatus  int
		wantBody    string
		hideBody    string
	}{
		{"sidecar cannot reach app", 500, "application/json", `{"errorCode":"ERR_DIRECT_INVOKE","message":"fail to invoke, id: letter-service, err: connection refused 10.0.0.1"}`, 502, "not reachable", "10.0.0.1"},
		{"sidecar refuses the address", 403, "application/json", `{"errorCode":"ERR_DIRECT_INVOKE","message":"invalid control character in URL"}`, 403, `"status":403`, "ERR_DIRECT_INVOKE"},
		{"sidecar does not know the app", 404, "text/plain", `app id letter-service not found in sqlite`, 404, `"status":404`, "sqlite"},
		{"sidecar refuses its token", 401, "text/plain", `invalid api token`, 401, `"status":401`, "api token"},
		{"app problem passes through", 503, problem.ContentType, `{"type":"about:blank","title":"x","status":503}`, 503, `"title":"x"`, ""},
		{"app 4xx passes through", 423, problem.ContentType, `{"status":423,"open_at":"2030-01-01T00:00:00Z"}`, 423, "open_at", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newSidecar(t, tt.status, tt.contentType, tt.body)
			rec := httptest.NewRecorder()
			newProxy(t, sc.URL).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/letters/1", nil))
			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("body %s lacks %q", rec.Body, tt.wantBody)
			}
			if tt.hideBody != "" && strings.Contains(rec.Body.String(), tt.hideBody) {
				t.Errorf("body leaks %q: %s", tt.hideBody, rec.Body)
			}
		})
	}
}

func TestSidecarDownIs502(t *testing.T) {
	sc := newSidecar(t, 200, "application/json", "{}")
	url := sc.URL
	sc.Close()
	rec := httptest.NewRecorder()
	newProxy(t, url).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/auth/login", strings.NewReader("{}")))
	if rec.Code != http.StatusBadGateway {
		t.Errorf("status = %d, want 502", rec.Code)
	}
}

func TestForwardsTheEdgeClientAddressNotTheCallersClaim(t *testing.T) {
	sc := newSidecar(t, http.StatusOK, "application/json", `{}`)
	req := httptest.NewRequest(http.MethodPost, "/api/auth/login", strings.NewReader("{}"))
	req.Header.Set("X-Forwarded-For", "1.2.3.4") // spoofed by the caller
	req = req.WithContext(proxy.WithClientIP(req.Context(), "203.0.113.9"))
	newProxy(t, sc.URL).ServeHTTP(httptest.NewRecorder(), req)
	if got := sc.got.Header.Get("X-Forwarded-For"); got != "203.0.113.9" {
		t.Errorf("X-Forwarded-For = %q, want the edge's 203.0.113.9", got)
	}
}

func TestForwardsTheEdgeSchemeAndHost(t *testing.T) {
	sc := newSidecar(t, http.StatusOK, "application/json", `{}`)
	req := httptest.NewRequest(http.MethodPost, "http://letters.example/api/auth/refresh", strings.NewReader("{}"))
	req.Header.Set("X-Forwarded-Proto", "http") // what the ingress said, already judged by the edge
	req.Header.Set("X-Forwarded-Host", "evil.example")
	req = req.WithContext(proxy.WithScheme(req.Context(), "https"))
	newProxy(t, sc.URL).ServeHTTP(httptest.NewRecorder(), req)
	if got := sc.got.Header.Get("X-Forwarded-Proto"); got != "https" {
		t.Errorf("X-Forwarded-Proto = %q, want the edge's https", got)
	}
	if got := sc.got.Header.Get("X-Forwarded-Host"); got != "letters.example" {
		t.Errorf("X-Forwarded-Host = %q, want the host the client asked", got)
	}
}
