// Package schedule computes when recurring work next happens, in the user's
// wall-clock time: weekly and monthly routines and special dates. It is pure
// time arithmetic with the time package: no clock, no storage.
//
// Wall times that do not exist or exist twice are resolved explicitly,
// because time.Date leaves the choice open and in practice is inconsistent
// (2026-03-08 02:30 in America/New_York comes back as 01:30 EST, an hour
// before the gap, while 2026-03-29 01:30 in Europe/London comes back as
// 02:30 BST; on 2026-10-25 London's 01:30 comes back as the second one):
//
//   - in a spring-forward gap the time is read with the offset in force
//     before the gap (RFC 5545 §3.3.5), which moves it forward by the gap's
//     length: 02:30 on a New York spring-forward day fires at 03:30 EDT;
//   - in a fall-back overlap the earlier of the two instants is used.
//
// Every occurrence is named by its local date, and each date resolves to
// exactly one instant, so an occurrence fires once across both changes.
package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

// Repeat is how a schedule recurs.
type Repeat string

// Repeats.
const (
	Weekly  Repeat = "weekly"
	Monthly Repeat = "monthly"
	Yearly  Repeat = "yearly"
	Once    Repeat = "once"
)

// SpecialDateTime is the local time special dates are mailed at.
const SpecialDateTime = "09:00"

// ErrInvalid marks a schedule that cannot be built.
var ErrInvalid = errors.New("invalid schedule")

// Date is a calendar date without a zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: date %q is not YYYY-MM-DD", ErrInvalid, s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

func (d Date) noon() time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }

func dateOf(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

// addDays is calendar arithmetic (noon UTC never meets a DST change).
func (d Date) addDays(n int) Date { return dateOf(d.noon().AddDate(0, 0, n)) }

// Schedule is one recurring (or one-off) piece of work in a timezone.
// Build it with NewWeekly, NewMonthly or NewSpecialDate.
type Schedule struct {
	repeat  Repeat
	weekday time.Weekday // Weekly
	day     int          // Monthly: 1–31, clamped to the month's last day
	date    Date         // Yearly, Once
	hour    int
	minute  int
	loc     *time.Location
}

// Occurrence is one firing of a schedule.
type Occurrence struct {
	// At is the instant, in UTC.
	At time.Time
	// Key names the occurrence stably: its local date, YYYY-MM-DD.
	Key string
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseWeekday reads "mon" … "sun".
func ParseWeekday(s string) (time.Weekday, error) {
	wd, ok := weekdays[strings.ToLower(s)]
	if !ok {
		return 0, fmt.Errorf("%w: weekday %q is not one of mon…sun", ErrInvalid, s)
	}
	return wd, nil
}

// WeekdayName is the inverse of ParseWeekday.
func WeekdayName(wd time.Weekday) string { return strings.ToLower(wd.String()[:3]) }

// ParseClock reads HH:MM (24 h).
func ParseClock(s string) (hour, minute int, err error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, 0, fmt.Errorf("%w: time %q is not HH:MM", ErrInvalid, s)
	}
	return t.Hour(), t.Minute(), nil
}

// LoadZone loads an IANA zone; the empty name is not UTC but an error,
// since every user has a zone.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("%w: timezone %q", ErrInvalid, name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: timezone %q: %v", ErrInvalid, name, err)
	}
	return loc, nil
}

// NewWeekly fires every week on wd at hh:mm in loc.
func NewWeekly(wd time.Weekday, hhmm string, loc *time.Location) (Schedule, error) {
	h, m, err := ParseClock(hhmm)
	if err != nil {
		return Schedule{}, err
	}
	if wd < time.Sunday || wd > time.Saturday || loc == nil {
		return Schedule{}, fmt.Errorf("%w: weekly", ErrInvalid)
	}
	return Schedule{repeat: Weekly, weekday: wd, hour: h, minute: m, loc: loc}, nil
}

// NewMonthly fires every month on day (1–31) at hh:mm in loc; in months
// shorter than day it fires on the month's last day.
func NewMonthly(day int, hhmm string, loc *time.Location) (Schedule, error) {
	h, m, err := ParseClock(hhmm)
	if err != nil {
		return Schedule{}, err
	}
	if day < 1 || day > 31 || loc == nil {
		return Schedule{}, fmt.Errorf("%w: day of month %d", ErrInvalid, day)
	}
	return Schedule{repeat: Monthly, day: day, hour: h, minute: m, loc: loc}, nil
}

// NewSpecialDate fires at 09:00 in loc on d: every year when yearly (a
// 29 February then falls on 28 February in common years), else once.
func NewSpecialDate(d Date, yearly bool, loc *time.Location) (Schedule, error) {
	if loc == nil || dateOf(d.noon()) != d {
		return Schedule{}, fmt.Errorf("%w: date %s", ErrInvalid, d)
	}
	h, m, _ := ParseClock(SpecialDateTime)
	r := Once
	if yearly {
		r = Yearly
	}
	return Schedule{repeat: r, date: d, hour: h, minute: m, loc: loc}, nil
}

// Repeat, Weekday, Day, Date, Clock and Location expose the fields for
// storage.
func (s Schedule) Repeat() Repeat           { return s.repeat }
func (s Schedule) Weekday() time.Weekday    { return s.weekday }
func (s Schedule) Day() int                 { return s.day }
func (s Schedule) Date() Date               { return s.date }
func (s Schedule) Clock() string            { return fmt.Sprintf("%02d:%02d", s.hour, s.minute) }
func (s Schedule) Location() *time.Location { return s.loc }

// Next returns the first occurrence strictly after after, or false when a
// one-off schedule has no occurrence left.
func (s Schedule) Next(after time.Time) (Occurrence, bool) {
	// Start a day early: after's local date may already hold an occurrence
	// that is still ahead of after.
	from := dateOf(after.In(s.loc)).addDays(-1)
	switch s.repeat {
	case Once:
		return s.at(s.date, after)
	case Weekly:
		for i := range 15 {
			d := from.addDays(i)
			if d.noon().Weekday() != s.weekday {
				continue
			}
			if o, ok := s.at(d, after); ok {
				return o, true
			}
		}
	case Monthly:
		for i := range 15 {
			first := time.Date(from.Year, from.Month+time.Month(i), 1, 12, 0, 0, 0, time.UTC)
			d := Date{first.Year(), first.Month(), min(s.day, daysIn(first.Year(), first.Month()))}
			if o, ok := s.at(d, after); ok {
				return o, true
			}
		}
	case Yearly:
		for y := from.Year; y <= from.Year+2; y++ {
			d := Date{y, s.date.Month, min(s.date.Day, daysIn(y, s.date.Month))}
			if o, ok := s.at(d, after); ok {
				return o, true
			}
		}
	}
	return Occurrence{}, false
}

// at is the occurrence on local date d, if it is after after.
func (s Schedule) at(d Date, after time.Time) (Occurrence, bool) {
	t := Resolve(d, s.hour, s.minute, s.loc)
	if !t.After(after) {
		return Occurrence{}, false
	}
	return Occurrence{At: t, Key: d.String()}, true
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// Resolve is the instant (UTC) of wall time hour:minute on date d in loc,
// resolved as package wallclock does for every service.
func Resolve(d Date, hour, minute int, loc *time.Location) time.Time {
	return wallclock.At(d.Year, d.Month, d.Day, hour, minute, loc)
}
