package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/delivery"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/letter-storage/internal/image"
	"github.com/lettertomyself/ltm/apps/letter-storage/internal/postgres"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

var noQuota = image.Limits{MaxBytes: 5 << 20}

func newStore(t *testing.T) *postgres.Store {
	t.Helper()
	return postgres.New(pgtest.New(t, service.Migrations(postgres.Migrations())...))
}

// sha is a SHA-256 in hex; the store keeps it, never checks it.
var sha = strings.Repeat("ab", 32)

func add(t *testing.T, s *postgres.Store, user string, created time.Time) image.Image {
	t.Helper()
	id := uuid.NewString()
	img, err := image.New(id, user, image.PNG, 10, sha, created)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(context.Background(), img, noQuota); err != nil {
		t.Fatal(err)
	}
	return img
}

func TestCreateGet(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	alice, bob := uuid.NewString(), uuid.NewString()
	img := add(t, s, alice, t0)

	got, err := s.Get(ctx, alice, img.ID())
	if err != nil {
		t.Fatal(err)
	}
	if got != img {
		t.Fatalf("Get = %+v, want %+v", got, img)
	}
	if _, err := s.Get(ctx, bob, img.ID()); !errors.Is(err, image.ErrNotFound) {
		t.Fatalf("another user's Get = %v, want ErrNotFound", err)
	}
}

func TestQuotaHoldsUnderConcurrentUploads(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	user := uuid.NewString()
	limits := image.Limits{MaxBytes: 100, QuotaImages: 3, QuotaBytes: 1 << 20}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for range 8 {
		wg.Go(func() {
			id := uuid.NewString()
			img, err := image.New(id, user, image.PNG, 10, sha, t0)
			if err == nil {
				err = s.Create(ctx, img, limits)
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, image.ErrQuotaExceeded):
				refused++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok != 3 || refused != 5 {
		t.Fatalf("stored %d, refused %d; want 3 and 5", ok, refused)
	}
}

func TestAttach(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	alice, bob := uuid.NewString(), uuid.NewString()
	letter, other := uuid.NewString(), uuid.NewString()
	openAt := t0.Add(24 * time.Hour)
	a1, a2 := add(t, s, alice, t0), add(t, s, alice, t0)
	b1 := add(t, s, bob, t0)
	taken := add(t, s, alice, t0)
	if err := s.Attach(ctx, alice, other, []string{taken.ID()}, openAt); err != nil {
		t.Fatal(err)
	}

	var ae *image.AttachError
	err := s.Attach(ctx, alice, letter, []string{a1.ID(), b1.ID(), taken.ID(), uuid.NewString()}, openAt)
	if !errors.As(err, &ae) {
		t.Fatalf("Attach = %v, want *AttachError", err)
	}
	if len(ae.Reasons) != 3 || ae.Reasons[b1.ID()] != image.ReasonNotFound || ae.Reasons[taken.ID()] != image.ReasonOtherLetter {
		t.Fatalf("reasons = %v", ae.Reasons)
	}
	if got, _ := s.Get(ctx, alice, a1.ID()); got.Attached() {
		t.Fatal("a refused attach attached an image anyway")
	}

	if err := s.Attach(ctx, alice, letter, []string{a1.ID(), a2.ID()}, openAt); err != nil {
		t.Fatal(err)
	}
	if err := s.Attach(ctx, alice, letter, []string{a1.ID(), a2.ID()}, openAt); err != nil {
		t.Fatalf("retrying the same attach: %v", err)
	}
	got, _ := s.Get(ctx, alice, a2.ID())
	if got.LetterID() != letter || !got.OpenAt().Equal(openAt) {
		t.Fatalf("after attach: %+v", got)
	}
}

func TestConcurrentAttachOneWinner(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	user := uuid.NewString()
	for round := range 5 {
		img := add(t, s, user, t0)
		letters := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
		errs := make([]error, len(letters))
		var wg sync.WaitGroup
		for i, l := range letters {
			wg.Go(func() { errs[i] = s.Attach(ctx, user, l, []string{img.ID()}, t0) })
		}
		wg.Wait()
		wins := 0
		winner := ""
		for i, err := range errs {
			var ae *image.AttachError
			switch {
			case err == nil:
				wins++
				winner = letters[i]
			case errors.As(err, &ae) && ae.Reasons[img.ID()] == image.ReasonOtherLetter:
			default:
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		got, _ := s.Get(ctx, user, img.ID())
		if wins != 1 || got.LetterID() != winner {
			t.Fatalf("round %d: %d winners, row letter %s, winner %s", round, wins, got.LetterID(), winner)
		}
	}
}

func TestDetach(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	user, letter := uuid.NewString(), uuid.NewString()
	img := add(t, s, user, t0)
	if err := s.Attach(ctx, user, letter, []string{img.ID()}, t0); err != nil {
		t.Fatal(err)
	}
	n, err := s.Detach(ctx, letter)
	if err != nil || n != 1 {
		t.Fatalf("Detach = %d, %v", n, err)
	}
	got, _ := s.Get(ctx, user, img.ID())
	if got.Attached() || !got.OpenAt().IsZero() {
		t.Fatalf("still attached: %+v", got)
	}
	if err := s.Attach(ctx, user, uuid.NewString(), []string{img.ID()}, t0); err != nil {
		t.Fatalf("a detached image must be attachable again: %v", err)
	}
}

func keys(imgs []image.Image) map[string]bool {
	m := map[string]bool{}
	for _, i := range imgs {
		m[i.ID()] = true
	}
	return m
}

func TestPurgeSweepSelection(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	user := uuid.NewString()
	cutoff := t0.Add(-24 * time.Hour)
	old1 := add(t, s, user, cutoff.Add(-time.Hour))
	old2 := add(t, s, user, cutoff.Add(-time.Minute))
	fresh := add(t, s, user, cutoff.Add(time.Minute))
	oldAttached := add(t, s, user, cutoff.Add(-time.Hour))
	if err := s.Attach(ctx, user, uuid.NewString(), []string{oldAttached.ID()}, t0); err != nil {
		t.Fatal(err)
	}

	removed, err := s.Purge(ctx, image.Selection{UnattachedBefore: cutoff, Limit: 100, SkipLocked: true}, t0)
	if err != nil || len(removed) != 2 {
		t.Fatalf("Purge = %d, %v", len(removed), err)
	}
	if got := keys(removed); !got[old1.ID()] || !got[old2.ID()] {
		t.Fatalf("removed %v, want the two old unattached ones", got)
	}
	for _, img := range []image.Image{fresh, oldAttached} {
		if _, err := s.Get(ctx, user, img.ID()); err != nil {
			t.Fatalf("%s should remain: %v", img.ID(), err)
		}
	}
	if _, err := s.Get(ctx, user, old1.ID()); !errors.Is(err, image.ErrNotFound) {
		t.Fatalf("old1 still there: %v", err)
	}
}

// Rows go with their objects recorded as doomed, in one transaction; the
// objects are deleted outside it and forgotten once gone, and whatever is
// not confirmed stays listed for the sweep.
func TestPurgeDoomsObjectsUntilForgotten(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	user := uuid.NewString()
	a, b := add(t, s, user, t0), add(t, s, user, t0)
	gone, err := s.Purge(ctx, image.Selection{UserID: user}, t0)
	if err != nil || len(gone) != 2 {
		t.Fatalf("Purge = %d, %v", len(gone), err)
	}
	if _, err := s.Get(ctx, user, a.ID()); !errors.Is(err, image.ErrNotFound) {
		t.Fatalf("row still there after its purge: %v", err)
	}
	if keys, err := s.Doomed(ctx, t0, 10); err != nil || len(keys) != 0 {
		t.Fatalf("doomed before the purge's time = %v, %v, want none", keys, err)
	}
	keys, err := s.Doomed(ctx, t0.Add(time.Second), 10)
	if err != nil || len(keys) != 2 {
		t.Fatalf("doomed = %v, %v, want both objects", keys, err)
	}
	if err := s.Forget(ctx, []string{a.ObjectKey()}); err != nil {
		t.Fatal(err)
	}
	if keys, _ := s.Doomed(ctx, t0.Add(time.Second), 10); len(keys) != 1 || keys[0] != b.ObjectKey() {
		t.Fatalf("after forgetting one: %v, want only %s", keys, b.ObjectKey())
	}
}

func TestPurgeLetterAndUser(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	alice, bob := uuid.NewString(), uuid.NewString()
	letter := uuid.NewString()
	l1, l2 := add(t, s, alice, t0), add(t, s, alice, t0)
	loose := add(t, s, alice, t0)
	bobs := add(t, s, bob, t0)
	if err := s.Attach(ctx, alice, letter, []string{l1.ID(), l2.ID()}, t0); err != nil {
		t.Fatal(err)
	}
	ref, _ := delivery.New("test", "ev-1")
	claim := &ref

	gone, err := s.Purge(ctx, image.Selection{LetterID: letter, Claim: claim}, t0)
	if err != nil || len(gone) != 2 {
		t.Fatalf("letter purge = %d, %v", len(gone), err)
	}
	if _, err := s.Get(ctx, alice, loose.ID()); err != nil {
		t.Fatalf("unattached image went with the letter: %v", err)
	}
	// The same event again changes nothing, even if rows appeared since.
	if err := s.Attach(ctx, alice, letter, []string{loose.ID()}, t0); err != nil {
		t.Fatal(err)
	}
	if gone, err := s.Purge(ctx, image.Selection{LetterID: letter, Claim: claim}, t0); err != nil || len(gone) != 0 {
		t.Fatalf("replayed event purged %d, %v", len(gone), err)
	}

	gone, err = s.Purge(ctx, image.Selection{UserID: alice, Limit: 100}, t0)
	if err != nil || len(gone) != 1 {
		t.Fatalf("user purge = %d, %v", len(gone), err)
	}
	if _, err := s.Get(ctx, bob, bobs.ID()); err != nil {
		t.Fatalf("another user's image went: %v", err)
	}
}
