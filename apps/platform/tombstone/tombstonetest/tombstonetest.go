// Package tombstonetest races a user's purge against writes for that user,
// the test every service that keeps per-user data runs against its store.
package tombstonetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/tombstone"
)

// Race is one race test: Rounds times, a fresh user, Writers writers
// calling Write Writes times each, concurrently with one Purge; afterwards Left
// must report nothing of the user. A write may succeed (it went before the
// purge, which deleted it) or fail with tombstone.ErrGone (it came after);
// any other error fails the test.
type Race struct {
	Rounds  int // default 60
	Writers int // default 4
	Writes  int // per writer; default 4
	// Write is writer's i-th write for user.
	Write func(user uuid.UUID, writer, i int) error
	// Purge is the user's deletion, in round (for a round-dependent delay).
	Purge func(round int, user uuid.UUID) error
	// Left counts what survived of user.
	Left func(user uuid.UUID) (int, error)
}

// Run runs the rounds, failing t at the first error or survivor.
func (r Race) Run(t testing.TB) {
	t.Helper()
	rounds, writers, writes := r.Rounds, r.Writers, r.Writes
	if rounds <= 0 {
		rounds = 60
	}
	if writers <= 0 {
		writers = 4
	}
	if writes <= 0 {
		writes = 4
	}
	for round := range rounds {
		user := uuid.New()
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, writers+1)
		for w := range writers {
			wg.Go(func() {
				<-start
				for i := range writes {
					if err := r.Write(user, w, i); err != nil && !errors.Is(err, tombstone.ErrGone) {
						errs <- err
						return
					}
				}
			})
		}
		wg.Go(func() {
			<-start
			if err := r.Purge(round, user); err != nil {
				errs <- err
			}
		})
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("round %d: %v", round, err)
		}
		n, err := r.Left(user)
		if err != nil {
			t.Fatalf("round %d: counting what is left: %v", round, err)
		}
		if n != 0 {
			t.Fatalf("round %d: %d items of the user survived the purge", round, n)
		}
	}
}
