package throttle

import (
	"context"
	"sync"
)

// MemoryStore is a Store in process memory for the Throttler's tests; the
// service uses the Postgres store, shared by replicas and kept across
// restarts.
type MemoryStore struct {
	mu     sync.Mutex
	states map[string]State
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{states: map[string]State{}} }

// Get returns the state of key.
func (m *MemoryStore) Get(_ context.Context, key string) (State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.states[key], nil
}

// Update applies fn to the state of key.
func (m *MemoryStore) Update(_ context.Context, key string, fn func(State) State) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.states[key] = fn(m.states[key])
	return nil
}

// Delete forgets key.
func (m *MemoryStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.states, key)
	return nil
}
