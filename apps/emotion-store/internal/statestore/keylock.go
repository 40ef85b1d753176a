package statestore

import (
	"context"
	"sync"
)

// keyLocks serialises this process's writers per document. ETag
// conflicts stay correct but are not free: every lost race is a failed
// state call, and the sidecar's circuit breaker on the state store counts
// failed calls of every kind (components/resiliency.yaml: more than 10 in
// a row open it for every user). Writers in one process therefore queue
// instead of racing; only replicas still race each other.
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	ch    chan struct{} // holds a token while the key is locked
	users int           // holders and waiters, to free idle keys
}

// lock waits for key (or ctx) and returns the unlock function.
func (k *keyLocks) lock(ctx context.Context, key string) (func(), error) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyLock{ch: make(chan struct{}, 1)}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()

	release := func() {
		k.mu.Lock()
		l.users--
		if l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}
