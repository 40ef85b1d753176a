package emotion

import "time"

// RecentWindow is how far back the recent mood looks (product.md).
const RecentWindow = 30 * 24 * time.Hour

// Why the recent mood is what it is, for recommend-service.
const (
	BecauseRecent  = "recent_30d"
	BecauseAllTime = "all_time"
	BecauseNoData  = "no_data"
)

// Summary is the statistics over all of a user's analysed letters.
type Summary struct {
	Analysed int
	Moods    map[Mood]int
	Detailed map[string]int
	// MostFrequent is "" when nothing was analysed yet.
	MostFrequent Mood
	// MostFrequentDetailed is "" when no letter has a sub-mood.
	MostFrequentDetailed string
	Recent               RecentMood
}

// RecentMood is the mood recommendations follow, and why.
type RecentMood struct {
	Mood    Mood
	Because string
}

// tally counts one key's letters and remembers its latest one, for the
// ties rule.
type tally[K comparable] struct {
	count  map[K]int
	latest map[K]time.Time
}

func newTally[K comparable]() tally[K] {
	return tally[K]{count: map[K]int{}, latest: map[K]time.Time{}}
}

func (t tally[K]) add(k K, writtenAt time.Time) {
	t.count[k]++
	if writtenAt.After(t.latest[k]) {
		t.latest[k] = writtenAt
	}
}

// dominant is the most counted key; ties go to the key of the latest
// letter among the tied (architecture.md), then to display order.
func (t tally[K]) dominant(order []K) (K, bool) {
	var best K
	found := false
	for _, k := range order {
		n := t.count[k]
		if n == 0 {
			continue
		}
		if !found || n > t.count[best] || (n == t.count[best] && t.latest[k].After(t.latest[best])) {
			best, found = k, true
		}
	}
	return best, found
}

// Summarize computes the summary of results at now.
func Summarize(results []Result, now time.Time) Summary {
	moods, detailed := newTally[Mood](), newTally[string]()
	for _, r := range results {
		moods.add(r.mood, r.writtenAt)
		if r.detailed != "" {
			detailed.add(r.detailed, r.writtenAt)
		}
	}
	s := Summary{Analysed: len(results), Moods: map[Mood]int{}, Detailed: map[string]int{}, Recent: Recent(results, now)}
	for _, m := range Moods {
		s.Moods[m] = moods.count[m]
	}
	for _, d := range SubMoods {
		s.Detailed[d] = detailed.count[d]
	}
	s.MostFrequent, _ = moods.dominant(Moods)
	s.MostFrequentDetailed, _ = detailed.dominant(SubMoods)
	return s
}

// Recent is the dominant mood of the letters written in the RecentWindow
// before now, falling back to all letters, then to neutral.
func Recent(results []Result, now time.Time) RecentMood {
	recent, all := newTally[Mood](), newTally[Mood]()
	since := now.Add(-RecentWindow)
	for _, r := range results {
		all.add(r.mood, r.writtenAt)
		if r.writtenAt.After(since) && !r.writtenAt.After(now) {
			recent.add(r.mood, r.writtenAt)
		}
	}
	if m, ok := recent.dominant(Moods); ok {
		return RecentMood{Mood: m, Because: BecauseRecent}
	}
	if m, ok := all.dominant(Moods); ok {
		return RecentMood{Mood: m, Because: BecauseAllTime}
	}
	return RecentMood{Mood: Neutral, Because: BecauseNoData}
}
