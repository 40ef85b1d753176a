package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/letter-storage/internal/image"
	"github.com/lettertomyself/ltm/apps/letter-storage/internal/postgres"
)

func purgeUser(t *testing.T, s *postgres.Store, user string) {
	t.Helper()
	if _, err := s.Purge(context.Background(), image.Selection{UserID: user}, t0); err != nil {
		t.Fatal(err)
	}
}

func TestADeletedUserCannotUploadAgain(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	alice := uuid.NewString()
	img := add(t, s, alice, t0)
	purgeUser(t, s, alice)

	again, _ := image.New(uuid.NewString(), alice, image.PNG, 10, sha, t0)
	if err := s.Create(ctx, again, noQuota); !errors.Is(err, tombstone.ErrGone) {
		t.Fatalf("Create after the purge = %v, want tombstone.ErrGone", err)
	}
	if _, err := s.SetAvatar(ctx, alice, new(img.ID()), t0); !errors.Is(err, tombstone.ErrGone) {
		t.Fatalf("SetAvatar after the purge = %v, want tombstone.ErrGone", err)
	}
	if _, err := s.Get(ctx, alice, img.ID()); !errors.Is(err, image.ErrNotFound) {
		t.Fatalf("the purged image: %v", err)
	}
	add(t, s, uuid.NewString(), t0) // others still upload
}

// TestUploadsRacingThePurgeLeaveNoRow: uploads race the user's purge many
// times; no row of the user survives (the objects of rows that were
// purged are doomed; the service test checks the bucket).
func TestUploadsRacingThePurgeLeaveNoRow(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for round := 0; round < 60; round++ {
		user := uuid.NewString()
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := 0; i < 4; i++ {
					img, _ := image.New(uuid.NewString(), user, image.PNG, 10, sha, t0)
					if err := s.Create(ctx, img, noQuota); err != nil && !errors.Is(err, tombstone.ErrGone) {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := s.Purge(ctx, image.Selection{UserID: user}, t0); err != nil {
				errs <- err
			}
		}()
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if imgs, err := s.Purge(ctx, image.Selection{UserID: user}, t0); err != nil || len(imgs) != 0 {
			t.Fatalf("round %d: %d images survived the purge (%v)", round, len(imgs), err)
		}
	}
}
