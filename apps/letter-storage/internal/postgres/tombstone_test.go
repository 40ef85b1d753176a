package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/tombstone"
	"github.com/lettertomyself/ltm/apps/platform/tombstone/tombstonetest"

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
	tombstonetest.Race{
		Write: func(user uuid.UUID, _, _ int) error {
			img, _ := image.New(uuid.NewString(), user.String(), image.PNG, 10, sha, t0)
			return s.Create(ctx, img, noQuota)
		},
		Purge: func(_ int, user uuid.UUID) error {
			_, err := s.Purge(ctx, image.Selection{UserID: user.String()}, t0)
			return err
		},
		Left: func(user uuid.UUID) (int, error) {
			imgs, err := s.Purge(ctx, image.Selection{UserID: user.String()}, t0)
			return len(imgs), err
		},
	}.Run(t)
}
