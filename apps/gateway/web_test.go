package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The router hands the web client every path it does not route itself:
// each page URL gets the shell, anything else the 404 page, and /api/ and
// the gateway's own routes are never shadowed by a page.
func TestWebClientRoutes(t *testing.T) {
	h := newGateway(t, nil)
	cases := []struct {
		name, method, path, contentType string
		status                          int
	}{
		{"home", http.MethodGet, "/", "text/html", http.StatusOK},
		{"home HEAD", http.MethodHead, "/", "text/html", http.StatusOK},
		{"signup", http.MethodGet, "/signup", "text/html", http.StatusOK},
		{"login", http.MethodGet, "/login", "text/html", http.StatusOK},
		{"write", http.MethodGet, "/write", "text/html", http.StatusOK},
		{"letters", http.MethodGet, "/letters", "text/html", http.StatusOK},
		{"one letter", http.MethodGet, "/letters/6f1c7c52-9a55-4a44-8f3e-2b1f1d0c9e01", "text/html", http.StatusOK},
		{"routines", http.MethodGet, "/routines", "text/html", http.StatusOK},
		{"me", http.MethodGet, "/me", "text/html", http.StatusOK},
		{"settings", http.MethodGet, "/settings", "text/html", http.StatusOK},
		{"notifications", http.MethodGet, "/notifications", "text/html", http.StatusOK},
		{"script", http.MethodGet, "/assets/app.js", "text/javascript", http.StatusOK},
		{"font", http.MethodGet, "/fonts/gaegu-latin-400-normal.woff2", "font/woff2", http.StatusOK},
		{"unknown page", http.MethodGet, "/no-such-page", "text/html", http.StatusNotFound},
		{"unknown api area", http.MethodGet, "/api/nothing-here", "application/problem+json", http.StatusNotFound},
		{"internal route: a problem, never a page", http.MethodGet, "/internal/users/1/contact", "application/problem+json", http.StatusNotFound},
		{"services health is for operators on the machine", http.MethodGet, "/healthz/services", "application/problem+json", http.StatusNotFound},
		{"post to a page", http.MethodPost, "/letters", "application/problem+json", http.StatusMethodNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			if rec.Code != tc.status {
				t.Errorf("%s %s = %d, want %d", tc.method, tc.path, rec.Code, tc.status)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
				t.Errorf("%s %s: Content-Type %q, want %s", tc.method, tc.path, ct, tc.contentType)
			}
			if rec.Header().Get("Content-Security-Policy") == "" {
				t.Errorf("%s %s: no CSP", tc.method, tc.path)
			}
		})
	}
}
