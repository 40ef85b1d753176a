package letter

import (
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"fmt"
	"time"
)

// Date is a calendar date without a time or zone, as the writer picked it.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a real date in YYYY-MM-DD form; 2027-02-29 is refused.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return Date{}, fmt.Errorf("date %q: want a real date as YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf is the date t shows on a calendar in its own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return d.Time().Format(time.DateOnly) }

// Time is midnight UTC of the date, for storage in a date column.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.Time().Compare(e.Time()) }

// AddYears moves the date n years; Feb 29 into a non-leap year becomes
// Mar 1 (time.AddDate normalisation).
func (d Date) AddYears(n int) Date { return DateOf(d.Time().AddDate(n, 0, 0)) }

// Clock is a wall-clock time of day, to the minute.
type Clock struct {
	Hour, Minute int
}

// DefaultOpenTime is when a letter opens when the writer names no time.
var DefaultOpenTime = Clock{9, 0}

// ParseClock reads HH:MM, 00:00 to 23:59, two digits each.
func ParseClock(s string) (Clock, error) {
	bad := fmt.Errorf("time %q: want HH:MM between 00:00 and 23:59", s)
	if len(s) != 5 || s[2] != ':' {
		return Clock{}, bad
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return Clock{}, bad
		}
	}
	c := Clock{int(s[0]-'0')*10 + int(s[1]-'0'), int(s[3]-'0')*10 + int(s[4]-'0')}
	if c.Hour > 23 || c.Minute > 59 {
		return Clock{}, bad
	}
	return c, nil
}

// String formats the time as HH:MM.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// OpenAt is the instant date+clock happens in loc, resolved as every
// service resolves wall times (package wallclock): a time skipped by a
// spring-forward jump moves forward by the gap (02:30 on New York's
// spring-forward day opens at 03:30 EDT, never early); a time that happens
// twice opens at the first.
func OpenAt(d Date, c Clock, loc *time.Location) time.Time {
	return wallclock.At(d.Year, d.Month, d.Day, c.Hour, c.Minute, loc)
}
