package daprstate_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprtest"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/recommend/internal/app"
	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
	"github.com/lettertomyself/ltm/apps/recommend/internal/daprstate"
)

// newStore starts a real daprd with the project's recommend-state
// component (and extra resources, such as the resiliency policy) on a
// fresh database and returns a store talking to it.
func newStore(t *testing.T, extra ...string) *daprstate.Store {
	t.Helper()
	url := pgtest.NewURL(t) // dropped after daprd stops (cleanups run in reverse)
	components := []string{daprtest.RepoFile(t, "components/recommend-state.yaml")}
	for _, e := range extra {
		components = append(components, daprtest.RepoFile(t, e))
	}
	sc := daprtest.Start(t, daprtest.Options{
		AppID:      "recommend-service",
		Components: components,
		Secrets:    map[string]string{"recommend-state-pg": url},
	})
	c, err := dapr.NewClientWithAddress(fmt.Sprintf("127.0.0.1:%d", sc.GRPCPort))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return daprstate.New(daprstate.StoreName, func() (daprstate.Client, error) { return c, nil })
}

var at = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func TestFeedbackIsPerUserAndNoneClears(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	alice, bob := uuid.NewString(), uuid.NewString()

	for i, e := range []app.FeedbackEntry{
		{ItemID: "mv-a-2001", Feedback: app.Like, At: at},
		{ItemID: "mu-b-1999", Feedback: app.Dislike, At: at.Add(time.Minute)},
		{ItemID: "bk-c-1950", Feedback: app.Like, At: at.Add(2 * time.Minute)},
		{ItemID: "bk-c-1950", Feedback: app.None, At: at.Add(3 * time.Minute)},
	} {
		if err := s.SetFeedback(ctx, alice, e); err != nil {
			t.Fatalf("set %d: %v", i, err)
		}
	}
	got, err := s.Feedback(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	want := []app.FeedbackEntry{
		{ItemID: "mu-b-1999", Feedback: app.Dislike, At: at.Add(time.Minute)},
		{ItemID: "mv-a-2001", Feedback: app.Like, At: at},
	}
	if !slices.EqualFunc(got, want, func(a, b app.FeedbackEntry) bool {
		return a.ItemID == b.ItemID && a.Feedback == b.Feedback && a.At.Equal(b.At) && a.Item == nil
	}) {
		t.Errorf("alice's feedback = %+v, want %+v (newest first, the cleared one gone)", got, want)
	}
	if other, err := s.Feedback(ctx, bob); err != nil || len(other) != 0 {
		t.Errorf("bob's feedback = %+v, %v; want none", other, err)
	}
}

func TestModelItemIsKeptWithItsFeedback(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	user := uuid.NewString()
	it := catalog.Item{ID: "ai-music-0123456789ab", Type: catalog.Music, TitleKo: "노래", TitleEn: "Song", OriginalTitle: "Song", Creator: "Someone", Year: 2001, Tags: []string{"calm"}}
	if err := s.SetFeedback(ctx, user, app.FeedbackEntry{ItemID: it.ID, Feedback: app.Dislike, At: at, Item: &it}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Feedback(ctx, user)
	if err != nil || len(got) != 1 || got[0].Item == nil || got[0].Item.TitleKo != "노래" || got[0].Item.Year != 2001 {
		t.Fatalf("feedback = %+v, %v; want the model item kept", got, err)
	}
}

// Twelve writers on one user's document: every write must land,
// including the first ones that race to create the document.
func TestConcurrentFeedbacksAllLand(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	user := uuid.NewString()
	const writers = 12
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	start := make(chan struct{})
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- s.SetFeedback(ctx, user, app.FeedbackEntry{ItemID: "mv-item-" + strconv.Itoa(i), Feedback: app.Like, At: at})
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a concurrent feedback failed: %v", err)
		}
	}
	got, err := s.Feedback(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers {
		t.Errorf("%d feedbacks stored, want %d: a concurrent write was lost", len(got), writers)
	}
}

// Two feedbacks at the same moment, as a user double-clicking would send
// them, under the production resiliency policy: daprd retries a racing
// first insert itself before the store sees the failure, and both land.
func TestTwoSimultaneousFeedbacksLandUnderTheResiliencyPolicy(t *testing.T) {
	s := newStore(t, "components/resiliency.yaml")
	ctx := context.Background()
	user := uuid.NewString()
	for round := range 2 { // a new document, then an existing one
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				id := fmt.Sprintf("mv-round-%d-item-%d", round, i)
				if err := s.SetFeedback(ctx, user, app.FeedbackEntry{ItemID: id, Feedback: app.Dislike, At: at}); err != nil {
					t.Errorf("%s: %v", id, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		got, err := s.Feedback(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2*(round+1) {
			t.Errorf("round %d: %d feedbacks stored, want %d", round, len(got), 2*(round+1))
		}
	}
}

func TestConcurrentHistoryUpdatesAllLand(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	user := uuid.NewString()
	const writers = 8
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.UpdateHistory(ctx, user, nil, func(h []string) []string { return append(h, "id-"+strconv.Itoa(i)) })
			if err != nil {
				t.Errorf("update %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	got, err := s.History(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if len(got) != writers || len(slices.Compact(got)) != writers {
		t.Errorf("history = %v, want %d distinct ids", got, writers)
	}
}

// Seen reads feedback and history at once; an update of the history from
// that read lands as it is, and one from a read gone stale (a concurrent
// recommendation wrote since) is applied to the newer history instead of
// overwriting it.
func TestSeenAndUpdatesFromIt(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	user := uuid.NewString()

	first, err := s.Seen(ctx, user)
	if err != nil || len(first.Feedback) != 0 || len(first.History) != 0 || first.Version != "" {
		t.Fatalf("a new user: %+v, %v", first, err)
	}
	if err := s.SetFeedback(ctx, user, app.FeedbackEntry{ItemID: "mv-a-2001", Feedback: app.Like, At: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateHistory(ctx, user, &first, func(h []string) []string { return append(h, "one") }); err != nil {
		t.Fatalf("update from a read of nothing: %v", err)
	}
	seen, err := s.Seen(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen.Feedback) != 1 || seen.Feedback[0].ItemID != "mv-a-2001" || seen.Feedback[0].Feedback != app.Like ||
		!slices.Equal(seen.History, []string{"one"}) || seen.Version == "" {
		t.Fatalf("Seen = %+v", seen)
	}
	// Another request writes after this read; the update from it must
	// keep that write.
	if err := s.UpdateHistory(ctx, user, nil, func(h []string) []string { return append(h, "two") }); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateHistory(ctx, user, &seen, func(h []string) []string { return append(h, "three") }); err != nil {
		t.Fatalf("update from a stale read: %v", err)
	}
	if got, _ := s.History(ctx, user); !slices.Equal(got, []string{"one", "two", "three"}) {
		t.Errorf("history = %v, want one, two, three", got)
	}
}

func TestSuggestionsAreKeptForOneDay(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	user := uuid.NewString()
	if got, err := s.Suggestions(ctx, user, "2026-11-30"); err != nil || got != nil {
		t.Fatalf("before any: %v, %v", got, err)
	}
	song := catalog.Item{ID: "ai-music-1", Type: catalog.Music, TitleEn: "Song"}
	if err := s.SaveSuggestions(ctx, user, "2026-11-30", catalog.Sadness, []catalog.Item{song}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSuggestions(ctx, user, "2026-11-30", catalog.Joy, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.Suggestions(ctx, user, "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	if items, ok := got[catalog.Sadness]; !ok || len(items) != 1 || items[0].TitleEn != "Song" {
		t.Errorf("sadness = %+v, %v", items, ok)
	}
	if items, ok := got[catalog.Joy]; !ok || len(items) != 0 {
		t.Errorf("joy = %+v, %v; want asked and empty", items, ok)
	}
	if got, err := s.Suggestions(ctx, user, "2026-12-01"); err != nil || got != nil {
		t.Errorf("next day = %v, %v; want nothing", got, err)
	}
	if err := s.SaveSuggestions(ctx, user, "2026-12-01", catalog.Love, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Suggestions(ctx, user, "2026-11-30"); got != nil {
		t.Errorf("the previous day survived a new day's save: %v", got)
	}
}

func TestPurgeForgetsEverythingAndIsIdempotent(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	gone, kept := uuid.NewString(), uuid.NewString()
	for _, u := range []string{gone, kept} {
		if err := s.SetFeedback(ctx, u, app.FeedbackEntry{ItemID: "mv-a-2001", Feedback: app.Like, At: at}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateHistory(ctx, u, nil, func([]string) []string { return []string{"mv-a-2001"} }); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveSuggestions(ctx, u, "2026-11-30", catalog.Joy, nil); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := s.Purge(ctx, gone); err != nil {
			t.Fatalf("purge: %v", err)
		}
	}
	f, _ := s.Feedback(ctx, gone)
	h, _ := s.History(ctx, gone)
	sg, _ := s.Suggestions(ctx, gone, "2026-11-30")
	if len(f) != 0 || len(h) != 0 || sg != nil {
		t.Errorf("after purge: feedback %v, history %v, suggestions %v", f, h, sg)
	}
	// A deleted user is not read for a recommendation, and a history
	// write from a read made before the deletion does not land.
	if _, err := s.Seen(ctx, gone); !errors.Is(err, tombstone.ErrGone) {
		t.Errorf("Seen of a deleted user: %v, want tombstone.ErrGone", err)
	}
	f, _ = s.Feedback(ctx, kept)
	h, _ = s.History(ctx, kept)
	sg, _ = s.Suggestions(ctx, kept, "2026-11-30")
	if len(f) != 1 || len(h) != 1 || sg == nil {
		t.Errorf("another user's data went too: feedback %v, history %v, suggestions %v", f, h, sg)
	}
}
