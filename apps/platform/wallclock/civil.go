package wallclock

import (
	"errors"
	"fmt"
	"time"
	// Distroless images carry no zoneinfo; embedding it keeps every IANA
	// zone a user may pick loadable in every service.
	_ "time/tzdata"
)

// DefaultTimezone is the zone of a user with no profile (yet), and a new
// profile's zone: the product is Korean first.
const DefaultTimezone = "Asia/Seoul"

// DefaultLocation is DefaultTimezone loaded; the zone database is
// embedded, so it always loads.
func DefaultLocation() *time.Location {
	loc, err := time.LoadLocation(DefaultTimezone)
	if err != nil {
		panic(err) // time/tzdata is linked in: unreachable
	}
	return loc
}

// LoadZone loads a user's IANA zone. "" and "Local" are refused: the
// server's own zone is never a user's.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("%w: timezone %q", ErrFormat, name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: timezone %q: %v", ErrFormat, name, err)
	}
	return loc, nil
}

// ErrFormat marks a date, time of day or weekday that does not parse.
var ErrFormat = errors.New("not a valid wall-clock value")

// Date is a calendar date with no time and no zone: what a person means by
// "2026-03-01" wherever they are. The zero Date is not a valid date; test
// with IsZero.
type Date struct {
	t time.Time // midnight UTC, always
}

// NewDate returns the date y-m-d, normalised like time.Date (Feb 30 is
// Mar 2); ParseDate refuses such dates instead.
func NewDate(y int, m time.Month, d int) Date {
	return Date{t: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads a real date as YYYY-MM-DD, year 0001 or later:
// 2027-02-29 and 2026-3-1 are refused.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) || t.Year() < 1 {
		return Date{}, fmt.Errorf("%w: date %q is not a real date as YYYY-MM-DD", ErrFormat, s)
	}
	return Date{t: t}, nil
}

// DateOf is the date t shows on a calendar in t's own location.
func DateOf(t time.Time) Date { return NewDate(t.Date()) }

// Today is the calendar date at now in loc.
func Today(now time.Time, loc *time.Location) Date { return DateOf(now.In(loc)) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Year, Month, Day and Weekday are the date's parts.
func (d Date) Year() int             { return d.t.Year() }
func (d Date) Month() time.Month     { return d.t.Month() }
func (d Date) Day() int              { return d.t.Day() }
func (d Date) Weekday() time.Weekday { return d.t.Weekday() }

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return d.t.Format(time.DateOnly) }

// Time is the date's midnight in UTC, for a SQL date column.
func (d Date) Time() time.Time { return d.t }

// AddDays moves the date n calendar days.
func (d Date) AddDays(n int) Date { return Date{t: d.t.AddDate(0, 0, n)} }

// AddYears moves the date n years; Feb 29 into a non-leap year becomes
// Mar 1 (time.AddDate normalisation).
func (d Date) AddYears(n int) Date { return Date{t: d.t.AddDate(n, 0, 0)} }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int { return d.t.Compare(o.t) }

// Before and After compare two dates.
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }
func (d Date) After(o Date) bool  { return d.t.After(o.t) }

// DaysUntil is the number of days from d to o (negative when o is earlier).
func (d Date) DaysUntil(o Date) int { return int(o.t.Sub(d.t).Hours() / 24) }

// DaysIn is the number of days in month m of year y.
func DaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// TimeOfDay is a wall-clock time to the minute, 00:00 to 23:59.
type TimeOfDay struct {
	minutes int
}

// NewTimeOfDay returns hour:minute, or ErrFormat outside 00:00–23:59.
func NewTimeOfDay(hour, minute int) (TimeOfDay, error) {
	if hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return TimeOfDay{}, fmt.Errorf("%w: %d:%d is not a time of day", ErrFormat, hour, minute)
	}
	return TimeOfDay{minutes: hour*60 + minute}, nil
}

// MustTimeOfDay is NewTimeOfDay for constants written in code.
func MustTimeOfDay(hour, minute int) TimeOfDay {
	t, err := NewTimeOfDay(hour, minute)
	if err != nil {
		panic(err)
	}
	return t
}

// ParseTimeOfDay reads HH:MM, 00:00 to 23:59, two digits each.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return TimeOfDay{}, fmt.Errorf("%w: time %q is not HH:MM between 00:00 and 23:59", ErrFormat, s)
	}
	return TimeOfDay{minutes: t.Hour()*60 + t.Minute()}, nil
}

// Hour and Minute are the time's parts.
func (t TimeOfDay) Hour() int   { return t.minutes / 60 }
func (t TimeOfDay) Minute() int { return t.minutes % 60 }

// Minutes is the minute of the day, 0 to 1439.
func (t TimeOfDay) Minutes() int { return t.minutes }

// String formats the time as HH:MM.
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute()) }

// On is the instant date d at time t happens in loc, resolved as At does.
func On(d Date, t TimeOfDay, loc *time.Location) time.Time {
	return At(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), loc)
}

var weekdayNames = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeekday reads the wire name of a weekday, "mon" … "sun".
func ParseWeekday(s string) (time.Weekday, error) {
	for i, n := range weekdayNames {
		if n == s {
			return time.Weekday(i), nil
		}
	}
	return 0, fmt.Errorf("%w: weekday %q is not one of mon…sun", ErrFormat, s)
}

// WeekdayName is the wire name of w ("mon" …).
func WeekdayName(w time.Weekday) string { return weekdayNames[w] }
