// Package emotion is emotion-store-service's domain: each letter's latest
// analysis, the per-user record that folds analysis events idempotently,
// the statistics read from it (summary, timeline, recent mood), comfort
// messages and re-analysis jobs, with the ports the service needs.
package emotion

import (
	"errors"
	"fmt"
)

// Mood is one of the six moods, as its English wire key.
type Mood string

// The six moods, in the order every response lists them.
const (
	Joy     Mood = "joy"
	Sadness Mood = "sadness"
	Anger   Mood = "anger"
	Anxiety Mood = "anxiety"
	Love    Mood = "love"
	Neutral Mood = "neutral"
)

// Moods lists every mood in display order.
var Moods = []Mood{Joy, Sadness, Anger, Anxiety, Love, Neutral}

// SubMoods lists every sub-mood in display order, grouped by mood.
var SubMoods = []string{
	"ecstasy", "satisfaction", "gratitude", "excitement",
	"loneliness", "loss", "regret",
	"annoyance", "rage", "resentment",
	"fear", "nervousness", "restlessness",
	"romance", "friendship", "respect",
}

// parent maps each sub-mood to its mood; neutral has none.
var parent = map[string]Mood{
	"ecstasy": Joy, "satisfaction": Joy, "gratitude": Joy, "excitement": Joy,
	"loneliness": Sadness, "loss": Sadness, "regret": Sadness,
	"annoyance": Anger, "rage": Anger, "resentment": Anger,
	"fear": Anxiety, "nervousness": Anxiety, "restlessness": Anxiety,
	"romance": Love, "friendship": Love, "respect": Love,
}

// ErrInvalid marks input that can never become valid (a poison event, a
// bad request), as opposed to a failure worth retrying.
var ErrInvalid = errors.New("invalid")

// ParseMood accepts one of the six mood keys.
func ParseMood(s string) (Mood, error) {
	for _, m := range Moods {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("%w: unknown mood %q", ErrInvalid, s)
}

// checkDetailed accepts a sub-mood of m, or "" exactly when m is neutral.
func checkDetailed(m Mood, detailed string) error {
	if m == Neutral {
		if detailed != "" {
			return fmt.Errorf("%w: neutral has no sub-mood, got %q", ErrInvalid, detailed)
		}
		return nil
	}
	p, ok := parent[detailed]
	if !ok {
		return fmt.Errorf("%w: unknown sub-mood %q", ErrInvalid, detailed)
	}
	if p != m {
		return fmt.Errorf("%w: sub-mood %q belongs to %s, not %s", ErrInvalid, detailed, p, m)
	}
	return nil
}
