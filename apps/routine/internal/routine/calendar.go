package routine

import (
	"cmp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

// MaxRangeDays bounds a calendar query: both ends count, so a whole leap
// year (366 days) fits and nothing longer does.
const MaxRangeDays = 366

// OccurrenceType tells routines from special dates on the calendar.
type OccurrenceType string

// The types of occurrence.
const (
	TypeRoutine     OccurrenceType = "routine"
	TypeSpecialDate OccurrenceType = "special_date"
)

// Occurrence is one routine or special date on one day.
type Occurrence struct {
	Date  wallclock.Date
	Type  OccurrenceType
	ID    uuid.UUID
	Title string
	// Time is the routine's wall-clock time; nil for special dates.
	Time *wallclock.TimeOfDay
}

// CheckRange validates a calendar query's inclusive range.
func CheckRange(from, to wallclock.Date) error {
	var errs fields.Set
	switch {
	case to.Before(from):
		errs.Add("to", "must not be before from")
	case from.DaysUntil(to)+1 > MaxRangeDays:
		errs.Add("to", "the range is at most 366 days, both ends included")
	}
	return errs.Err()
}

// Occurrences lists every occurrence of routines and dates from from to to,
// both included, ordered by date, then time (a special date, having none,
// first), then title and id so equal entries keep a stable order. Dates are
// calendar dates in the owner's timezone, where routine times are too.
func Occurrences(from, to wallclock.Date, routines []Routine, dates []SpecialDate) []Occurrence {
	out := []Occurrence{}
	for d := from; !d.After(to); d = d.AddDays(1) {
		for _, s := range dates {
			if s.OccursOn(d) {
				out = append(out, Occurrence{Date: d, Type: TypeSpecialDate, ID: s.id, Title: s.name})
			}
		}
		for _, r := range routines {
			if r.OccursOn(d) {
				at := r.at
				out = append(out, Occurrence{Date: d, Type: TypeRoutine, ID: r.id, Title: r.title, Time: &at})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Occurrence) int {
		return cmp.Or(
			a.Date.Compare(b.Date),
			cmp.Compare(minuteOf(a), minuteOf(b)),
			strings.Compare(a.Title, b.Title),
			strings.Compare(a.ID.String(), b.ID.String()),
		)
	})
	return out
}

func minuteOf(o Occurrence) int {
	if o.Time == nil {
		return -1
	}
	return o.Time.Minutes()
}
