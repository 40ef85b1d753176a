package daprtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/daprtest"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
)

// A sidecar with the project's real state store component, pointed at a
// fresh database through the secret store, saves and reads a document.
func TestStartWithTheRealStateStore(t *testing.T) {
	s := daprtest.Start(t, daprtest.Options{
		AppID:      "emotion-store-service",
		Components: []string{daprtest.RepoFile(t, "components/emotion-state.yaml")},
		Secrets:    map[string]string{"emotion-state-pg": pgtest.NewURL(t)},
	})
	base := s.HTTPEndpoint() + "/v1.0/state/emotion-state"

	resp, err := http.Post(base, "application/json", strings.NewReader(`[{"key":"k","value":{"n":1}}]`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("save: status %d", resp.StatusCode)
	}
	resp, err = http.Get(base + "/k")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ N int }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK || got.N != 1 {
		t.Errorf("get: %d %+v (%v), want 200 {n:1}", resp.StatusCode, got, err)
	}
	if resp.Header.Get("ETag") == "" {
		t.Error("no ETag on a state.postgresql v1 read")
	}

	item, err := s.Client(t).GetState(context.Background(), "emotion-state", "k", nil)
	if err != nil || item.Etag == "" || len(item.Value) == 0 {
		t.Errorf("gRPC client: %+v, %v", item, err)
	}
}

// Components scoped to other apps stay out, as in production.
func TestScopesApply(t *testing.T) {
	s := daprtest.Start(t, daprtest.Options{
		AppID:      "someone-else",
		Components: []string{daprtest.RepoFile(t, "components/emotion-state.yaml")},
	})
	resp, err := http.Get(s.HTTPEndpoint() + "/v1.0/state/emotion-state/k")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNoContent {
		t.Errorf("status %d: a component scoped to emotion-store-service served another app", resp.StatusCode)
	}
}
