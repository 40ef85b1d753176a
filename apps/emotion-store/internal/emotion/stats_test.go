package emotion_test

import (
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
)

func TestSummarize(t *testing.T) {
	day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
	tests := []struct {
		name         string
		results      []emotion.Result
		want         emotion.Mood
		wantDetailed string
		wantRecent   emotion.RecentMood
	}{
		{name: "no data", want: "", wantDetailed: "", wantRecent: emotion.RecentMood{Mood: emotion.Neutral, Because: emotion.BecauseNoData}},
		{name: "plain majority", results: []emotion.Result{
			result(t, "a", "joy", "gratitude", day(-3), day(0), ""),
			result(t, "b", "joy", "ecstasy", day(-2), day(0), ""),
			result(t, "c", "sadness", "loss", day(-1), day(0), ""),
		}, want: emotion.Joy, wantDetailed: "loss", wantRecent: emotion.RecentMood{Mood: emotion.Joy, Because: emotion.BecauseRecent}},
		{name: "tie goes to the mood of the latest letter", results: []emotion.Result{
			result(t, "a", "anger", "rage", day(-5), day(0), ""),
			result(t, "b", "joy", "ecstasy", day(-4), day(0), ""),
			result(t, "c", "joy", "ecstasy", day(-3), day(0), ""),
			result(t, "d", "anger", "rage", day(-1), day(0), ""),
		}, want: emotion.Anger, wantDetailed: "rage", wantRecent: emotion.RecentMood{Mood: emotion.Anger, Because: emotion.BecauseRecent}},
		{name: "tie not decided by display order", results: []emotion.Result{
			result(t, "a", "joy", "ecstasy", day(-5), day(0), ""),
			result(t, "b", "neutral", "", day(-1), day(0), ""),
		}, want: emotion.Neutral, wantDetailed: "ecstasy", wantRecent: emotion.RecentMood{Mood: emotion.Neutral, Because: emotion.BecauseRecent}},
		{name: "recent mood from the last 30 days only", results: []emotion.Result{
			result(t, "a", "sadness", "loneliness", day(-90), day(0), ""),
			result(t, "b", "sadness", "loneliness", day(-80), day(0), ""),
			result(t, "c", "love", "friendship", day(-2), day(0), ""),
		}, want: emotion.Sadness, wantDetailed: "loneliness", wantRecent: emotion.RecentMood{Mood: emotion.Love, Because: emotion.BecauseRecent}},
		{name: "recent mood falls back to all time", results: []emotion.Result{
			result(t, "a", "anxiety", "fear", day(-90), day(0), ""),
		}, want: emotion.Anxiety, wantDetailed: "fear", wantRecent: emotion.RecentMood{Mood: emotion.Anxiety, Because: emotion.BecauseAllTime}},
		{name: "exactly 30 days ago is outside the window", results: []emotion.Result{
			result(t, "a", "anxiety", "fear", t0.Add(-emotion.RecentWindow), day(0), ""),
		}, want: emotion.Anxiety, wantDetailed: "fear", wantRecent: emotion.RecentMood{Mood: emotion.Anxiety, Because: emotion.BecauseAllTime}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := emotion.Summarize(tt.results, t0)
			if s.MostFrequent != tt.want || s.MostFrequentDetailed != tt.wantDetailed || s.Recent != tt.wantRecent {
				t.Errorf("got %q %q %+v, want %q %q %+v", s.MostFrequent, s.MostFrequentDetailed, s.Recent, tt.want, tt.wantDetailed, tt.wantRecent)
			}
			if s.Analysed != len(tt.results) {
				t.Errorf("analysed = %d", s.Analysed)
			}
			if len(s.Moods) != len(emotion.Moods) || len(s.Detailed) != len(emotion.SubMoods) {
				t.Errorf("every mood and sub-mood must be listed: %v %v", s.Moods, s.Detailed)
			}
			total := 0
			for _, n := range s.Moods {
				total += n
			}
			if total != len(tt.results) {
				t.Errorf("mood counts sum to %d, want %d", total, len(tt.results))
			}
		})
	}
}

func TestComfortsInBothLanguages(t *testing.T) {
	c, err := emotion.LoadComforts()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, lang := range []string{emotion.Korean, emotion.English} {
		for _, m := range append([]emotion.Mood{""}, emotion.Moods...) {
			msg := c.For(m, lang)
			if msg == "" || seen[msg] {
				t.Errorf("%s/%q: empty or repeated message %q", lang, m, msg)
			}
			seen[msg] = true
		}
	}
	if c.For(emotion.Joy, "fr") != c.For(emotion.Joy, emotion.Korean) {
		t.Error("an unknown language should fall back to Korean")
	}
}
