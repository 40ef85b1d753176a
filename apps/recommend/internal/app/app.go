// Package app holds recommend-service's use cases: recommend items for the
// caller's recent mood, record and list feedback, forget a user. It calls
// the ports it declares here (the store, the mood lookup, the optional
// model) and the catalog with its selection policy; adapters implement
// the ports.
package app

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/fields"

	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
	"github.com/lettertomyself/ltm/apps/recommend/internal/recommend"
)

// Feedback is what a user said about an item.
type Feedback string

// The feedback values of POST /api/recommendations/feedback. None clears.
const (
	Like    Feedback = "like"
	Dislike Feedback = "dislike"
	None    Feedback = "none"
)

// ParseFeedback accepts like, dislike and none.
func ParseFeedback(s string) (Feedback, error) {
	switch f := Feedback(s); f {
	case Like, Dislike, None:
		return f, nil
	}
	return "", fields.New("feedback", "must be like, dislike or none")
}

// ErrContended: a document kept changing under a write for every attempt
// (many writers of one user at once); the store wraps it.
var ErrContended = errors.New("document kept changing under the write")

// ErrUnknownItem: no catalog item (nor model suggestion of the caller's
// day) has this id.
var ErrUnknownItem = errors.New("unknown item")

// FeedbackEntry is one stored feedback. Item is kept only for model
// suggestions, which the catalog cannot look up later.
type FeedbackEntry struct {
	ItemID   string
	Feedback Feedback
	At       time.Time
	Item     *catalog.Item
}

// Item is one item of an answer: from the catalog, or suggested by the
// external model (then its id starts with ModelIDPrefix).
type Item struct {
	catalog.Item
	Model bool
}

// Store keeps each user's feedback, history and the day's model
// suggestions. Writes must not lose a concurrent write.
type Store interface {
	Feedback(ctx context.Context, userID string) ([]FeedbackEntry, error)
	SetFeedback(ctx context.Context, userID string, e FeedbackEntry) error
	// History returns the ids last shown to userID, oldest first.
	History(ctx context.Context, userID string) ([]string, error)
	// Seen reads userID's feedback and history at once.
	Seen(ctx context.Context, userID string) (Seen, error)
	// UpdateHistory replaces the history with next(history); next may run
	// more than once and must depend on its argument only. from (nil: none)
	// is a read of the history just made: when nobody wrote since, the
	// history is not read again.
	UpdateHistory(ctx context.Context, userID string, from *Seen, next func([]string) []string) error
	// Suggestions returns the model's items cached for userID on day
	// (YYYY-MM-DD), by mood; a mood without an entry was not asked yet.
	Suggestions(ctx context.Context, userID, day string) (map[catalog.Mood][]catalog.Item, error)
	// SaveSuggestions caches items for (day, mood); other days' entries
	// are dropped.
	SaveSuggestions(ctx context.Context, userID, day string, mood catalog.Mood, items []catalog.Item) error
	Purge(ctx context.Context, userID string) error
}

// Seen is one read of a user's feedback and history (Store.Seen).
type Seen struct {
	Feedback []FeedbackEntry
	// History is the ids last shown, oldest first.
	History []string
	// Version is the store's version of the history read ("" when there
	// was none), for UpdateHistory.
	Version string
}

// Moods finds a user's recent mood (emotion-store-service).
type Moods interface {
	Recent(ctx context.Context, userID string) (mood, because string, err error)
}

// Suggester asks an external model for items in the catalog's shape. It
// may return anything: the answer is validated here.
type Suggester interface {
	Suggest(ctx context.Context, req SuggestRequest) ([]catalog.Item, error)
}

// SuggestRequest is what the model is told.
type SuggestRequest struct {
	Mood  catalog.Mood
	Types []catalog.Type
	// Avoid are the normalised titles of disliked items.
	Avoid []string
	Max   int
}

// Because values this service adds to emotion-store's own: the mood
// lookup failed or answered a mood the catalog does not know, so the
// answer is for neutral.
const BecauseUnavailable = "mood_unavailable"

// Options tune the model side; zero values disable it.
type Options struct {
	Suggester Suggester
	// ModelWait is how long an answer waits for a model that has not
	// answered yet; its late answer is cached for the next request.
	ModelWait time.Duration
	// ModelTimeout bounds one model call.
	ModelTimeout time.Duration
}

// Service runs the use cases.
type Service struct {
	catalog *catalog.Catalog
	store   Store
	moods   Moods
	clock   clock.Clock
	log     *slog.Logger
	opts    Options

	mu   sync.Mutex
	rng  *rand.Rand
	busy map[string]bool // model calls in flight, by user, day and mood
}

// New returns the service. rng drives the varied selection; tests pass a
// seeded one.
func New(cat *catalog.Catalog, store Store, moods Moods, clk clock.Clock, rng *rand.Rand, log *slog.Logger, opts Options) *Service {
	return &Service{catalog: cat, store: store, moods: moods, clock: clk, rng: rng, log: log, opts: opts, busy: map[string]bool{}}
}

// Query is a validated GET /api/recommendations.
type Query struct {
	Types   []catalog.Type
	PerType int
}

// Answer is what the caller sees.
type Answer struct {
	Mood    catalog.Mood
	Because string
	Items   []Item
}

// Recommend picks items for userID's recent mood and records them as shown.
// The mood lookup (another service) and the store's read run at once.
func (s *Service) Recommend(ctx context.Context, userID string, q Query) (Answer, error) {
	var (
		mood    catalog.Mood
		because string
		looked  = make(chan struct{})
	)
	go func() {
		defer close(looked)
		mood, because = s.recentMood(ctx, userID)
	}()
	seen, err := s.store.Seen(ctx, userID)
	<-looked
	if err != nil {
		return Answer{}, err
	}
	feedback, history := seen.Feedback, seen.History
	var prefs recommend.Prefs
	for _, f := range feedback {
		switch f.Feedback {
		case Like:
			prefs.Liked = append(prefs.Liked, f.ItemID)
		case Dislike:
			prefs.Disliked = append(prefs.Disliked, f.ItemID)
		}
	}
	s.mu.Lock() // *rand.Rand is not safe for concurrent use
	picked := recommend.Select(s.catalog, mood, q.Types, q.PerType, prefs, history, s.rng)
	s.mu.Unlock()

	items := make([]Item, 0, len(picked)+MaxModelItems)
	for _, it := range picked {
		items = append(items, Item{Item: it})
	}
	items = append(items, s.suggested(ctx, userID, mood, q.Types, feedback)...)

	// Only catalog items count for the history rule: model suggestions
	// change daily and are never drawn by the policy.
	// A user's own requests racing each other may exhaust the write's
	// attempts: the answer stands, only the history misses these items.
	err = s.store.UpdateHistory(ctx, userID, &seen, func(recent []string) []string { return recommend.Remember(recent, picked) })
	if errors.Is(err, ErrContended) {
		s.log.WarnContext(ctx, "history not updated: the user's requests kept racing", "err", err)
	} else if err != nil {
		return Answer{}, err
	}
	return Answer{Mood: mood, Because: because, Items: items}, nil
}

// recentMood falls back to neutral: a recommendation for no particular
// mood beats an error page when emotion-store is slow or down.
func (s *Service) recentMood(ctx context.Context, userID string) (catalog.Mood, string) {
	raw, because, err := s.moods.Recent(ctx, userID)
	if err != nil {
		s.log.WarnContext(ctx, "recent mood unavailable; recommending for neutral", "err", err)
		return catalog.Neutral, BecauseUnavailable
	}
	mood, err := catalog.ParseMood(raw)
	if err != nil {
		s.log.WarnContext(ctx, "emotion-store answered an unknown mood; recommending for neutral", "err", err)
		return catalog.Neutral, BecauseUnavailable
	}
	return mood, because
}

// SetFeedback records f on itemID for userID; None forgets it. A model
// suggestion can be rated only while it is among the caller's cached ones.
func (s *Service) SetFeedback(ctx context.Context, userID, itemID string, f Feedback) error {
	if _, err := ParseFeedback(string(f)); err != nil {
		return err
	}
	e := FeedbackEntry{ItemID: itemID, Feedback: f, At: s.clock.Now()}
	if _, ok := s.catalog.Item(itemID); !ok {
		if !strings.HasPrefix(itemID, ModelIDPrefix) {
			return ErrUnknownItem
		}
		it, ok, err := s.cachedSuggestion(ctx, userID, itemID)
		if err != nil {
			return err
		}
		if !ok && f != None {
			return ErrUnknownItem
		}
		if ok {
			e.Item = &it
		}
	}
	return s.store.SetFeedback(ctx, userID, e)
}

// Rated is one entry of GET /api/recommendations/feedback.
type Rated struct {
	Item     Item
	Feedback Feedback
	At       time.Time
}

// Feedback lists userID's likes and dislikes with their items, newest
// first. Items that left the catalog since are left out.
func (s *Service) Feedback(ctx context.Context, userID string) ([]Rated, error) {
	entries, err := s.store.Feedback(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]Rated, 0, len(entries))
	for _, e := range entries {
		if it, ok := s.catalog.Item(e.ItemID); ok {
			out = append(out, Rated{Item: Item{Item: it}, Feedback: e.Feedback, At: e.At})
		} else if e.Item != nil {
			out = append(out, Rated{Item: Item{Item: *e.Item, Model: true}, Feedback: e.Feedback, At: e.At})
		}
	}
	return out, nil
}

// Purge forgets everything about userID (user.deleted); repeating it is
// harmless.
func (s *Service) Purge(ctx context.Context, userID string) error {
	return s.store.Purge(ctx, userID)
}
