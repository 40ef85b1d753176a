package moods_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/daprx"

	"github.com/lettertomyself/ltm/apps/recommend/internal/moods"
)

// sidecar stands in for daprd's invocation API, answering for
// emotion-store-service with h.
func sidecar(t *testing.T, h http.HandlerFunc) *daprx.Sidecar {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return daprx.New(daprx.Config{HTTPPort: srv.Listener.Addr().(*net.TCPAddr).Port}, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestRecent(t *testing.T) {
	const user = "5f0c2a8e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"
	tests := []struct {
		name        string
		status      int
		body        string
		wantMood    string
		wantBecause string
		wantErr     bool
	}{
		{"mood and reason", http.StatusOK, `{"mood":"sadness","because":"last_30_days"}`, "sadness", "last_30_days", false},
		{"a reason that is not a string is dropped, the mood kept", http.StatusOK, `{"mood":"joy","because":{"letters":3}}`, "joy", "", false},
		{"not JSON", http.StatusOK, `<html>`, "", "", true},
		{"emotion-store fails", http.StatusInternalServerError, `{}`, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var path string
			sc := sidecar(t, func(w http.ResponseWriter, r *http.Request) {
				path = r.URL.Path
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			mood, because, err := moods.New(sc.Get, time.Second).Recent(context.Background(), user)
			if path != "/v1.0/invoke/emotion-store-service/method/internal/users/"+user+"/mood" {
				t.Errorf("asked %s", path)
			}
			if (err != nil) != tt.wantErr || mood != tt.wantMood || because != tt.wantBecause {
				t.Errorf("got %q, %q, %v; want %q, %q, error %v", mood, because, err, tt.wantMood, tt.wantBecause, tt.wantErr)
			}
		})
	}
}

func TestRecentGivesUpOnASlowEmotionStore(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	sc := sidecar(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	if _, _, err := moods.New(sc.Get, 50*time.Millisecond).Recent(context.Background(), "u"); err == nil {
		t.Error("a lookup that never answers returned no error")
	}
}
