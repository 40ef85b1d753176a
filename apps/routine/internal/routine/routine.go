package routine

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

// MaxTitleRunes bounds a routine's title and a special date's name.
const MaxTitleRunes = 50

// Kind is how a routine repeats.
type Kind string

// The kinds of routine.
const (
	Weekly  Kind = "weekly"
	Monthly Kind = "monthly"
)

// RoutineFields is a routine as a client writes it, before validation.
// Weekday belongs to weekly routines and DayOfMonth to monthly ones; nil
// means absent.
type RoutineFields struct {
	Title      string
	Kind       Kind
	Weekday    *string
	DayOfMonth *int
	Time       string
}

// RoutinePatch is a partial update; nil members stay as they are.
type RoutinePatch struct {
	Title      *string
	Kind       *Kind
	Weekday    *string
	DayOfMonth *int
	Time       *string
}

// Routine is a reminder to write, weekly on a weekday or monthly on a day
// of the month, at a wall-clock time in its owner's timezone.
type Routine struct {
	id, userID           uuid.UUID
	title                string
	kind                 Kind
	weekday              time.Weekday // weekly only
	dayOfMonth           int          // monthly only
	at                   wallclock.TimeOfDay
	createdAt, updatedAt time.Time
}

// NewRoutine validates f and returns a new routine of userID.
func NewRoutine(id, userID uuid.UUID, f RoutineFields, now time.Time) (Routine, error) {
	r, err := routineFrom(f)
	if err != nil {
		return Routine{}, err
	}
	r.id, r.userID, r.createdAt, r.updatedAt = id, userID, now, now
	return r, nil
}

// RestoreRoutine rebuilds a stored routine.
func RestoreRoutine(id, userID uuid.UUID, f RoutineFields, createdAt, updatedAt time.Time) (Routine, error) {
	r, err := routineFrom(f)
	if err != nil {
		return Routine{}, fmt.Errorf("stored routine %s: %w", id, err)
	}
	r.id, r.userID, r.createdAt, r.updatedAt = id, userID, createdAt, updatedAt
	return r, nil
}

// Apply returns r changed by p and validated as a whole. Changing the kind
// drops the old kind's field, so the patch must bring the new one.
func (r Routine) Apply(p RoutinePatch, now time.Time) (Routine, error) {
	f := r.Fields()
	if p.Kind != nil && *p.Kind != r.kind {
		f.Kind, f.Weekday, f.DayOfMonth = *p.Kind, nil, nil
	}
	if p.Title != nil {
		f.Title = *p.Title
	}
	if p.Weekday != nil {
		f.Weekday = p.Weekday
	}
	if p.DayOfMonth != nil {
		f.DayOfMonth = p.DayOfMonth
	}
	if p.Time != nil {
		f.Time = *p.Time
	}
	next, err := routineFrom(f)
	if err != nil {
		return Routine{}, err
	}
	next.id, next.userID, next.createdAt, next.updatedAt = r.id, r.userID, r.createdAt, now
	return next, nil
}

// Fields returns r in the form a client writes.
func (r Routine) Fields() RoutineFields {
	f := RoutineFields{Title: r.title, Kind: r.kind, Time: r.at.String()}
	switch r.kind {
	case Weekly:
		w := wallclock.WeekdayName(r.weekday)
		f.Weekday = &w
	case Monthly:
		d := r.dayOfMonth
		f.DayOfMonth = &d
	}
	return f
}

func routineFrom(f RoutineFields) (Routine, error) {
	var errs fields.Set
	r := Routine{kind: f.Kind}
	r.title = checkTitle(&errs, "title", f.Title)
	switch f.Kind {
	case Weekly:
		if f.DayOfMonth != nil {
			errs.Add("day_of_month", "only monthly routines have a day of the month")
		}
		switch {
		case f.Weekday == nil:
			errs.Add("weekday", "required for a weekly routine")
		default:
			w, err := wallclock.ParseWeekday(*f.Weekday)
			if err != nil {
				errs.Add("weekday", "must be one of mon, tue, wed, thu, fri, sat, sun")
			}
			r.weekday = w
		}
	case Monthly:
		if f.Weekday != nil {
			errs.Add("weekday", "only weekly routines have a weekday")
		}
		switch {
		case f.DayOfMonth == nil:
			errs.Add("day_of_month", "required for a monthly routine")
		case *f.DayOfMonth < 1 || *f.DayOfMonth > 31:
			errs.Add("day_of_month", "must be between 1 and 31")
		default:
			r.dayOfMonth = *f.DayOfMonth
		}
	case "":
		errs.Add("kind", "required: weekly or monthly")
	default:
		errs.Add("kind", "must be weekly or monthly")
	}
	if f.Time == "" {
		errs.Add("time", "required, as HH:MM")
	} else if at, err := wallclock.ParseTimeOfDay(f.Time); err == nil {
		r.at = at
	} else {
		errs.Add("time", "must be a time of day as HH:MM, 00:00 to 23:59")
	}
	if err := errs.Err(); err != nil {
		return Routine{}, err
	}
	return r, nil
}

// checkTitle trims s and records what is wrong with it under field.
func checkTitle(errs *fields.Set, field, s string) string {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		errs.Add(field, "required")
	case n > MaxTitleRunes:
		errs.Add(field, fmt.Sprintf("at most %d characters", MaxTitleRunes))
	default:
		errs.Line(field, s) // the platform's one check: controls, bidi, invisible-only
	}
	return s
}

func (r Routine) ID() uuid.UUID             { return r.id }
func (r Routine) UserID() uuid.UUID         { return r.userID }
func (r Routine) Title() string             { return r.title }
func (r Routine) Kind() Kind                { return r.kind }
func (r Routine) Time() wallclock.TimeOfDay { return r.at }
func (r Routine) CreatedAt() time.Time      { return r.createdAt }
func (r Routine) UpdatedAt() time.Time      { return r.updatedAt }

// Weekday is the day of a weekly routine; ok is false for a monthly one.
func (r Routine) Weekday() (time.Weekday, bool) { return r.weekday, r.kind == Weekly }

// DayOfMonth is the day of a monthly routine; ok is false for a weekly one.
func (r Routine) DayOfMonth() (int, bool) { return r.dayOfMonth, r.kind == Monthly }

// OccursOn reports whether r falls on d. A monthly routine on day 29–31
// falls on the last day of shorter months: never skipped, never on a date
// that does not exist.
func (r Routine) OccursOn(d wallclock.Date) bool {
	switch r.kind {
	case Weekly:
		return d.Weekday() == r.weekday
	case Monthly:
		return d.Day() == min(r.dayOfMonth, wallclock.DaysIn(d.Year(), d.Month()))
	}
	return false
}
