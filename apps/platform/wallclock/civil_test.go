package wallclock_test

import (
	"errors"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"plain", "2026-03-01", true},
		{"leap day", "2028-02-29", true},
		{"no leap day", "2027-02-29", false},
		{"day 31 of a 30-day month", "2026-04-31", false},
		{"single digits", "2026-3-1", false},
		{"year zero", "0000-01-01", false},
		{"time attached", "2026-03-01T00:00:00Z", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := wallclock.ParseDate(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("ParseDate(%q) = %v, %v", tt.in, d, err)
			}
			if !tt.ok && !errors.Is(err, wallclock.ErrFormat) {
				t.Errorf("err = %v, want ErrFormat", err)
			}
			if tt.ok && d.String() != tt.in {
				t.Errorf("String() = %q, want %q", d, tt.in)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	d := wallclock.NewDate(2028, time.February, 29)
	if got := d.AddYears(1).String(); got != "2029-03-01" {
		t.Errorf("AddYears(1) = %s, want 2029-03-01", got)
	}
	if got := d.AddDays(1).String(); got != "2028-03-01" {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := d.DaysUntil(wallclock.NewDate(2028, time.March, 7)); got != 7 {
		t.Errorf("DaysUntil = %d, want 7", got)
	}
	if d.Weekday() != time.Tuesday || wallclock.DaysIn(2028, time.February) != 29 || wallclock.DaysIn(2027, time.February) != 28 {
		t.Errorf("weekday %v, days in Feb 2028 %d", d.Weekday(), wallclock.DaysIn(2028, time.February))
	}
	seoul, _ := time.LoadLocation("Asia/Seoul")
	if got := wallclock.Today(time.Date(2026, 3, 9, 15, 30, 0, 0, time.UTC), seoul).String(); got != "2026-03-10" {
		t.Errorf("Today in Seoul at 15:30 UTC = %s, want the next day", got)
	}
	if !(wallclock.Date{}).IsZero() || d.IsZero() {
		t.Error("IsZero")
	}
}

func TestParseTimeOfDay(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"morning", "09:00", true},
		{"last minute", "23:59", true},
		{"midnight", "00:00", true},
		{"hour 24", "24:00", false},
		{"minute 60", "12:60", false},
		{"one digit", "9:00", false},
		{"seconds", "09:00:00", false},
		{"letters", "ab:cd", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wallclock.ParseTimeOfDay(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("ParseTimeOfDay(%q) = %v, %v", tt.in, got, err)
			}
			if tt.ok && got.String() != tt.in {
				t.Errorf("String() = %q", got)
			}
		})
	}
	if _, err := wallclock.NewTimeOfDay(24, 0); !errors.Is(err, wallclock.ErrFormat) {
		t.Errorf("NewTimeOfDay(24, 0) err = %v", err)
	}
	if tod := wallclock.MustTimeOfDay(7, 5); tod.Hour() != 7 || tod.Minute() != 5 || tod.Minutes() != 425 {
		t.Errorf("07:05 = %d:%d (%d)", tod.Hour(), tod.Minute(), tod.Minutes())
	}
}

func TestOnResolvesLikeAt(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	got := wallclock.On(wallclock.NewDate(2026, time.March, 8), wallclock.MustTimeOfDay(2, 30), ny)
	if want := time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("02:30 in the New York gap = %v, want %v (03:30 EDT)", got, want)
	}
}

func TestWeekday(t *testing.T) {
	for w := time.Sunday; w <= time.Saturday; w++ {
		got, err := wallclock.ParseWeekday(wallclock.WeekdayName(w))
		if err != nil || got != w {
			t.Errorf("round trip of %v = %v, %v", w, got, err)
		}
	}
	for _, bad := range []string{"", "monday", "Mon", "xyz"} {
		if _, err := wallclock.ParseWeekday(bad); !errors.Is(err, wallclock.ErrFormat) {
			t.Errorf("ParseWeekday(%q) err = %v", bad, err)
		}
	}
}

func TestZones(t *testing.T) {
	if got := wallclock.DefaultLocation().String(); got != wallclock.DefaultTimezone {
		t.Errorf("DefaultLocation = %s", got)
	}
	for _, bad := range []string{"", "Local", "Mars/Olympus"} {
		if _, err := wallclock.LoadZone(bad); !errors.Is(err, wallclock.ErrFormat) {
			t.Errorf("LoadZone(%q) err = %v, want ErrFormat", bad, err)
		}
	}
	if loc, err := wallclock.LoadZone("Europe/London"); err != nil || loc.String() != "Europe/London" {
		t.Errorf("LoadZone(Europe/London) = %v, %v", loc, err)
	}
}
