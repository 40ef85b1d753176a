package daprstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/recommend/internal/app"
	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
)

// feedbackDoc is one user's likes and dislikes by item id.
type feedbackDoc struct {
	Items map[string]feedbackEntry `json:"items"`
}

type feedbackEntry struct {
	Feedback string    `json:"feedback"`
	At       time.Time `json:"at"`
	// Item is a model suggestion's content: the catalog cannot look it up.
	Item *catalog.Item `json:"item,omitempty"`
}

// historyDoc lists the ids last shown to a user, oldest first.
type historyDoc struct {
	Shown []string `json:"shown"`
}

// Feedback returns userID's likes and dislikes, newest first.
func (s *Store) Feedback(ctx context.Context, userID string) ([]app.FeedbackEntry, error) {
	doc, _, err := read[feedbackDoc](ctx, s, feedbackKey(userID))
	if err != nil {
		return nil, err
	}
	return doc.entries(), nil
}

// entries are the document's, newest first.
func (doc feedbackDoc) entries() []app.FeedbackEntry {
	out := make([]app.FeedbackEntry, 0, len(doc.Items))
	for id, e := range doc.Items {
		out = append(out, app.FeedbackEntry{ItemID: id, Feedback: app.Feedback(e.Feedback), At: e.At, Item: e.Item})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.After(out[j].At)
		}
		return out[i].ItemID < out[j].ItemID
	})
	return out
}

// SetFeedback records e; app.None forgets the item.
func (s *Store) SetFeedback(ctx context.Context, userID string, e app.FeedbackEntry) error {
	return update(ctx, s, userID, feedbackKey(userID), func(doc *feedbackDoc) {
		if e.Feedback == app.None {
			delete(doc.Items, e.ItemID)
			return
		}
		if doc.Items == nil {
			doc.Items = map[string]feedbackEntry{}
		}
		doc.Items[e.ItemID] = feedbackEntry{Feedback: string(e.Feedback), At: e.At.UTC(), Item: e.Item}
	})
}

// History returns the ids last shown to userID, oldest first.
func (s *Store) History(ctx context.Context, userID string) ([]string, error) {
	doc, _, err := read[historyDoc](ctx, s, historyKey(userID))
	return doc.Shown, err
}

// Seen reads userID's feedback, history and tombstone in one call (one
// query of the state store); tombstone.ErrGone for a deleted user.
func (s *Store) Seen(ctx context.Context, userID string) (app.Seen, error) {
	c, err := s.client()
	if err != nil {
		return app.Seen{}, err
	}
	fk, hk, tk := feedbackKey(userID), historyKey(userID), tombstone.Key(userID)
	items, err := c.GetBulkState(ctx, s.name, []string{fk, hk, tk}, nil, 1)
	if err != nil {
		return app.Seen{}, fmt.Errorf("get %s, %s: %w", fk, hk, err)
	}
	var (
		fb   feedbackDoc
		hist historyDoc
		out  app.Seen
	)
	for _, it := range items {
		if it.Error != "" {
			return app.Seen{}, fmt.Errorf("get %s: %s", it.Key, it.Error)
		}
		if len(it.Value) == 0 {
			continue
		}
		switch it.Key {
		case fk:
			err = json.Unmarshal(it.Value, &fb)
		case hk:
			err = json.Unmarshal(it.Value, &hist)
			out.Version = it.Etag
		case tk:
			return app.Seen{}, tombstone.ErrGone
		default:
			err = errors.New("not asked for")
		}
		if err != nil {
			return app.Seen{}, fmt.Errorf("get %s: decode: %w", it.Key, err)
		}
	}
	out.Feedback, out.History = fb.entries(), hist.Shown
	return out, nil
}

// UpdateHistory replaces userID's history with next(history), starting
// from the read from when there is one (which must come from Seen: it
// checked the tombstone).
func (s *Store) UpdateHistory(ctx context.Context, userID string, from *app.Seen, next func([]string) []string) error {
	key := historyKey(userID)
	change := func(doc *historyDoc) { doc.Shown = next(slices.Clone(doc.Shown)) }
	if from == nil {
		return update(ctx, s, userID, key, change)
	}
	read := &dapr.StateItem{Key: key, Etag: from.Version}
	if from.Version != "" {
		data, err := json.Marshal(historyDoc{Shown: from.History})
		if err != nil {
			return err
		}
		read.Value = data
	}
	return updateFrom(ctx, s, userID, key, read, change)
}

// suggestionsDoc holds one day's model suggestions by mood.
type suggestionsDoc struct {
	Day    string                          `json:"day"`
	ByMood map[catalog.Mood][]catalog.Item `json:"by_mood"`
}

// Suggestions returns the model items cached for userID on day.
func (s *Store) Suggestions(ctx context.Context, userID, day string) (map[catalog.Mood][]catalog.Item, error) {
	doc, _, err := read[suggestionsDoc](ctx, s, suggestionsKey(userID))
	if err != nil || doc.Day != day {
		return nil, err
	}
	return doc.ByMood, nil
}

// SaveSuggestions caches items for (day, mood), dropping other days.
func (s *Store) SaveSuggestions(ctx context.Context, userID, day string, mood catalog.Mood, items []catalog.Item) error {
	if items == nil {
		items = []catalog.Item{} // "asked, nothing usable" differs from "not asked"
	}
	return update(ctx, s, userID, suggestionsKey(userID), func(doc *suggestionsDoc) {
		if doc.Day != day || doc.ByMood == nil {
			*doc = suggestionsDoc{Day: day, ByMood: map[catalog.Mood][]catalog.Item{}}
		}
		doc.ByMood[mood] = items
	})
}
