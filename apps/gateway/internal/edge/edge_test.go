package edge_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/gateway/internal/edge"
	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
)

func router() *gin.Engine { return httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil))) }

func serve(r http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	return rec
}

func TestRateLimiterPerAddressWithRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := edge.NewRateLimiter(60, 3, func() time.Time { return now }) // 1/s, burst 3
	r := router()
	r.POST("/api/auth/login", l.Middleware(), func(c *gin.Context) { c.Status(http.StatusOK) })
	hit := func(ip string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/api/auth/login", nil)
		req.RemoteAddr = ip + ":1234"
		return serve(r, req)
	}
	for i := range 3 {
		if rec := hit("10.0.0.1"); rec.Code != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i+1, rec.Code)
		}
	}
	rec := hit("10.0.0.1")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("over the burst: %d Retry-After %q, want 429 with Retry-After 1", rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := hit("10.0.0.2"); rec.Code != http.StatusOK {
		t.Errorf("another address limited too: %d", rec.Code)
	}
	now = now.Add(time.Second)
	if rec := hit("10.0.0.1"); rec.Code != http.StatusOK {
		t.Errorf("after refill: %d", rec.Code)
	}
}

func TestLimitBody(t *testing.T) {
	r := router()
	r.Any("/api/*p", edge.LimitBody(10, 100), func(c *gin.Context) {
		if _, err := io.ReadAll(c.Request.Body); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				httpx.Abort(c, edge.TooLarge(tooLarge.Limit))
				return
			}
		}
		c.Status(http.StatusOK)
	})
	tests := []struct {
		name, method, path string
		size               int
		chunked            bool
		want               int
	}{
		{"small json", http.MethodPost, "/api/letters", 10, false, http.StatusOK},
		{"json over the limit", http.MethodPost, "/api/letters", 11, false, http.StatusRequestEntityTooLarge},
		{"chunked over the limit", http.MethodPost, "/api/letters", 50, true, http.StatusRequestEntityTooLarge},
		{"upload within its larger limit", http.MethodPost, "/api/images", 100, false, http.StatusOK},
		{"upload over it", http.MethodPost, "/api/images", 101, false, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(strings.Repeat("a", tt.size)))
			if tt.chunked {
				req.ContentLength = -1
			}
			if rec := serve(r, req); rec.Code != tt.want {
				t.Errorf("status = %d, want %d", rec.Code, tt.want)
			}
		})
	}
}

type noKeys struct{}

func (noKeys) Key(context.Context, string) (ed25519.PublicKey, error) {
	return nil, errors.New("none")
}

func TestRequireTokenExceptPublicCalls(t *testing.T) {
	r := router()
	r.Any("/api/*p", edge.RequireToken(authn.NewVerifier(noKeys{}, clock.System{})), func(c *gin.Context) { c.Status(http.StatusOK) })
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodPost, "/api/auth/signup", http.StatusOK},
		{http.MethodPost, "/api/auth/login", http.StatusOK},
		{http.MethodPost, "/api/auth/refresh", http.StatusOK},
		{http.MethodPost, "/api/auth/logout", http.StatusOK},
		{http.MethodGet, "/api/auth/jwks", http.StatusOK},
		{http.MethodPost, "/api/auth/password", http.StatusUnauthorized},
		{http.MethodDelete, "/api/auth/account", http.StatusUnauthorized},
		{http.MethodGet, "/api/auth/signup", http.StatusUnauthorized},
		{http.MethodGet, "/api/users/me", http.StatusUnauthorized},
		{http.MethodGet, "/api/letters", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			if rec := serve(r, httptest.NewRequest(tt.method, tt.path, nil)); rec.Code != tt.want {
				t.Errorf("status = %d, want %d", rec.Code, tt.want)
			}
		})
	}
}

func TestCORSOnlyForAllowlistedOrigins(t *testing.T) {
	r := router()
	r.Use(edge.CORS([]string{"https://app.example"}))
	r.Any("/api/x", func(c *gin.Context) { c.Status(http.StatusOK) })

	req := httptest.NewRequest(http.MethodGet, "/api/x", nil)
	req.Header.Set("Origin", "https://evil.example")
	if got := serve(r, req).Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("foreign origin allowed: %q", got)
	}

	req = httptest.NewRequest(http.MethodOptions, "/api/x", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	rec := serve(r, req)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("preflight: %d %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	if rec.Header().Get("Access-Control-Allow-Credentials") != "" {
		t.Error("credentials allowed; tokens are not cookies")
	}
}

func TestSaneRequestRefusesOddMethodsAndControlCharacters(t *testing.T) {
	r := router()
	r.Use(edge.SaneRequest())
	r.Any("/api/*path", func(c *gin.Context) { c.Status(http.StatusOK) })
	tests := []struct {
		name, method, target string
		want                 int
	}{
		{"a plain read", http.MethodGet, "/api/letters?category=past", http.StatusOK},
		{"a delete", http.MethodDelete, "/api/letters/0b8e", http.StatusOK},
		{"an encoded space", http.MethodGet, "/api/letters/a%20b", http.StatusOK},
		{"NUL in the path", http.MethodGet, "/api/letters/%00", http.StatusBadRequest},
		{"a line feed in the path", http.MethodGet, "/api/letters/x%0Ay", http.StatusBadRequest},
		{"DEL in the path", http.MethodGet, "/api/letters/%7F", http.StatusBadRequest},
		{"NUL in the query", http.MethodGet, "/api/letters?category=%00", http.StatusBadRequest},
		{"a broken escape in the query", http.MethodGet, "/api/letters?category=%zz", http.StatusBadRequest},
		{"CONNECT", http.MethodConnect, "/api/letters", http.StatusMethodNotAllowed},
		{"TRACE", http.MethodTrace, "/api/letters", http.StatusMethodNotAllowed},
		{"an invented method", "BREW", "/api/letters", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(r, httptest.NewRequest(tt.method, tt.target, nil))
			if rec.Code != tt.want {
				t.Fatalf("%s %s = %d, want %d", tt.method, tt.target, rec.Code, tt.want)
			}
			if tt.want != http.StatusOK && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
				t.Errorf("refusal is %q, want a problem", rec.Header().Get("Content-Type"))
			}
		})
	}
}

func TestLoopbackOnly(t *testing.T) {
	r := router()
	r.GET("/healthz/services", edge.LoopbackOnly(), func(c *gin.Context) { c.Status(http.StatusOK) })
	tests := []struct {
		name, remote, forwarded string
		want                    int
	}{
		{"this machine", "127.0.0.1:40000", "", http.StatusOK},
		{"this machine over IPv6", "[::1]:40000", "", http.StatusOK},
		{"anyone else", "203.0.113.7:40000", "", http.StatusNotFound},
		{"anyone else claiming loopback", "203.0.113.7:40000", "127.0.0.1", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/healthz/services", nil)
			req.RemoteAddr = tt.remote
			if tt.forwarded != "" {
				req.Header.Set("X-Forwarded-For", tt.forwarded)
			}
			if rec := serve(r, req); rec.Code != tt.want {
				t.Errorf("status = %d, want %d", rec.Code, tt.want)
			}
		})
	}
}
