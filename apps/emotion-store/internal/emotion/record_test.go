package emotion_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func result(t *testing.T, letter, mood, detailed string, written, analysed time.Time, job string) emotion.Result {
	t.Helper()
	r, err := emotion.NewResult(letter, mood, detailed, written, analysed, job)
	if err != nil {
		t.Fatalf("NewResult: %v", err)
	}
	return r
}

func moodOf(rec *emotion.Record, letter string) (emotion.Mood, bool) {
	for _, r := range rec.Results() {
		if r.LetterID() == letter {
			return r.Mood(), true
		}
	}
	return "", false
}

func TestNewResultValidates(t *testing.T) {
	tests := []struct {
		name, letter, mood, detailed string
		written                      time.Time
	}{
		{"no letter", "", "joy", "gratitude", t0},
		{"unknown mood", "l1", "bliss", "gratitude", t0},
		{"sub-mood of another mood", "l1", "joy", "loss", t0},
		{"unknown sub-mood", "l1", "joy", "glee", t0},
		{"neutral with a sub-mood", "l1", "neutral", "gratitude", t0},
		{"joy without a sub-mood", "l1", "joy", "", t0},
		{"no written_at", "l1", "joy", "gratitude", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := emotion.NewResult(tt.letter, tt.mood, tt.detailed, tt.written, t0, "")
			if !errors.Is(err, emotion.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
	if _, err := emotion.NewResult("l1", "neutral", "", t0, t0, ""); err != nil {
		t.Errorf("neutral without a sub-mood: %v", err)
	}
}

func TestApplyIsIdempotentAndTheLaterAnalysisWins(t *testing.T) {
	rec := emotion.NewRecord()
	first := result(t, "l1", "sadness", "loss", t0, t0.Add(time.Minute), "")
	if !rec.Apply(first, t0) {
		t.Fatal("first analysis: no change")
	}
	if rec.Apply(first, t0) {
		t.Error("the same analysis twice changed the record")
	}
	reanalysed := result(t, "l1", "joy", "gratitude", t0, t0.Add(time.Hour), "job-1")
	if !rec.Apply(reanalysed, t0) {
		t.Error("the re-analysis did not replace the earlier result")
	}
	if rec.Apply(first, t0) {
		t.Error("a late redelivery of the older analysis replaced the newer one")
	}
	if got := len(rec.Results()); got != 1 {
		t.Fatalf("results = %d, want 1 (a re-analysis replaces, never adds)", got)
	}
	if m, _ := moodOf(rec, "l1"); m != emotion.Joy {
		t.Errorf("mood = %s, want joy", m)
	}
}

func TestRemoveKeepsLateAnalysesOut(t *testing.T) {
	rec := emotion.NewRecord()
	rec.Apply(result(t, "l1", "joy", "ecstasy", t0, t0, ""), t0)
	if !rec.Remove("l1", t0) {
		t.Fatal("remove: no change")
	}
	if rec.Remove("l1", t0) {
		t.Error("removing twice changed the record")
	}
	if rec.Apply(result(t, "l1", "joy", "ecstasy", t0, t0.Add(time.Hour), ""), t0) {
		t.Error("an analysis after the deletion brought the letter back")
	}
	// Deleted before its first analysis arrived.
	rec.Remove("l2", t0)
	rec.Apply(result(t, "l2", "anger", "rage", t0, t0, ""), t0)
	if n := len(rec.Results()); n != 0 {
		t.Errorf("results = %d, want 0", n)
	}
}

func TestPurgeForgetsEverythingAndStaysPurged(t *testing.T) {
	rec := emotion.NewRecord()
	rec.Apply(result(t, "l1", "love", "romance", t0, t0, ""), t0)
	if _, _, err := rec.StartJob("job-1", t0); err != nil {
		t.Fatal(err)
	}
	if !rec.Purge(t0) || rec.Purge(t0) {
		t.Fatal("purge should change the record once")
	}
	if len(rec.Results()) != 0 || !rec.Purged() {
		t.Fatalf("after purge: %d results, purged %v", len(rec.Results()), rec.Purged())
	}
	if _, err := rec.Job("job-1"); !errors.Is(err, emotion.ErrJobNotFound) {
		t.Errorf("job after purge: %v", err)
	}
	if rec.Apply(result(t, "l2", "joy", "satisfaction", t0, t0, ""), t0) {
		t.Error("a late event resurrected a deleted user")
	}
	if _, _, err := rec.StartJob("job-2", t0); !errors.Is(err, emotion.ErrUserGone) {
		t.Errorf("StartJob after purge: %v", err)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	rec := emotion.NewRecord()
	rec.Apply(result(t, "l1", "love", "romance", t0, t0, ""), t0)
	rec.Remove("l2", t0)
	j, _, _ := rec.StartJob("job-1", t0)
	rec.SetJobLetters(j.ID(), []string{"l1", "l3"}, t0)
	rec.Apply(result(t, "l1", "joy", "excitement", t0, t0.Add(time.Minute), "job-1"), t0)

	back := emotion.Restore(rec.Snapshot())
	if got, want := fmt.Sprint(back.Snapshot()), fmt.Sprint(rec.Snapshot()); got != want {
		t.Errorf("round trip:\n got %s\nwant %s", got, want)
	}
}

func TestRecordIsBounded(t *testing.T) {
	rec := emotion.NewRecord()
	for i := range emotion.MaxResults + 3 {
		rec.Apply(result(t, fmt.Sprintf("l%05d", i), "neutral", "", t0.Add(time.Duration(i)*time.Hour), t0, ""), t0)
	}
	if n := len(rec.Results()); n != emotion.MaxResults {
		t.Fatalf("results = %d, want %d", n, emotion.MaxResults)
	}
	if _, ok := moodOf(rec, "l00000"); ok {
		t.Error("the earliest written letter should have left first")
	}
	if _, ok := moodOf(rec, fmt.Sprintf("l%05d", emotion.MaxResults+2)); !ok {
		t.Error("the latest letter is missing")
	}
}
