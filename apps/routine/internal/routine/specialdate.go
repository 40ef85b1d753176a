package routine

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

// SpecialDateFields is a special date as a client writes it.
type SpecialDateFields struct {
	Name   string
	Date   string // YYYY-MM-DD
	Yearly bool
}

// SpecialDatePatch is a partial update; nil members stay as they are.
type SpecialDatePatch struct {
	Name   *string
	Date   *string
	Yearly *bool
}

// SpecialDate is a named day (a birthday, an anniversary), once or every
// year.
type SpecialDate struct {
	id, userID           uuid.UUID
	name                 string
	date                 wallclock.Date
	yearly               bool
	createdAt, updatedAt time.Time
}

// NewSpecialDate validates f and returns a new special date of userID.
func NewSpecialDate(id, userID uuid.UUID, f SpecialDateFields, now time.Time) (SpecialDate, error) {
	s, err := specialDateFrom(f)
	if err != nil {
		return SpecialDate{}, err
	}
	s.id, s.userID, s.createdAt, s.updatedAt = id, userID, now, now
	return s, nil
}

// RestoreSpecialDate rebuilds a stored special date.
func RestoreSpecialDate(id, userID uuid.UUID, f SpecialDateFields, createdAt, updatedAt time.Time) (SpecialDate, error) {
	s, err := specialDateFrom(f)
	if err != nil {
		return SpecialDate{}, fmt.Errorf("stored special date %s: %w", id, err)
	}
	s.id, s.userID, s.createdAt, s.updatedAt = id, userID, createdAt, updatedAt
	return s, nil
}

// Apply returns s changed by p and validated as a whole.
func (s SpecialDate) Apply(p SpecialDatePatch, now time.Time) (SpecialDate, error) {
	f := s.Fields()
	if p.Name != nil {
		f.Name = *p.Name
	}
	if p.Date != nil {
		f.Date = *p.Date
	}
	if p.Yearly != nil {
		f.Yearly = *p.Yearly
	}
	next, err := specialDateFrom(f)
	if err != nil {
		return SpecialDate{}, err
	}
	next.id, next.userID, next.createdAt, next.updatedAt = s.id, s.userID, s.createdAt, now
	return next, nil
}

// Fields returns s in the form a client writes.
func (s SpecialDate) Fields() SpecialDateFields {
	return SpecialDateFields{Name: s.name, Date: s.date.String(), Yearly: s.yearly}
}

func specialDateFrom(f SpecialDateFields) (SpecialDate, error) {
	var errs fields.Set
	s := SpecialDate{yearly: f.Yearly}
	s.name = checkTitle(&errs, "name", f.Name)
	if f.Date == "" {
		errs.Add("date", "required, as YYYY-MM-DD")
	} else if d, err := wallclock.ParseDate(f.Date); err == nil {
		s.date = d
	} else {
		errs.Add("date", "must be a real date as YYYY-MM-DD")
	}
	if err := errs.Err(); err != nil {
		return SpecialDate{}, err
	}
	return s, nil
}

func (s SpecialDate) ID() uuid.UUID        { return s.id }
func (s SpecialDate) UserID() uuid.UUID    { return s.userID }
func (s SpecialDate) Name() string         { return s.name }
func (s SpecialDate) Date() wallclock.Date { return s.date }
func (s SpecialDate) Yearly() bool         { return s.yearly }
func (s SpecialDate) CreatedAt() time.Time { return s.createdAt }
func (s SpecialDate) UpdatedAt() time.Time { return s.updatedAt }

// OccursOn reports whether s falls on d. A one-off date falls only on
// itself. A yearly one falls on the same month and day every year from its
// own date on (never before it: an anniversary has no earlier
// occurrences). Feb 29 falls on Feb 28 in years without one, so the day is
// still marked in the same month, and never on a date that does not exist.
func (s SpecialDate) OccursOn(d wallclock.Date) bool {
	if !s.yearly {
		return d == s.date
	}
	if d.Before(s.date) || d.Month() != s.date.Month() {
		return false
	}
	day := s.date.Day()
	if s.date.Month() == time.February && day == 29 && wallclock.DaysIn(d.Year(), time.February) != 29 {
		day = 28
	}
	return d.Day() == day
}
