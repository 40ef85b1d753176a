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
var SpecialDateTime = wallclock.MustTimeOfDay(9, 0)

// ErrInvalid marks a schedule that cannot be built.
var ErrInvalid = errors.New("invalid schedule")

// Schedule is one recurring (or one-off) piece of work in a timezone.
// Build it with NewWeekly, NewMonthly or NewSpecialDate.
type Schedule struct {
	repeat  Repeat
	weekday time.Weekday   // Weekly
	day     int            // Monthly: 1–31, clamped to the month's last day
	date    wallclock.Date // Yearly, Once
	at      wallclock.TimeOfDay
	loc     *time.Location
}

// Occurrence is one firing of a schedule.
type Occurrence struct {
	// At is the instant, in UTC.
	At time.Time
	// Key names the occurrence stably: its local date, YYYY-MM-DD.
	Key string
}

// NewWeekly fires every week on wd at hh:mm in loc.
func NewWeekly(wd time.Weekday, hhmm string, loc *time.Location) (Schedule, error) {
	at, err := parseClock(hhmm)
	if err != nil {
		return Schedule{}, err
	}
	if wd < time.Sunday || wd > time.Saturday || loc == nil {
		return Schedule{}, fmt.Errorf("%w: weekly", ErrInvalid)
	}
	return Schedule{repeat: Weekly, weekday: wd, at: at, loc: loc}, nil
}

// NewMonthly fires every month on day (1–31) at hh:mm in loc; in months
// shorter than day it fires on the month's last day.
func NewMonthly(day int, hhmm string, loc *time.Location) (Schedule, error) {
	at, err := parseClock(hhmm)
	if err != nil {
		return Schedule{}, err
	}
	if day < 1 || day > 31 || loc == nil {
		return Schedule{}, fmt.Errorf("%w: day of month %d", ErrInvalid, day)
	}
	return Schedule{repeat: Monthly, day: day, at: at, loc: loc}, nil
}

// NewSpecialDate fires at 09:00 in loc on d: every year when yearly (a
// 29 February then falls on 28 February in common years), else once.
func NewSpecialDate(d wallclock.Date, yearly bool, loc *time.Location) (Schedule, error) {
	if loc == nil || d.IsZero() {
		return Schedule{}, fmt.Errorf("%w: date %s", ErrInvalid, d)
	}
	r := Once
	if yearly {
		r = Yearly
	}
	return Schedule{repeat: r, date: d, at: SpecialDateTime, loc: loc}, nil
}

// Repeat, Weekday, Day, Date, Clock and Location expose the fields for
// storage.
func (s Schedule) Repeat() Repeat           { return s.repeat }
func (s Schedule) Weekday() time.Weekday    { return s.weekday }
func (s Schedule) Day() int                 { return s.day }
func (s Schedule) Date() wallclock.Date     { return s.date }
func (s Schedule) Clock() string            { return s.at.String() }
func (s Schedule) Location() *time.Location { return s.loc }

// Next returns the first occurrence strictly after after, or false when a
// one-off schedule has no occurrence left.
func (s Schedule) Next(after time.Time) (Occurrence, bool) {
	// Start a day early: after's local date may already hold an occurrence
	// that is still ahead of after.
	from := wallclock.Today(after, s.loc).AddDays(-1)
	switch s.repeat {
	case Once:
		return s.occurrence(s.date, after)
	case Weekly:
		for i := range 15 {
			d := from.AddDays(i)
			if d.Weekday() != s.weekday {
				continue
			}
			if o, ok := s.occurrence(d, after); ok {
				return o, true
			}
		}
	case Monthly:
		for i := range 15 {
			first := wallclock.NewDate(from.Year(), from.Month()+time.Month(i), 1)
			d := wallclock.NewDate(first.Year(), first.Month(), min(s.day, wallclock.DaysIn(first.Year(), first.Month())))
			if o, ok := s.occurrence(d, after); ok {
				return o, true
			}
		}
	case Yearly:
		for y := from.Year(); y <= from.Year()+2; y++ {
			d := wallclock.NewDate(y, s.date.Month(), min(s.date.Day(), wallclock.DaysIn(y, s.date.Month())))
			if o, ok := s.occurrence(d, after); ok {
				return o, true
			}
		}
	}
	return Occurrence{}, false
}

// occurrence is the one on local date d, if it is after after.
func (s Schedule) occurrence(d wallclock.Date, after time.Time) (Occurrence, bool) {
	t := wallclock.On(d, s.at, s.loc)
	if !t.After(after) {
		return Occurrence{}, false
	}
	return Occurrence{At: t, Key: d.String()}, true
}

// parseClock reads HH:MM as an invalid schedule when it is not one.
func parseClock(hhmm string) (wallclock.TimeOfDay, error) {
	at, err := wallclock.ParseTimeOfDay(hhmm)
	if err != nil {
		return wallclock.TimeOfDay{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return at, nil
}
