package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

func TestADeletedUsersProfileCannotChange(t *testing.T) {
	ctx := context.Background()
	store, pool := newStore(t)
	p := newProfile(t, "minji")
	id := p.Snapshot().UserID
	if _, err := store.Create(ctx, ev("user.registered", "r"), p); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Purge(ctx, ev("user.deleted", "d"), id); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Update(ctx, id, func(p profile.Profile) (profile.Profile, error) { return p, nil }); !errors.Is(err, tombstone.ErrGone) {
		t.Errorf("Update after the purge = %v, want tombstone.ErrGone", err)
	}
	if _, err := store.ChangeEmail(ctx, ev("user.email_changed", "e"), id, "x@example.com", t0); !errors.Is(err, tombstone.ErrGone) {
		t.Errorf("ChangeEmail after the purge = %v, want tombstone.ErrGone", err)
	}
	if n := count(t, pool, id); n != 0 {
		t.Fatalf("%d profiles of the deleted user", n)
	}
}

// TestRegistrationsRacingThePurgeLeaveNoProfile: user.registered (fresh
// event ids, as a republish has) races user.deleted, many times; the
// profile never outlives the purge.
func TestRegistrationsRacingThePurgeLeaveNoProfile(t *testing.T) {
	ctx := context.Background()
	store, pool := newStore(t)
	for round := 0; round < 100; round++ {
		p := newProfile(t, "minji")
		id := p.Snapshot().UserID
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := store.Create(ctx, ev("user.registered", uuid.NewString()), p); err != nil && !errors.Is(err, tombstone.ErrGone) {
					errs <- err
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := store.Purge(ctx, ev("user.deleted", uuid.NewString()), id); err != nil {
				errs <- err
			}
		}()
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := count(t, pool, id); n != 0 {
			t.Fatalf("round %d: the profile survived the purge", round)
		}
	}
}
