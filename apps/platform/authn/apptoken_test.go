package authn_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
)

func TestRequireCallerApp(t *testing.T) {
	tests := []struct {
		name, caller string
		want         int
	}{
		{"the allowed app", "emotion-ml-service", http.StatusOK},
		{"another allowed app", "emotion-store-service", http.StatusOK},
		{"an app not listed", "gateway", http.StatusForbidden},
		{"no caller named", "", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
			r.GET("/internal/x", authn.RequireCallerApp("emotion-ml-service", "emotion-store-service"), func(c *gin.Context) { c.Status(http.StatusOK) })
			req := httptest.NewRequest(http.MethodGet, "/internal/x", nil)
			if tt.caller != "" {
				req.Header.Set(authn.CallerAppHeader, tt.caller)
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status = %d, want %d", rec.Code, tt.want)
			}
		})
	}
}

func TestTrustForwardedOnlyFrom(t *testing.T) {
	tests := []struct {
		name, token, caller string
		keep                bool
	}{
		{"the gateway through the sidecar", "app-token", "gateway", true},
		{"straight to the app's port", "", "", false},
		{"straight to the app's port, naming the gateway", "", "gateway", false},
		{"a wrong app token", "guess", "gateway", false},
		{"another app through the sidecar", "app-token", "letter-service", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
			r.Use(authn.TrustForwardedOnlyFrom("app-token", "gateway"))
			var got []string
			r.GET("/api/x", func(c *gin.Context) {
				got = []string{c.GetHeader("X-Forwarded-For"), c.GetHeader("X-Real-Ip"), c.GetHeader("Forwarded")}
				c.Status(http.StatusOK)
			})
			req := httptest.NewRequest(http.MethodGet, "/api/x", nil)
			req.Header.Set("X-Forwarded-For", "203.0.113.7")
			req.Header.Set("X-Real-Ip", "203.0.113.7")
			req.Header.Set("Forwarded", "for=203.0.113.7")
			if tt.token != "" {
				req.Header.Set(authn.AppTokenHeader, tt.token)
			}
			if tt.caller != "" {
				req.Header.Set(authn.CallerAppHeader, tt.caller)
			}
			r.ServeHTTP(httptest.NewRecorder(), req)
			for i, h := range got {
				if kept := h != ""; kept != tt.keep {
					t.Errorf("header %d = %q, want kept=%v", i, h, tt.keep)
				}
			}
		})
	}
}
