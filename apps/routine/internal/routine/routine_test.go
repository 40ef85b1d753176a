package routine_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/fields"

	"github.com/lettertomyself/ltm/apps/routine/internal/routine"
)

// fieldsOf returns the fields err complains about (nil for no error).
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var invalid *fields.Error
	if !errors.As(err, &invalid) {
		t.Fatalf("got %v, want a *fields.Error", err)
	}
	return slices.Sorted(maps.Keys(invalid.Fields()))
}

func TestNewRoutineValidation(t *testing.T) {
	tests := []struct {
		name string
		in   routine.RoutineFields
		bad  string // comma-separated fields, "" for valid
	}{
		{"weekly", routine.RoutineFields{Title: "Sunday letter", Kind: routine.Weekly, Weekday: ptr("sun"), Time: "21:00"}, ""},
		{"monthly 31", routine.RoutineFields{Title: "월말 편지", Kind: routine.Monthly, DayOfMonth: ptr(31), Time: "00:00"}, ""},
		{"title of 50 runes", routine.RoutineFields{Title: strings.Repeat("가", 50), Kind: routine.Weekly, Weekday: ptr("mon"), Time: "23:59"}, ""},
		{"title of 51 runes", routine.RoutineFields{Title: strings.Repeat("가", 51), Kind: routine.Weekly, Weekday: ptr("mon"), Time: "09:00"}, "title"},
		{"blank title", routine.RoutineFields{Title: "   ", Kind: routine.Weekly, Weekday: ptr("mon"), Time: "09:00"}, "title"},
		{"control character in title", routine.RoutineFields{Title: "a\x00b", Kind: routine.Weekly, Weekday: ptr("mon"), Time: "09:00"}, "title"},
		{"bidi override in title", routine.RoutineFields{Title: "a\u202eb", Kind: routine.Weekly, Weekday: ptr("mon"), Time: "09:00"}, "title"},
		{"title of zero-width spaces", routine.RoutineFields{Title: "\u200b\u200b", Kind: routine.Weekly, Weekday: ptr("mon"), Time: "09:00"}, "title"},
		{"title with emoji joiners", routine.RoutineFields{Title: "글쓰기 👩\u200d💻", Kind: routine.Weekly, Weekday: ptr("mon"), Time: "09:00"}, ""},
		{"no kind", routine.RoutineFields{Title: "t", Time: "09:00"}, "kind"},
		{"unknown kind", routine.RoutineFields{Title: "t", Kind: "daily", Time: "09:00"}, "kind"},
		{"weekly without weekday", routine.RoutineFields{Title: "t", Kind: routine.Weekly, Time: "09:00"}, "weekday"},
		{"weekly with a bad weekday", routine.RoutineFields{Title: "t", Kind: routine.Weekly, Weekday: ptr("Monday"), Time: "09:00"}, "weekday"},
		{"weekly with day_of_month", routine.RoutineFields{Title: "t", Kind: routine.Weekly, Weekday: ptr("mon"), DayOfMonth: ptr(3), Time: "09:00"}, "day_of_month"},
		{"monthly without day", routine.RoutineFields{Title: "t", Kind: routine.Monthly, Time: "09:00"}, "day_of_month"},
		{"monthly day 0", routine.RoutineFields{Title: "t", Kind: routine.Monthly, DayOfMonth: ptr(0), Time: "09:00"}, "day_of_month"},
		{"monthly day 32", routine.RoutineFields{Title: "t", Kind: routine.Monthly, DayOfMonth: ptr(32), Time: "09:00"}, "day_of_month"},
		{"monthly with weekday", routine.RoutineFields{Title: "t", Kind: routine.Monthly, DayOfMonth: ptr(1), Weekday: ptr("mon"), Time: "09:00"}, "weekday"},
		{"no time", routine.RoutineFields{Title: "t", Kind: routine.Weekly, Weekday: ptr("mon")}, "time"},
		{"time 24:00", routine.RoutineFields{Title: "t", Kind: routine.Weekly, Weekday: ptr("mon"), Time: "24:00"}, "time"},
		{"time 9:00", routine.RoutineFields{Title: "t", Kind: routine.Weekly, Weekday: ptr("mon"), Time: "9:00"}, "time"},
		{"time with seconds", routine.RoutineFields{Title: "t", Kind: routine.Weekly, Weekday: ptr("mon"), Time: "09:00:00"}, "time"},
		{"everything wrong at once", routine.RoutineFields{Kind: "yearly", Time: "noon"}, "kind,time,title"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := routine.NewRoutine(uuid.New(), user, tc.in, now)
			if got := strings.Join(fieldsOf(t, err), ","); got != tc.bad {
				t.Errorf("invalid fields %q, want %q (err %v)", got, tc.bad, err)
			}
		})
	}
}

func TestRoutineApply(t *testing.T) {
	later := now.Add(time.Hour)
	tests := []struct {
		name  string
		patch routine.RoutinePatch
		bad   string
		check func(t *testing.T, r routine.Routine)
	}{
		{"title only", routine.RoutinePatch{Title: ptr("new")}, "", func(t *testing.T, r routine.Routine) {
			if r.Title() != "new" || r.Time().String() != "21:00" {
				t.Errorf("got %q at %s", r.Title(), r.Time())
			}
		}},
		{"to monthly with a day", routine.RoutinePatch{Kind: ptr(routine.Monthly), DayOfMonth: ptr(30)}, "", func(t *testing.T, r routine.Routine) {
			d, ok := r.DayOfMonth()
			if _, weekly := r.Weekday(); !ok || d != 30 || weekly {
				t.Errorf("got day %d ok %v", d, ok)
			}
		}},
		{"to monthly without a day", routine.RoutinePatch{Kind: ptr(routine.Monthly)}, "day_of_month", nil},
		{"day_of_month on a weekly routine", routine.RoutinePatch{DayOfMonth: ptr(3)}, "day_of_month", nil},
		{"same kind keeps the weekday", routine.RoutinePatch{Kind: ptr(routine.Weekly)}, "", nil},
		{"bad time", routine.RoutinePatch{Time: ptr("25:00")}, "time", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := weekly(t, "t", "sun", "21:00")
			got, err := r.Apply(tc.patch, later)
			if bad := strings.Join(fieldsOf(t, err), ","); bad != tc.bad {
				t.Fatalf("invalid fields %q, want %q (err %v)", bad, tc.bad, err)
			}
			if err != nil {
				return
			}
			if got.ID() != r.ID() || !got.CreatedAt().Equal(now) || !got.UpdatedAt().Equal(later) {
				t.Errorf("identity or timestamps changed: %v %v %v", got.ID(), got.CreatedAt(), got.UpdatedAt())
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

func TestNewSpecialDateValidation(t *testing.T) {
	tests := []struct {
		name string
		in   routine.SpecialDateFields
		bad  string
	}{
		{"birthday", routine.SpecialDateFields{Name: "생일", Date: "1990-05-01", Yearly: true}, ""},
		{"leap day", routine.SpecialDateFields{Name: "x", Date: "2024-02-29"}, ""},
		{"Feb 29 of a common year", routine.SpecialDateFields{Name: "x", Date: "2025-02-29"}, "date"},
		{"April 31", routine.SpecialDateFields{Name: "x", Date: "2025-04-31"}, "date"},
		{"not a date", routine.SpecialDateFields{Name: "x", Date: "May 1st"}, "date"},
		{"no date", routine.SpecialDateFields{Name: "x"}, "date"},
		{"no name", routine.SpecialDateFields{Date: "2025-01-01"}, "name"},
		{"name of 51 runes", routine.SpecialDateFields{Name: strings.Repeat("a", 51), Date: "2025-01-01"}, "name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := routine.NewSpecialDate(uuid.New(), user, tc.in, now)
			if got := strings.Join(fieldsOf(t, err), ","); got != tc.bad {
				t.Errorf("invalid fields %q, want %q (err %v)", got, tc.bad, err)
			}
		})
	}
}
