package schedule_test

import (
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/schedule"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := wallclock.LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func weekly(t *testing.T, wd, hhmm, tz string) schedule.Schedule {
	t.Helper()
	d, err := wallclock.ParseWeekday(wd)
	if err != nil {
		t.Fatal(err)
	}
	s, err := schedule.NewWeekly(d, hhmm, zone(t, tz))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func monthly(t *testing.T, day int, hhmm, tz string) schedule.Schedule {
	t.Helper()
	s, err := schedule.NewMonthly(day, hhmm, zone(t, tz))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func special(t *testing.T, date string, yearly bool, tz string) schedule.Schedule {
	t.Helper()
	d, err := wallclock.ParseDate(date)
	if err != nil {
		t.Fatal(err)
	}
	s, err := schedule.NewSpecialDate(d, yearly, zone(t, tz))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNext(t *testing.T) {
	tests := []struct {
		name    string
		sched   schedule.Schedule
		after   string
		want    string // RFC 3339 UTC; "" for no occurrence
		wantKey string
	}{
		// Asia/Seoul: UTC+9 all year.
		{"seoul weekly, later the same day", weekly(t, "tue", "09:00", "Asia/Seoul"), "2026-11-30T23:59:00Z", "2026-12-01T00:00:00Z", "2026-12-01"},
		{"seoul weekly, strictly after the one at hand", weekly(t, "tue", "09:00", "Asia/Seoul"), "2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z", "2026-12-08"},
		{"seoul local date ahead of the UTC date", monthly(t, 1, "08:00", "Asia/Seoul"), "2026-11-30T22:00:00Z", "2026-11-30T23:00:00Z", "2026-12-01"},

		// America/New_York, spring forward 2026-03-08 02:00 EST → 03:00 EDT.
		{"new york 02:30 in the gap fires at 03:30 EDT", weekly(t, "sun", "02:30", "America/New_York"), "2026-03-07T12:00:00Z", "2026-03-08T07:30:00Z", "2026-03-08"},
		{"new york 02:30 the week after the gap", weekly(t, "sun", "02:30", "America/New_York"), "2026-03-08T07:30:00Z", "2026-03-15T06:30:00Z", "2026-03-15"},
		{"new york 01:30 on the spring-forward day", weekly(t, "sun", "01:30", "America/New_York"), "2026-03-07T12:00:00Z", "2026-03-08T06:30:00Z", "2026-03-08"},
		{"new york monthly 8th 02:30 in the gap", monthly(t, 8, "02:30", "America/New_York"), "2026-03-01T00:00:00Z", "2026-03-08T07:30:00Z", "2026-03-08"},
		// Fall back 2026-11-01 02:00 EDT → 01:00 EST: 01:30 happens twice.
		{"new york 01:30 on the fall-back day fires at the first", weekly(t, "sun", "01:30", "America/New_York"), "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z", "2026-11-01"},
		{"new york 01:30 not again at the second", weekly(t, "sun", "01:30", "America/New_York"), "2026-11-01T05:30:00Z", "2026-11-08T06:30:00Z", "2026-11-08"},
		{"new york 02:30 on the fall-back day", weekly(t, "sun", "02:30", "America/New_York"), "2026-10-31T12:00:00Z", "2026-11-01T07:30:00Z", "2026-11-01"},

		// Europe/London: 2026-03-29 01:00 GMT → 02:00 BST; 2026-10-25 02:00 BST → 01:00 GMT.
		{"london 01:30 in the gap fires at 02:30 BST", weekly(t, "sun", "01:30", "Europe/London"), "2026-03-28T12:00:00Z", "2026-03-29T01:30:00Z", "2026-03-29"},
		{"london summer time", weekly(t, "wed", "18:00", "Europe/London"), "2026-07-01T00:00:00Z", "2026-07-01T17:00:00Z", "2026-07-01"},
		{"london 01:30 on the fall-back day fires at the first (BST)", weekly(t, "sun", "01:30", "Europe/London"), "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25"},
		{"london 01:30 not again at the second (GMT)", weekly(t, "sun", "01:30", "Europe/London"), "2026-10-25T00:30:00Z", "2026-11-01T01:30:00Z", "2026-11-01"},

		// Month-end clamping.
		{"monthly 31 → 28 February 2027", monthly(t, 31, "10:00", "Asia/Seoul"), "2027-01-31T01:00:00Z", "2027-02-28T01:00:00Z", "2027-02-28"},
		{"monthly 31 → back to the 31st in March", monthly(t, 31, "10:00", "Asia/Seoul"), "2027-02-28T01:00:00Z", "2027-03-31T01:00:00Z", "2027-03-31"},
		{"monthly 31 → 29 February 2028 (leap year)", monthly(t, 31, "10:00", "Asia/Seoul"), "2028-01-31T01:00:00Z", "2028-02-29T01:00:00Z", "2028-02-29"},
		{"monthly 31 → 30 April", monthly(t, 31, "10:00", "Asia/Seoul"), "2027-03-31T01:00:00Z", "2027-04-30T01:00:00Z", "2027-04-30"},
		{"monthly 30 → 28 February", monthly(t, 30, "10:00", "Asia/Seoul"), "2027-01-30T01:00:00Z", "2027-02-28T01:00:00Z", "2027-02-28"},

		// Special dates at 09:00 local.
		{"yearly birthday, next year", special(t, "1990-05-05", true, "Asia/Seoul"), "2026-06-01T00:00:00Z", "2027-05-05T00:00:00Z", "2027-05-05"},
		{"yearly 29 February in a common year → 28 February", special(t, "2028-02-29", true, "Asia/Seoul"), "2028-03-01T00:00:00Z", "2029-02-28T00:00:00Z", "2029-02-28"},
		{"yearly 29 February in the next leap year", special(t, "2028-02-29", true, "Asia/Seoul"), "2031-03-01T00:00:00Z", "2032-02-29T00:00:00Z", "2032-02-29"},
		{"yearly in new york summer", special(t, "2020-07-04", true, "America/New_York"), "2026-01-01T00:00:00Z", "2026-07-04T13:00:00Z", "2026-07-04"},
		{"one-off ahead", special(t, "2026-12-25", false, "Asia/Seoul"), "2026-12-01T00:00:00Z", "2026-12-25T00:00:00Z", "2026-12-25"},
		{"one-off passed", special(t, "2026-12-25", false, "Asia/Seoul"), "2026-12-25T00:00:00Z", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.sched.Next(utc(tc.after))
			if tc.want == "" {
				if ok {
					t.Fatalf("Next = %v (%s), want none", got.At, got.Key)
				}
				return
			}
			if !ok {
				t.Fatalf("Next = none, want %s", tc.want)
			}
			if !got.At.Equal(utc(tc.want)) || got.Key != tc.wantKey {
				t.Errorf("Next = %s (%s), want %s (%s)", got.At.Format(time.RFC3339), got.Key, tc.want, tc.wantKey)
			}
			if got.At.Location() != time.UTC {
				t.Errorf("Next.At in %v, want UTC", got.At.Location())
			}
		})
	}
}

// Walking a whole year with an injected clock, the way the sweep does:
// every Sunday fires exactly once, at its wall time, except that a time
// swallowed by the spring-forward gap fires an hour later.
func TestNextWalksAYearOnceAWeek(t *testing.T) {
	ny := zone(t, "America/New_York")
	for _, hhmm := range []string{"01:30", "02:30"} {
		t.Run(hhmm, func(t *testing.T) {
			s := weekly(t, "sun", hhmm, "America/New_York")
			clk := clock.NewFake(utc("2026-01-01T00:00:00Z"))
			seen := map[string]bool{}
			for {
				o, ok := s.Next(clk.Now())
				if !ok {
					t.Fatal("weekly schedule ran out")
				}
				if o.At.Year() > 2026 {
					break
				}
				if seen[o.Key] {
					t.Fatalf("%s fired twice", o.Key)
				}
				seen[o.Key] = true
				local := o.At.In(ny)
				wantClock := hhmm
				if o.Key == "2026-03-08" && hhmm == "02:30" {
					wantClock = "03:30"
				}
				if local.Weekday() != time.Sunday || local.Format("15:04") != wantClock || local.Format(time.DateOnly) != o.Key {
					t.Errorf("%s fired at %s", o.Key, local)
				}
				clk.Set(o.At)
			}
			if len(seen) != 52 {
				t.Errorf("%d Sundays fired in 2026, want 52", len(seen))
			}
		})
	}
}

func TestResolveAgainstTimeDate(t *testing.T) {
	// Documents why wall times go through wallclock: time.Date alone picks
	// differently per zone.
	ny := zone(t, "America/New_York")
	if got := time.Date(2026, 3, 8, 2, 30, 0, 0, ny).Format("15:04 MST"); got != "01:30 EST" {
		t.Logf("time.Date now gives %s for New York's gap (was 01:30 EST with Go 1.26)", got)
	}
	d, _ := wallclock.ParseDate("2026-03-08")
	if got := wallclock.On(d, wallclock.MustTimeOfDay(2, 30), ny).In(ny).Format("15:04 MST"); got != "03:30 EDT" {
		t.Errorf("wallclock.On = %s, want 03:30 EDT", got)
	}
}

func TestConstructorsReject(t *testing.T) {
	seoul := zone(t, "Asia/Seoul")
	if _, err := schedule.NewMonthly(32, "09:00", seoul); err == nil {
		t.Error("day 32 accepted")
	}
	if _, err := schedule.NewMonthly(0, "09:00", seoul); err == nil {
		t.Error("day 0 accepted")
	}
	for _, hhmm := range []string{"24:00", "9:00", "09:60", "", "09:00:00"} {
		if _, err := schedule.NewWeekly(time.Monday, hhmm, seoul); err == nil {
			t.Errorf("time %q accepted", hhmm)
		}
	}
	if _, err := wallclock.ParseWeekday("monday"); err == nil {
		t.Error("weekday monday accepted")
	}
	if _, err := wallclock.ParseDate("2027-02-29"); err == nil {
		t.Error("2027-02-29 accepted")
	}
	for _, tz := range []string{"", "Local", "Mars/Olympus"} {
		if _, err := wallclock.LoadZone(tz); err == nil {
			t.Errorf("zone %q accepted", tz)
		}
	}
}
