package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
	"github.com/lettertomyself/ltm/apps/recommend/internal/recommend"
)

// ModelIDPrefix starts the id of every item the external model suggested,
// so clients and feedback can tell them from catalog items.
const ModelIDPrefix = "ai-"

// MaxModelItems is the most model items one answer adds to the catalog's.
const MaxModelItems = 2

// suggested returns up to MaxModelItems model items of the requested
// types for mood, never one the user disliked. The model is asked once per
// user, mood and day (for every type); an answer waits for it at most
// ModelWait, and a later answer is kept for the next request.
func (s *Service) suggested(ctx context.Context, userID string, mood catalog.Mood, types []catalog.Type, feedback []FeedbackEntry) []Item {
	if s.opts.Suggester == nil {
		return nil
	}
	day := s.today()
	cached, err := s.store.Suggestions(ctx, userID, day)
	if err != nil {
		s.log.WarnContext(ctx, "model suggestions unreadable; answering with the catalog only", "err", err)
		return nil
	}
	items, ok := cached[mood]
	if !ok {
		items = s.askModel(ctx, userID, day, mood, feedback)
	}
	if len(types) == 0 {
		types = recommend.DefaultTypes
	}
	avoid := s.dislikedTitles(feedback)
	var out []Item
	for _, it := range items {
		if len(out) == MaxModelItems {
			break
		}
		if slices.Contains(types, it.Type) && !avoid[titleKey(it.OriginalTitle)] && !avoid[titleKey(it.TitleEn)] && !avoid[titleKey(it.TitleKo)] {
			out = append(out, Item{Item: it, Model: true})
		}
	}
	return out
}

// today is the day model suggestions are cached for (UTC).
func (s *Service) today() string { return s.clock.Now().UTC().Format(time.DateOnly) }

// askModel starts one model call for (userID, day, mood) unless one is
// running, and waits for it at most ModelWait. The call outlives the
// request (up to ModelTimeout) so a slow model still fills the cache.
func (s *Service) askModel(ctx context.Context, userID, day string, mood catalog.Mood, feedback []FeedbackEntry) []catalog.Item {
	flight := userID + "|" + day + "|" + string(mood)
	s.mu.Lock()
	if s.busy[flight] {
		s.mu.Unlock()
		return nil
	}
	s.busy[flight] = true
	s.mu.Unlock()
	done := make(chan struct{})

	var result []catalog.Item
	avoid := slices.Sorted(maps.Keys(s.dislikedTitles(feedback)))
	go func() {
		defer func() {
			s.mu.Lock()
			delete(s.busy, flight)
			s.mu.Unlock()
			close(done)
		}()
		// ctx must be the request's own context, not a pooled one (gin's)
		// that is reused once the answer is written.
		callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ModelTimeout)
		defer cancel()
		raw, err := s.opts.Suggester.Suggest(callCtx, SuggestRequest{Mood: mood, Types: catalog.Types, Avoid: avoid, Max: 4})
		if err != nil {
			// Not cached: the next request asks again.
			s.log.WarnContext(callCtx, "model suggestions failed; answering with the catalog only", "err", err)
			return
		}
		valid := s.validSuggestions(callCtx, raw, mood)
		// Cached even when nothing passed: a model whose items all break
		// the rules is not asked again for this mood until tomorrow.
		if err := s.store.SaveSuggestions(callCtx, userID, day, mood, valid); err != nil {
			s.log.WarnContext(callCtx, "model suggestions not cached", "err", err)
		}
		result = valid
	}()
	select {
	case <-done:
		return result
	case <-time.After(s.opts.ModelWait):
		return nil
	case <-ctx.Done():
		return nil
	}
}

// validSuggestions keeps the model items that have the catalog's shape and
// are not already in the catalog, gives them stable model ids and drops
// repeats.
func (s *Service) validSuggestions(ctx context.Context, raw []catalog.Item, mood catalog.Mood) []catalog.Item {
	known := map[string]bool{}
	for _, it := range s.catalog.Items() {
		for _, t := range []string{it.OriginalTitle, it.TitleEn, it.TitleKo} {
			known[string(it.Type)+"|"+titleKey(t)] = true
		}
	}
	var out []catalog.Item
	for _, it := range raw {
		it.Moods = []catalog.Mood{mood}
		// The catalog's own validation, with an id of the catalog's form
		// standing in for the model id: a suggestion must pass every
		// rule a curated item passes.
		probe := it
		probe.ID = catalogStyleID(it)
		if err := probe.Validate(); err != nil {
			s.log.InfoContext(ctx, "model suggestion refused", "err", err)
			continue
		}
		dup := false
		for _, t := range []string{it.OriginalTitle, it.TitleEn, it.TitleKo} {
			k := string(it.Type) + "|" + titleKey(t)
			dup = dup || known[k]
		}
		if dup {
			continue
		}
		for _, t := range []string{it.OriginalTitle, it.TitleEn, it.TitleKo} {
			known[string(it.Type)+"|"+titleKey(t)] = true
		}
		it.ID = modelID(it)
		out = append(out, it)
	}
	return out
}

// catalogStyleID builds an id the catalog's validation accepts for it.
func catalogStyleID(it catalog.Item) string {
	prefix := map[catalog.Type]string{catalog.Movie: "mv", catalog.Music: "mu", catalog.Book: "bk", catalog.Activity: "ac"}[it.Type]
	if it.Type == catalog.Activity {
		return prefix + "-model"
	}
	return prefix + "-model-" + strconv.Itoa(it.Year)
}

// modelID is stable for the same work, so a suggestion asked for again
// tomorrow keeps the feedback given today.
func modelID(it catalog.Item) string {
	sum := sha256.Sum256([]byte(string(it.Type) + "\x00" + titleKey(it.OriginalTitle) + "\x00" + titleKey(it.Creator)))
	return ModelIDPrefix + string(it.Type) + "-" + hex.EncodeToString(sum[:6])
}

// dislikedTitles are the normalised titles of the items userID disliked,
// so the model cannot bring one back under a new id.
func (s *Service) dislikedTitles(feedback []FeedbackEntry) map[string]bool {
	out := map[string]bool{}
	for _, f := range feedback {
		if f.Feedback != Dislike {
			continue
		}
		it, ok := s.catalog.Item(f.ItemID)
		if !ok && f.Item != nil {
			it, ok = *f.Item, true
		}
		if ok {
			for _, t := range []string{it.OriginalTitle, it.TitleEn, it.TitleKo} {
				out[titleKey(t)] = true
			}
		}
	}
	delete(out, "")
	return out
}

// titleKey compares titles without case, spaces or punctuation.
func titleKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cachedSuggestion finds itemID among the model items cached for userID
// today, under any mood.
func (s *Service) cachedSuggestion(ctx context.Context, userID, itemID string) (catalog.Item, bool, error) {
	cached, err := s.store.Suggestions(ctx, userID, s.today())
	if err != nil {
		return catalog.Item{}, false, err
	}
	for _, items := range cached {
		for _, it := range items {
			if it.ID == itemID {
				return it, true, nil
			}
		}
	}
	return catalog.Item{}, false, nil
}
