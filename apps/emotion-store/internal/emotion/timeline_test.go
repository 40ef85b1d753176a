package emotion_test

import (
	"errors"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/fields"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestNewRangeValidates(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, period, from, to string
		field                  string
	}{
		{"unknown period", "day", "", "", "period"},
		{"from not a date", "week", "2026-13-01", "", "from"},
		{"to not a date", "week", "", "2026/11/01", "to"},
		{"not a real date", "month", "2027-02-29", "", "from"},
		{"to before from", "week", "2026-11-10", "2026-11-01", "to"},
		{"too many buckets", "week", "2000-01-01", "2026-01-01", "from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := emotion.NewRange(tt.period, tt.from, tt.to, time.UTC, now)
			var fe *fields.Error
			if !errors.As(err, &fe) || fe.Message(tt.field) == "" {
				t.Errorf("err = %v, want a message for %s", err, tt.field)
			}
		})
	}
}

func TestRangeDefaults(t *testing.T) {
	seoul := zone(t, "Asia/Seoul")
	// Sunday 2026-11-29 20:00 UTC is Monday 2026-11-30 05:00 in Seoul.
	now := time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC)
	tests := []struct {
		name, period, from, to string
		wantFrom, wantTo       string
	}{
		{"last 12 weeks up to today in the user's zone", "", "", "", "2026-09-14", "2026-11-30"},
		{"last 12 months", "month", "", "", "2025-12-01", "2026-11-30"},
		{"12 weeks from", "week", "2026-01-07", "", "2026-01-07", "2026-03-29"},
		{"12 months up to", "month", "", "2026-02-10", "2025-03-01", "2026-02-10"},
		{"explicit", "week", "2026-03-01", "2026-03-01", "2026-03-01", "2026-03-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := emotion.NewRange(tt.period, tt.from, tt.to, seoul, now)
			if err != nil {
				t.Fatal(err)
			}
			if r.From().String() != tt.wantFrom || r.To().String() != tt.wantTo {
				t.Errorf("range %s..%s, want %s..%s", r.From(), r.To(), tt.wantFrom, tt.wantTo)
			}
		})
	}
	r, _ := emotion.NewRange("", "", "", seoul, now)
	if b := emotion.Timeline(nil, r); len(b) != emotion.DefaultPeriods {
		t.Errorf("default timeline has %d buckets, want %d", len(b), emotion.DefaultPeriods)
	}
}

func TestTimelineBuckets(t *testing.T) {
	ny := zone(t, "America/New_York")
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	t.Run("weeks across the spring-forward gap start Monday 00:00 local", func(t *testing.T) {
		r, err := emotion.NewRange("week", "2026-03-01", "2026-03-15", ny, t0)
		if err != nil {
			t.Fatal(err)
		}
		results := []emotion.Result{
			// Sunday 2026-03-08 23:30 EDT is Monday 03:30 UTC: still the week of Mar 2.
			result(t, "a", "joy", "ecstasy", at("2026-03-09T03:30:00Z"), t0, ""),
			// Monday 2026-03-09 00:30 EDT: the next week.
			result(t, "b", "sadness", "loss", at("2026-03-09T04:30:00Z"), t0, ""),
			// Before from (Feb 28 local), inside the first bucket's week: not counted.
			result(t, "c", "anger", "rage", at("2026-03-01T04:00:00Z"), t0, ""),
		}
		b := emotion.Timeline(results, r)
		want := []string{"2026-02-23T00:00:00-05:00", "2026-03-02T00:00:00-05:00", "2026-03-09T00:00:00-04:00", "2026-03-16T00:00:00-04:00"}
		if len(b) != 3 {
			t.Fatalf("%d buckets, want 3 (weeks of Feb 23, Mar 2, Mar 9)", len(b))
		}
		for i, bk := range b {
			if got := bk.Start.Format(time.RFC3339); got != want[i] {
				t.Errorf("bucket %d starts %s, want %s", i, got, want[i])
			}
		}
		if b[0].Dominant != "" || b[0].Counts[emotion.Anger] != 0 {
			t.Errorf("first bucket: %+v, want empty with no dominant mood", b[0])
		}
		if b[1].Dominant != emotion.Joy || b[1].Counts[emotion.Joy] != 1 {
			t.Errorf("week of Mar 2: %+v", b[1])
		}
		if b[2].Dominant != emotion.Sadness || b[2].Counts[emotion.Sadness] != 1 {
			t.Errorf("week of Mar 9: %+v", b[2])
		}
	})
	t.Run("months across the fall-back overlap and a year boundary", func(t *testing.T) {
		r, err := emotion.NewRange("month", "2026-10-01", "2027-01-31", ny, t0)
		if err != nil {
			t.Fatal(err)
		}
		results := []emotion.Result{
			// 2026-10-31 23:59 EDT: October.
			result(t, "a", "love", "romance", at("2026-11-01T03:59:00Z"), t0, ""),
			// 2026-11-01 01:30, the second (EST) one: November.
			result(t, "b", "anxiety", "fear", at("2026-11-01T06:30:00Z"), t0, ""),
			// 2026-12-31 23:00 EST is 2027-01-01 in UTC: December.
			result(t, "c", "joy", "excitement", at("2027-01-01T04:00:00Z"), t0, ""),
			result(t, "d", "joy", "excitement", at("2027-01-01T05:00:00Z"), t0, ""),
		}
		b := emotion.Timeline(results, r)
		starts := []string{"2026-10-01T00:00:00-04:00", "2026-11-01T00:00:00-04:00", "2026-12-01T00:00:00-05:00", "2027-01-01T00:00:00-05:00"}
		dominant := []emotion.Mood{emotion.Love, emotion.Anxiety, emotion.Joy, emotion.Joy}
		if len(b) != len(starts) {
			t.Fatalf("%d buckets, want %d", len(b), len(starts))
		}
		for i := range b {
			if b[i].Start.Format(time.RFC3339) != starts[i] || b[i].Dominant != dominant[i] {
				t.Errorf("bucket %d: %s %q, want %s %q", i, b[i].Start.Format(time.RFC3339), b[i].Dominant, starts[i], dominant[i])
			}
		}
	})
	t.Run("a bucket's tie goes to the latest letter", func(t *testing.T) {
		r, _ := emotion.NewRange("week", "2026-11-02", "2026-11-08", time.UTC, t0)
		b := emotion.Timeline([]emotion.Result{
			result(t, "a", "anger", "rage", at("2026-11-03T10:00:00Z"), t0, ""),
			result(t, "b", "joy", "ecstasy", at("2026-11-02T10:00:00Z"), t0, ""),
		}, r)
		if len(b) != 1 || b[0].Dominant != emotion.Anger {
			t.Errorf("buckets %+v, want one with anger dominant", b)
		}
	})
}
