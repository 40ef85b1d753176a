// Package recommend is the selection policy: which catalog items one answer
// shows for a mood, given what the user liked, disliked and was shown
// lately. It is pure — the random source comes in as an argument — so every
// rule is tested with a fixed seed, and the service around it only loads
// preferences and history and stores the new history.
package recommend

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
)

// Limits of one answer (architecture.md, GET /api/recommendations).
const (
	// DefaultLimit is the number of items per type when the caller names none.
	DefaultLimit = 3
	// MaxLimit is the most items per type one answer holds.
	MaxLimit = 10
	// HistorySize is how many recently shown items are kept and skipped.
	HistorySize = 20
	// likeBoost is the extra weight per tag an item shares with the liked
	// items: an item sharing one tag is four times as likely to be drawn as
	// an unrelated one, yet unrelated items still appear.
	likeBoost = 3.0
)

// DefaultTypes are the types of an answer when the caller names none: three
// films and three songs, as the original offered.
var DefaultTypes = []catalog.Type{catalog.Movie, catalog.Music}

// Prefs is one user's feedback: item ids they liked and disliked.
type Prefs struct {
	Liked    []string
	Disliked []string
}

// Select picks up to limit items of each type in types for mood, in the
// order of types. Rules (product.md):
//   - a disliked item is never returned;
//   - items sharing tags with liked items are drawn with more weight;
//   - items among recent (oldest first, as kept by Remember) are skipped
//     while the mood's catalog for that type has enough others, and then
//     the least recently shown come back first;
//   - otherwise the draw is weighted random, so answers vary.
//
// limit below 1 means DefaultLimit, above MaxLimit is MaxLimit; empty types
// mean DefaultTypes; repeated or unknown types are ignored (callers validate
// user input with catalog.ParseType).
func Select(c *catalog.Catalog, mood catalog.Mood, types []catalog.Type, limit int, prefs Prefs, recent []string, rnd *rand.Rand) []catalog.Item {
	limit = clampLimit(limit)
	if len(types) == 0 {
		types = DefaultTypes
	}
	disliked := make(map[string]bool, len(prefs.Disliked))
	for _, id := range prefs.Disliked {
		disliked[id] = true
	}
	likedTags := map[string]bool{}
	for _, id := range prefs.Liked {
		if it, ok := c.Item(id); ok && !disliked[id] {
			for _, tag := range it.Tags {
				likedTags[tag] = true
			}
		}
	}
	// shownAt ranks the recent window: 0 is the oldest entry still kept.
	shownAt := map[string]int{}
	for i, id := range lastN(recent, HistorySize) {
		shownAt[id] = i
	}

	var out []catalog.Item
	done := map[catalog.Type]bool{}
	for _, t := range types {
		if done[t] || !slices.Contains(catalog.Types, t) {
			continue
		}
		done[t] = true

		var fresh, seen []catalog.Item
		for _, it := range c.For(mood, t) {
			switch _, shown := shownAt[it.ID]; {
			case disliked[it.ID]:
			case shown:
				seen = append(seen, it)
			default:
				fresh = append(fresh, it)
			}
		}
		picked := draw(fresh, limit, likedTags, rnd)
		if short := limit - len(picked); short > 0 {
			slices.SortStableFunc(seen, func(a, b catalog.Item) int { return cmp.Compare(shownAt[a.ID], shownAt[b.ID]) })
			picked = append(picked, seen[:min(short, len(seen))]...)
		}
		out = append(out, picked...)
	}
	return out
}

// Remember is the history after an answer: the ids shown appended to the
// previous history, an id shown again moved to the end, the oldest dropped
// beyond HistorySize.
func Remember(recent []string, shown []catalog.Item) []string {
	again := make(map[string]bool, len(shown))
	for _, it := range shown {
		again[it.ID] = true
	}
	next := make([]string, 0, len(recent)+len(shown))
	for _, id := range recent {
		if !again[id] {
			next = append(next, id)
		}
	}
	for _, it := range shown {
		if again[it.ID] {
			next = append(next, it.ID)
			again[it.ID] = false // a type listed twice must not record an id twice
		}
	}
	return slices.Clone(lastN(next, HistorySize))
}

func clampLimit(limit int) int {
	switch {
	case limit < 1:
		return DefaultLimit
	case limit > MaxLimit:
		return MaxLimit
	default:
		return limit
	}
}

func lastN(ids []string, n int) []string {
	if len(ids) > n {
		return ids[len(ids)-n:]
	}
	return ids
}

// draw picks up to k items without replacement, each with probability
// proportional to its weight (Efraimidis–Spirakis: the k largest of
// u^(1/w)), in the order drawn.
func draw(items []catalog.Item, k int, likedTags map[string]bool, rnd *rand.Rand) []catalog.Item {
	type keyed struct {
		key float64
		it  catalog.Item
	}
	ks := make([]keyed, len(items))
	for i, it := range items {
		ks[i] = keyed{math.Pow(rnd.Float64(), 1/weight(it, likedTags)), it}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return cmp.Compare(b.key, a.key) })
	out := make([]catalog.Item, 0, min(k, len(ks)))
	for _, x := range ks[:min(k, len(ks))] {
		out = append(out, x.it)
	}
	return out
}

// weight is 1 plus likeBoost for every tag the item shares with a liked one.
func weight(it catalog.Item, likedTags map[string]bool) float64 {
	w := 1.0
	for _, tag := range it.Tags {
		if likedTags[tag] {
			w += likeBoost
		}
	}
	return w
}
