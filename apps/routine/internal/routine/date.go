package routine

import (
	"fmt"
	"time"
)

// Date is a calendar date with no time and no zone: what a user means by
// "2025-03-01" wherever they are.
type Date struct {
	t time.Time // midnight UTC, always
}

const dateLayout = "2006-01-02"

// ParseDate reads a real date in YYYY-MM-DD form; 2025-02-30 is refused.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil || t.Year() < 1 {
		return Date{}, fmt.Errorf("%q is not a date in YYYY-MM-DD form", s)
	}
	return Date{t: t}, nil
}

// NewDate returns the date y-m-d, normalised like time.Date.
func NewDate(y int, m time.Month, d int) Date {
	return Date{t: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// DateOf is the calendar date of t in t's own location.
func DateOf(t time.Time) Date { return NewDate(t.Date()) }

func (d Date) Year() int             { return d.t.Year() }
func (d Date) Month() time.Month     { return d.t.Month() }
func (d Date) Day() int              { return d.t.Day() }
func (d Date) Weekday() time.Weekday { return d.t.Weekday() }
func (d Date) String() string        { return d.t.Format(dateLayout) }
func (d Date) AddDays(n int) Date    { return Date{t: d.t.AddDate(0, 0, n)} }
func (d Date) Before(o Date) bool    { return d.t.Before(o.t) }
func (d Date) After(o Date) bool     { return d.t.After(o.t) }
func (d Date) Compare(o Date) int    { return d.t.Compare(o.t) }

// Time is the date's midnight in UTC, for storage as a SQL date.
func (d Date) Time() time.Time { return d.t }

// DaysUntil is the number of days from d to o (negative when o is earlier).
func (d Date) DaysUntil(o Date) int { return int(o.t.Sub(d.t).Hours() / 24) }

// DaysIn is the number of days in month m of year y.
func DaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isLeap(y int) bool { return DaysIn(y, time.February) == 29 }
