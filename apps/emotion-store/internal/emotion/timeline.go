package emotion

import (
	"fmt"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

// Period is the width of a timeline bucket.
type Period string

// Timeline periods: weeks start on Monday 00:00 local time, months on the
// first at 00:00 local time.
const (
	Week  Period = "week"
	Month Period = "month"
)

// DefaultPeriods is how many buckets a timeline without from/to shows,
// ending with the current one.
const DefaultPeriods = 12

// MaxBuckets bounds one timeline: five years of weeks.
const MaxBuckets = 260

// Range is a validated timeline request: periods covering from..to, both
// calendar dates in the user's zone and inclusive.
type Range struct {
	period   Period
	from, to wallclock.Date
	loc      *time.Location
}

// NewRange validates the timeline's query: period (default week), from
// and to as YYYY-MM-DD. Without both, the range is the last DefaultPeriods
// periods up to today in loc; with only one, DefaultPeriods periods from
// or up to it. Errors name the query parameters.
func NewRange(period, from, to string, loc *time.Location, now time.Time) (Range, error) {
	var errs fields.Set
	r := Range{period: Period(period), loc: loc}
	switch r.period {
	case "":
		r.period = Week
	case Week, Month:
	default:
		errs.Add("period", "must be week or month")
	}
	parse := func(name, s string) wallclock.Date {
		if s == "" {
			return wallclock.Date{}
		}
		d, err := wallclock.ParseDate(s)
		if err != nil {
			errs.Add(name, "must be a date as YYYY-MM-DD")
		}
		return d
	}
	r.from, r.to = parse("from", from), parse("to", to)
	if err := errs.Err(); err != nil {
		return Range{}, err
	}
	switch {
	case r.from.IsZero() && r.to.IsZero():
		r.to = wallclock.Today(now, loc)
		r.from = r.step(r.start(r.to), -(DefaultPeriods - 1))
	case r.from.IsZero():
		r.from = r.step(r.start(r.to), -(DefaultPeriods - 1))
	case r.to.IsZero():
		r.to = r.step(r.start(r.from), DefaultPeriods).AddDays(-1)
	}
	if r.to.Before(r.from) {
		errs.Add("to", "must not be before from")
		return Range{}, errs.Err()
	}
	if n := r.buckets(); n > MaxBuckets {
		errs.Add("from", fmt.Sprintf("the range covers %d %ss; at most %d fit in one timeline", n, r.period, MaxBuckets))
		return Range{}, errs.Err()
	}
	return r, nil
}

// From and To are the inclusive calendar dates of the range.
func (r Range) From() wallclock.Date { return r.from }

// To is the last calendar date of the range.
func (r Range) To() wallclock.Date { return r.to }

// start is the first day of the period holding d.
func (r Range) start(d wallclock.Date) wallclock.Date {
	if r.period == Month {
		return wallclock.NewDate(d.Year(), d.Month(), 1)
	}
	return d.AddDays(-((int(d.Weekday()) + 6) % 7)) // Monday
}

// step moves a period start n periods.
func (r Range) step(start wallclock.Date, n int) wallclock.Date {
	if r.period == Month {
		return wallclock.NewDate(start.Year(), start.Month()+time.Month(n), 1)
	}
	return start.AddDays(7 * n)
}

func (r Range) buckets() int {
	n := 0
	for s := r.start(r.from); !s.After(r.to) && n <= MaxBuckets; s = r.step(s, 1) {
		n++
	}
	return n
}

// Bucket is one period of a timeline.
type Bucket struct {
	// Start is the period's first moment in the user's zone.
	Start  time.Time
	Counts map[Mood]int
	// Dominant is "" for a period without letters.
	Dominant Mood
}

// Timeline buckets the letters written within the range by the calendar
// date they were written on in the range's zone. Every period is present,
// empty ones included; each period's dominant mood follows the ties rule.
func Timeline(results []Result, r Range) []Bucket {
	type slot struct {
		start wallclock.Date
		tally tally[Mood]
	}
	var slots []slot
	index := map[wallclock.Date]int{}
	for s := r.start(r.from); !s.After(r.to); s = r.step(s, 1) {
		index[s] = len(slots)
		slots = append(slots, slot{start: s, tally: newTally[Mood]()})
	}
	for _, res := range results {
		d := wallclock.DateOf(res.writtenAt.In(r.loc))
		if d.Before(r.from) || d.After(r.to) {
			continue
		}
		slots[index[r.start(d)]].tally.add(res.mood, res.writtenAt)
	}
	out := make([]Bucket, len(slots))
	for i, s := range slots {
		b := Bucket{Start: wallclock.At(s.start.Year(), s.start.Month(), s.start.Day(), 0, 0, r.loc).In(r.loc), Counts: map[Mood]int{}}
		for _, m := range Moods {
			b.Counts[m] = s.tally.count[m]
		}
		b.Dominant, _ = s.tally.dominant(Moods)
		out[i] = b
	}
	return out
}
