package emotion_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
)

// fullRecord is a record at its bound, letters spread over 27 years.
func fullRecord(b *testing.B) []emotion.Result {
	b.Helper()
	moods := [][2]string{{"joy", "gratitude"}, {"sadness", "loss"}, {"anger", "rage"}, {"anxiety", "fear"}, {"love", "romance"}, {"neutral", ""}}
	out := make([]emotion.Result, emotion.MaxResults)
	for i := range out {
		m := moods[i%len(moods)]
		r, err := emotion.NewResult(fmt.Sprintf("%08d-0000-4000-8000-000000000000", i), m[0], m[1], t0.Add(-time.Duration(i)*time.Hour*23), t0, "")
		if err != nil {
			b.Fatal(err)
		}
		out[i] = r
	}
	return out
}

func BenchmarkSummarizeFullRecord(b *testing.B) {
	results := fullRecord(b)
	for b.Loop() {
		emotion.Summarize(results, t0)
	}
}

func BenchmarkTimelineFullRecord(b *testing.B) {
	results := fullRecord(b)
	r, err := emotion.NewRange("week", "", "", time.UTC, t0)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		emotion.Timeline(results, r)
	}
}
