package daprstate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/tombstone"
	"github.com/lettertomyself/ltm/apps/platform/tombstone/tombstonetest"

	"github.com/lettertomyself/ltm/apps/recommend/internal/app"
	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
	"github.com/lettertomyself/ltm/apps/recommend/internal/daprstate"
)

func nothingOf(t *testing.T, s *daprstate.Store, user string) {
	t.Helper()
	ctx := context.Background()
	f, err1 := s.Feedback(ctx, user)
	h, err2 := s.History(ctx, user)
	sg, err3 := s.Suggestions(ctx, user, "2026-11-30")
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if len(f) != 0 || len(h) != 0 || sg != nil {
		t.Fatalf("a deleted user's documents: feedback %v, history %v, suggestions %v", f, h, sg)
	}
}

func TestADeletedUserCannotWriteAgain(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	user := uuid.NewString()
	if err := s.Purge(ctx, user); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{
		"feedback":    s.SetFeedback(ctx, user, app.FeedbackEntry{ItemID: "mv-a-2001", Feedback: app.Like, At: at}),
		"history":     s.UpdateHistory(ctx, user, nil, func([]string) []string { return []string{"mv-a-2001"} }),
		"suggestions": s.SaveSuggestions(ctx, user, "2026-11-30", catalog.Joy, nil),
	} {
		if !errors.Is(err, tombstone.ErrGone) {
			t.Errorf("%s after the purge: %v, want tombstone.ErrGone", what, err)
		}
	}
	nothingOf(t, s, user)
	if err := s.SetFeedback(ctx, uuid.NewString(), app.FeedbackEntry{ItemID: "mv-a-2001", Feedback: app.Like, At: at}); err != nil {
		t.Fatalf("another user: %v", err)
	}
}

// TestWritesRacingThePurgeLeaveNothing: writes of all three documents race
// the purge, many times; once the purge (both passes) and the writes are
// done, nothing of the user is left.
func TestWritesRacingThePurgeLeaveNothing(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	tombstonetest.Race{
		Rounds: 6, Writers: 3, Writes: 6,
		Write: func(id uuid.UUID, w, i int) error {
			user := id.String()
			var err error
			switch (w + i) % 3 {
			case 0:
				err = s.SetFeedback(ctx, user, app.FeedbackEntry{ItemID: "mv-a-2001", Feedback: app.Like, At: at})
			case 1:
				err = s.UpdateHistory(ctx, user, nil, func(h []string) []string { return append(h, "mv-a-2001") })
			default:
				err = s.SaveSuggestions(ctx, user, "2026-11-30", catalog.Joy, nil)
			}
			if errors.Is(err, app.ErrContended) {
				return nil // lost a race with another writer, not with the purge
			}
			return err
		},
		Purge: func(_ int, id uuid.UUID) error { return s.Purge(ctx, id.String()) },
		Left: func(id uuid.UUID) (int, error) {
			user := id.String()
			f, err1 := s.Feedback(ctx, user)
			h, err2 := s.History(ctx, user)
			sg, err3 := s.Suggestions(ctx, user, "2026-11-30")
			n := len(f) + len(h)
			if sg != nil {
				n++
			}
			return n, errors.Join(err1, err2, err3)
		},
	}.Run(t)
}
