package httpapi

import (
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/routine/internal/routine"
)

// maxBodyBytes bounds request bodies: a routine is a few short fields.
const maxBodyBytes = 8 << 10

// routineRequest is the body of POST and PATCH /api/routines. In a PATCH
// an absent or null member leaves the field as it is.
type routineRequest struct {
	Title      *string `json:"title"`
	Kind       *string `json:"kind"`
	Weekday    *string `json:"weekday"`
	DayOfMonth *int    `json:"day_of_month"`
	Time       *string `json:"time"`
}

func (r routineRequest) fields() routine.RoutineFields {
	return routine.RoutineFields{
		Title: deref(r.Title), Kind: routine.Kind(deref(r.Kind)),
		Weekday: r.Weekday, DayOfMonth: r.DayOfMonth, Time: deref(r.Time),
	}
}

func (r routineRequest) patch() routine.RoutinePatch {
	p := routine.RoutinePatch{Title: r.Title, Weekday: r.Weekday, DayOfMonth: r.DayOfMonth, Time: r.Time}
	if r.Kind != nil {
		k := routine.Kind(*r.Kind)
		p.Kind = &k
	}
	return p
}

// specialDateRequest is the body of POST and PATCH /api/special-dates.
type specialDateRequest struct {
	Name   *string `json:"name"`
	Date   *string `json:"date"`
	Yearly *bool   `json:"yearly"`
}

func (r specialDateRequest) fields() routine.SpecialDateFields {
	yearly := true // a birthday or an anniversary, the common case
	if r.Yearly != nil {
		yearly = *r.Yearly
	}
	return routine.SpecialDateFields{Name: deref(r.Name), Date: deref(r.Date), Yearly: yearly}
}

func (r specialDateRequest) patch() routine.SpecialDatePatch {
	return routine.SpecialDatePatch{Name: r.Name, Date: r.Date, Yearly: r.Yearly}
}

type routineDTO struct {
	ID         uuid.UUID `json:"id"`
	Title      string    `json:"title"`
	Kind       string    `json:"kind"`
	Weekday    *string   `json:"weekday,omitempty"`
	DayOfMonth *int      `json:"day_of_month,omitempty"`
	Time       string    `json:"time"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func toRoutineDTO(r routine.Routine) routineDTO {
	f := r.Fields()
	return routineDTO{
		ID: r.ID(), Title: r.Title(), Kind: string(r.Kind()), Weekday: f.Weekday, DayOfMonth: f.DayOfMonth,
		Time: f.Time, CreatedAt: r.CreatedAt().UTC(), UpdatedAt: r.UpdatedAt().UTC(),
	}
}

type specialDateDTO struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Date      string    `json:"date"`
	Yearly    bool      `json:"yearly"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toSpecialDateDTO(s routine.SpecialDate) specialDateDTO {
	return specialDateDTO{
		ID: s.ID(), Name: s.Name(), Date: s.Date().String(), Yearly: s.Yearly(),
		CreatedAt: s.CreatedAt().UTC(), UpdatedAt: s.UpdatedAt().UTC(),
	}
}

type listDTO[T any] struct {
	Items []T `json:"items"`
}

func toList[S, T any](items []S, conv func(S) T) listDTO[T] {
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = conv(it)
	}
	return listDTO[T]{Items: out}
}

type occurrenceDTO struct {
	Date  string    `json:"date"`
	Type  string    `json:"type"`
	ID    uuid.UUID `json:"id"`
	Title string    `json:"title"`
	Time  string    `json:"time,omitempty"`
}

func toOccurrenceDTOs(occs []routine.Occurrence) []occurrenceDTO {
	out := make([]occurrenceDTO, len(occs))
	for i, o := range occs {
		out[i] = occurrenceDTO{Date: o.Date.String(), Type: string(o.Type), ID: o.ID, Title: o.Title}
		if o.Time != nil {
			out[i].Time = o.Time.String()
		}
	}
	return out
}

type calendarDTO struct {
	From        string          `json:"from"`
	To          string          `json:"to"`
	Timezone    string          `json:"timezone"`
	Occurrences []occurrenceDTO `json:"occurrences"`
}

type todayDTO struct {
	Date        string          `json:"date"`
	Timezone    string          `json:"timezone"`
	Occurrences []occurrenceDTO `json:"occurrences"`
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
