// Package statestoretest gives a test emotion-store's real state store:
// a daprd started for the test with the project's emotion-state component
// on a fresh database.
package statestoretest

import (
	"testing"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/lettertomyself/ltm/apps/platform/daprtest"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/statestore"
)

// Sidecar starts daprd as emotion-store-service with the real
// components/emotion-state.yaml pointed at a fresh database, under the
// real components/resiliency.yaml (its circuit breaker on the state store
// is part of what the store must live with).
func Sidecar(t testing.TB) *daprtest.Sidecar {
	t.Helper()
	return daprtest.Start(t, daprtest.Options{
		AppID: "emotion-store-service",
		Components: []string{
			daprtest.RepoFile(t, "components/emotion-state.yaml"),
			daprtest.RepoFile(t, "components/resiliency.yaml"),
		},
		Secrets: map[string]string{"emotion-state-pg": pgtest.NewURL(t)},
	})
}

// New returns a store talking to a fresh Sidecar.
func New(t testing.TB) *statestore.Store {
	t.Helper()
	return On(t, Sidecar(t))
}

// On returns another store on s, as a second replica of the service
// would have: it shares the documents, not the in-process locks.
func On(t testing.TB, s *daprtest.Sidecar) *statestore.Store {
	t.Helper()
	c := s.Client(t)
	return statestore.New(func() (dapr.Client, error) { return c, nil }, statestore.Name)
}
