package recommend_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
	"github.com/lettertomyself/ltm/apps/recommend/internal/recommend"
)

// testCatalog has, for sadness, 12 films (the first 4 tagged "jazz", the
// rest "drama"), 12 songs, 2 books and no activities; for joy, one film.
func testCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	var items []catalog.Item
	for i := range 12 {
		tag := "drama"
		if i < 4 {
			tag = "jazz"
		}
		items = append(items, item(catalog.Movie, fmt.Sprintf("mv-f%d-2000", i), tag, catalog.Sadness))
		items = append(items, item(catalog.Music, fmt.Sprintf("mu-s%d-2000", i), "ballad", catalog.Sadness))
	}
	items = append(items,
		item(catalog.Book, "bk-b0-2000", "essay", catalog.Sadness),
		item(catalog.Book, "bk-b1-2000", "essay", catalog.Sadness),
		item(catalog.Movie, "mv-j0-2000", "jazz", catalog.Joy),
	)
	c, err := catalog.New("test", items)
	if err != nil {
		t.Fatalf("catalog: %v", err)
	}
	return c
}

func item(typ catalog.Type, id, tag string, moods ...catalog.Mood) catalog.Item {
	it := catalog.Item{
		ID: id, Type: typ, Moods: moods,
		TitleKo: "제목", TitleEn: "Title", OriginalTitle: "Title",
		Creator: "Someone", Year: 2000, Tags: []string{tag},
		ReasonKo: "위로가 돼요.", ReasonEn: "It comforts.",
	}
	if typ == catalog.Activity {
		it.Creator, it.Year = "", 0
	}
	return it
}

func ids(items []catalog.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

func TestLimitsAndTypes(t *testing.T) {
	c := testCatalog(t)
	tests := []struct {
		name  string
		types []catalog.Type
		limit int
		want  []catalog.Type // the type of every returned item, in order
	}{
		{"defaults: 3 films then 3 songs", nil, 0, []catalog.Type{"movie", "movie", "movie", "music", "music", "music"}},
		{"limit per type", []catalog.Type{catalog.Music, catalog.Movie}, 2, []catalog.Type{"music", "music", "movie", "movie"}},
		{"limit above the maximum is 10", []catalog.Type{catalog.Movie}, 50, slices.Repeat([]catalog.Type{"movie"}, 10)},
		{"negative limit is the default", []catalog.Type{catalog.Movie}, -1, slices.Repeat([]catalog.Type{"movie"}, 3)},
		{"fewer items than the limit", []catalog.Type{catalog.Book}, 5, []catalog.Type{"book", "book"}},
		{"a type with nothing for the mood", []catalog.Type{catalog.Activity, catalog.Book}, 1, []catalog.Type{"book"}},
		{"a repeated type counts once", []catalog.Type{catalog.Book, catalog.Book}, 3, []catalog.Type{"book", "book"}},
		{"an unknown type is ignored", []catalog.Type{"podcast", catalog.Book}, 1, []catalog.Type{"book"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := recommend.Select(c, catalog.Sadness, tc.types, tc.limit, recommend.Prefs{}, nil, seeded(1))
			var types []catalog.Type
			for _, it := range got {
				types = append(types, it.Type)
				if !it.Suits(catalog.Sadness) {
					t.Errorf("%s does not suit sadness", it.ID)
				}
			}
			if !slices.Equal(types, tc.want) {
				t.Errorf("types = %v, want %v", types, tc.want)
			}
			if len(got) != len(slices.Compact(slices.Sorted(slices.Values(ids(got))))) {
				t.Errorf("an item twice in one answer: %v", ids(got))
			}
		})
	}
}

func TestUnknownMoodIsEmpty(t *testing.T) {
	if got := recommend.Select(testCatalog(t), "bored", nil, 3, recommend.Prefs{}, nil, seeded(1)); len(got) != 0 {
		t.Errorf("got %v for an unknown mood", ids(got))
	}
}

func TestDislikedNeverReturns(t *testing.T) {
	c := testCatalog(t)
	prefs := recommend.Prefs{Disliked: []string{"mv-f0-2000", "mv-f5-2000", "mu-s3-2000"}}
	rnd := seeded(7)
	var history []string
	for draw := range 100 {
		// Ten per type shows almost the whole catalog each time, so the
		// disliked items are skipped even once the fresh ones run out.
		got := recommend.Select(c, catalog.Sadness, nil, 10, prefs, history, rnd)
		for _, id := range ids(got) {
			if slices.Contains(prefs.Disliked, id) {
				t.Fatalf("draw %d returned disliked %s", draw, id)
			}
		}
		if len(got) != 20 {
			t.Fatalf("draw %d: %d items, want 20 (10 films and 10 songs remain)", draw, len(got))
		}
		history = recommend.Remember(history, got)
	}
}

func TestEverythingDislikedIsEmpty(t *testing.T) {
	c := testCatalog(t)
	got := recommend.Select(c, catalog.Sadness, []catalog.Type{catalog.Book}, 3,
		recommend.Prefs{Disliked: []string{"bk-b0-2000", "bk-b1-2000"}}, nil, seeded(1))
	if len(got) != 0 {
		t.Errorf("got %v, want nothing", ids(got))
	}
}

func TestLikesPullSimilarTags(t *testing.T) {
	c := testCatalog(t)
	// Liking a jazz film for joy pulls the jazz films of sadness; without
	// likes, 4 of 12 films are jazz, so a third of the picks are.
	jazzShare := func(prefs recommend.Prefs) float64 {
		rnd := seeded(3)
		jazz, total := 0, 0
		for range 2000 {
			for _, it := range recommend.Select(c, catalog.Sadness, []catalog.Type{catalog.Movie}, 1, prefs, nil, rnd) {
				total++
				if slices.Contains(it.Tags, "jazz") {
					jazz++
				}
			}
		}
		return float64(jazz) / float64(total)
	}
	plain := jazzShare(recommend.Prefs{})
	liked := jazzShare(recommend.Prefs{Liked: []string{"mv-j0-2000"}})
	t.Logf("jazz share of single picks: %.2f without likes, %.2f with a liked jazz film", plain, liked)
	if plain < 0.25 || plain > 0.42 {
		t.Errorf("without likes the jazz share is %.2f, want about 1/3", plain)
	}
	// Weight 4 against 1: 16/(16+8) = 2/3 expected.
	if liked < 0.58 {
		t.Errorf("with a liked jazz film the jazz share is %.2f, want about 2/3", liked)
	}
	// A liked item that is also disliked pulls nothing: the dislike wins.
	both := jazzShare(recommend.Prefs{Liked: []string{"mv-j0-2000"}, Disliked: []string{"mv-j0-2000"}})
	if both > 0.42 {
		t.Errorf("a liked-and-disliked item still pulls: share %.2f", both)
	}
}

func TestRecentSkippedUntilExhausted(t *testing.T) {
	c := testCatalog(t)
	rnd := seeded(11)
	films := []catalog.Type{catalog.Movie}
	var history []string
	seen := map[string]bool{}
	// 12 films, 3 per answer: the first four answers show all twelve once.
	for answer := range 4 {
		got := recommend.Select(c, catalog.Sadness, films, 3, recommend.Prefs{}, history, rnd)
		for _, id := range ids(got) {
			if seen[id] {
				t.Fatalf("answer %d repeats %s while unseen films remain", answer, id)
			}
			seen[id] = true
		}
		history = recommend.Remember(history, got)
	}
	if len(seen) != 12 {
		t.Fatalf("four answers showed %d films, want 12", len(seen))
	}
	// Now every film is recent: the least recently shown come back first.
	got := recommend.Select(c, catalog.Sadness, films, 3, recommend.Prefs{}, history, rnd)
	if want := history[:3]; !slices.Equal(ids(got), want) {
		t.Errorf("after exhaustion got %v, want the oldest shown %v", ids(got), want)
	}
}

func TestRecentPartlyExhausted(t *testing.T) {
	c := testCatalog(t)
	// Ten of twelve films are recent: the two fresh ones come first, then
	// the oldest recent one.
	var history []string
	for i := range 10 {
		history = append(history, fmt.Sprintf("mv-f%d-2000", i))
	}
	got := ids(recommend.Select(c, catalog.Sadness, []catalog.Type{catalog.Movie}, 3, recommend.Prefs{}, history, seeded(5)))
	fresh := got[:2]
	slices.Sort(fresh)
	if !slices.Equal(fresh, []string{"mv-f10-2000", "mv-f11-2000"}) || got[2] != "mv-f0-2000" {
		t.Errorf("got %v, want the two fresh films then mv-f0-2000", got)
	}
}

func TestOnlyTheLastTwentyCount(t *testing.T) {
	c := testCatalog(t)
	// Films shown before the last 20 entries are fresh again.
	history := []string{"mv-f0-2000", "mv-f1-2000"}
	for i := range 20 {
		history = append(history, fmt.Sprintf("ac-other-%d", i))
	}
	counts := map[string]int{}
	rnd := seeded(9)
	for range 200 {
		for _, id := range ids(recommend.Select(c, catalog.Sadness, []catalog.Type{catalog.Movie}, 3, recommend.Prefs{}, history, rnd)) {
			counts[id]++
		}
	}
	if counts["mv-f0-2000"] == 0 || counts["mv-f1-2000"] == 0 {
		t.Errorf("films older than the last 20 never came back: %v", counts)
	}
}

func TestVariety(t *testing.T) {
	c := testCatalog(t)
	rnd := seeded(13)
	// Even without history, two consecutive answers differ.
	a := ids(recommend.Select(c, catalog.Sadness, nil, 3, recommend.Prefs{}, nil, rnd))
	b := ids(recommend.Select(c, catalog.Sadness, nil, 3, recommend.Prefs{}, nil, rnd))
	if slices.Equal(a, b) {
		t.Errorf("two answers in a row were both %v", a)
	}
	// Over many answers every film turns up.
	counts := map[string]int{}
	for range 500 {
		for _, id := range ids(recommend.Select(c, catalog.Sadness, []catalog.Type{catalog.Movie}, 3, recommend.Prefs{}, nil, rnd)) {
			counts[id]++
		}
	}
	if len(counts) != 12 {
		t.Errorf("500 answers showed %d of 12 films: %v", len(counts), counts)
	}
}

func TestSameSeedSameAnswer(t *testing.T) {
	c := testCatalog(t)
	a := recommend.Select(c, catalog.Sadness, nil, 3, recommend.Prefs{}, nil, seeded(21))
	b := recommend.Select(c, catalog.Sadness, nil, 3, recommend.Prefs{}, nil, seeded(21))
	if !slices.Equal(ids(a), ids(b)) {
		t.Errorf("the same seed gave %v and %v", ids(a), ids(b))
	}
}

func TestRemember(t *testing.T) {
	c := testCatalog(t)
	get := func(idList ...string) []catalog.Item {
		var out []catalog.Item
		for _, id := range idList {
			it, ok := c.Item(id)
			if !ok {
				t.Fatalf("no item %s", id)
			}
			out = append(out, it)
		}
		return out
	}
	many := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("x%d", i))
		}
		return out
	}
	tests := []struct {
		name   string
		recent []string
		shown  []catalog.Item
		want   []string
	}{
		{"first answer", nil, get("mv-f0-2000", "mu-s0-2000"), []string{"mv-f0-2000", "mu-s0-2000"}},
		{"appended after the old", []string{"a", "b"}, get("mv-f0-2000"), []string{"a", "b", "mv-f0-2000"}},
		{"shown again moves to the end", []string{"mv-f0-2000", "b"}, get("mv-f0-2000"), []string{"b", "mv-f0-2000"}},
		{"the same id twice in one answer counts once", nil, get("mv-f0-2000", "mv-f0-2000"), []string{"mv-f0-2000"}},
		{"nothing shown", []string{"a"}, nil, []string{"a"}},
		{"oldest dropped beyond 20", many(20), get("mv-f0-2000", "mv-f1-2000"), append(many(20)[2:], "mv-f0-2000", "mv-f1-2000")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := slices.Clone(tc.recent)
			got := recommend.Remember(tc.recent, tc.shown)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Remember = %v, want %v", got, tc.want)
			}
			if !slices.Equal(tc.recent, before) {
				t.Errorf("Remember changed its input: %v", tc.recent)
			}
			if len(got) > recommend.HistorySize {
				t.Errorf("history of %d", len(got))
			}
		})
	}
}

// TestShippedCatalog runs the policy over the embedded catalog: every mood
// fills the default answer, and with the history kept, the next answer
// repeats nothing from the one before.
func TestShippedCatalog(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	rnd := seeded(17)
	for _, mood := range catalog.Moods {
		var history []string
		first := recommend.Select(c, mood, nil, 0, recommend.Prefs{}, history, rnd)
		if len(first) != 6 {
			t.Fatalf("%s: %d items, want 3 films and 3 songs", mood, len(first))
		}
		history = recommend.Remember(history, first)
		second := recommend.Select(c, mood, nil, 0, recommend.Prefs{}, history, rnd)
		for _, id := range ids(second) {
			if slices.Contains(ids(first), id) {
				t.Errorf("%s: %s shown twice in a row", mood, id)
			}
		}
	}
}
