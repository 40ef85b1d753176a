package routine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

// ErrZoneUnavailable: the owner's timezone could not be looked up; the
// request fails rather than guessing a zone.
var ErrZoneUnavailable = errors.New("timezone lookup failed")

// Planner is routine-service's use cases that need more than the store:
// writes carry the owner's zone (the scheduler fires in it), and the
// calendar is read in the owner's zone.
type Planner struct {
	Store Store
	Zones Zones
	Clock clock.Clock
}

// now is the clock's time at the precision Postgres keeps, so what a
// write answers equals what a later read returns.
func (p *Planner) now() time.Time { return p.Clock.Now().UTC().Truncate(time.Microsecond) }

func (p *Planner) zone(ctx context.Context, user uuid.UUID) (*time.Location, error) {
	loc, err := p.Zones.Zone(ctx, user.String())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrZoneUnavailable, err)
	}
	return loc, nil
}

// CreateRoutine validates f, then stores the routine in its owner's zone;
// a bad routine is refused without asking for the zone.
func (p *Planner) CreateRoutine(ctx context.Context, user uuid.UUID, f RoutineFields) (Routine, error) {
	r, err := NewRoutine(uuid.New(), user, f, p.now())
	if err != nil {
		return Routine{}, err
	}
	loc, err := p.zone(ctx, user)
	if err != nil {
		return Routine{}, err
	}
	return r, p.Store.CreateRoutine(ctx, r, loc.String())
}

// UpdateRoutine applies patch to the owner's routine id.
func (p *Planner) UpdateRoutine(ctx context.Context, user, id uuid.UUID, patch RoutinePatch) (Routine, error) {
	loc, err := p.zone(ctx, user)
	if err != nil {
		return Routine{}, err
	}
	return p.Store.UpdateRoutine(ctx, user, id, loc.String(), func(cur Routine) (Routine, error) {
		return cur.Apply(patch, p.now())
	})
}

// CreateSpecialDate validates f, then stores the date in its owner's zone.
func (p *Planner) CreateSpecialDate(ctx context.Context, user uuid.UUID, f SpecialDateFields) (SpecialDate, error) {
	d, err := NewSpecialDate(uuid.New(), user, f, p.now())
	if err != nil {
		return SpecialDate{}, err
	}
	loc, err := p.zone(ctx, user)
	if err != nil {
		return SpecialDate{}, err
	}
	return d, p.Store.CreateSpecialDate(ctx, d, loc.String())
}

// UpdateSpecialDate applies patch to the owner's special date id.
func (p *Planner) UpdateSpecialDate(ctx context.Context, user, id uuid.UUID, patch SpecialDatePatch) (SpecialDate, error) {
	loc, err := p.zone(ctx, user)
	if err != nil {
		return SpecialDate{}, err
	}
	return p.Store.UpdateSpecialDate(ctx, user, id, loc.String(), func(cur SpecialDate) (SpecialDate, error) {
		return cur.Apply(patch, p.now())
	})
}

// Calendar is the owner's occurrences from from to to (a checked range),
// and the zone they are read in.
func (p *Planner) Calendar(ctx context.Context, user uuid.UUID, from, to wallclock.Date) (*time.Location, []Occurrence, error) {
	loc, err := p.zone(ctx, user)
	if err != nil {
		return nil, nil, err
	}
	occs, err := p.occurrences(ctx, user, from, to)
	return loc, occs, err
}

// Today is the owner's date now, in their zone, and its occurrences.
func (p *Planner) Today(ctx context.Context, user uuid.UUID) (wallclock.Date, *time.Location, []Occurrence, error) {
	loc, err := p.zone(ctx, user)
	if err != nil {
		return wallclock.Date{}, nil, nil, err
	}
	day := wallclock.Today(p.Clock.Now(), loc)
	occs, err := p.occurrences(ctx, user, day, day)
	return day, loc, occs, err
}

func (p *Planner) occurrences(ctx context.Context, user uuid.UUID, from, to wallclock.Date) ([]Occurrence, error) {
	rs, err := p.Store.ListRoutines(ctx, user)
	if err != nil {
		return nil, err
	}
	ds, err := p.Store.ListSpecialDates(ctx, user)
	if err != nil {
		return nil, err
	}
	return Occurrences(from, to, rs, ds), nil
}
