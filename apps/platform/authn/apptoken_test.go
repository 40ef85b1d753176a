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
