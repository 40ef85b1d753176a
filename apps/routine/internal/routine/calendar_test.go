package routine_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"github.com/lettertomyself/ltm/apps/routine/internal/routine"
)

var (
	now  = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	user = uuid.New()
)

func ptr[T any](v T) *T { return &v }

func date(t *testing.T, s string) wallclock.Date {
	t.Helper()
	d, err := wallclock.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func weekly(t *testing.T, title, day, at string) routine.Routine {
	t.Helper()
	r, err := routine.NewRoutine(uuid.New(), user, routine.RoutineFields{Title: title, Kind: routine.Weekly, Weekday: &day, Time: at}, now)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func monthly(t *testing.T, title string, day int, at string) routine.Routine {
	t.Helper()
	r, err := routine.NewRoutine(uuid.New(), user, routine.RoutineFields{Title: title, Kind: routine.Monthly, DayOfMonth: &day, Time: at}, now)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func special(t *testing.T, name, on string, yearly bool) routine.SpecialDate {
	t.Helper()
	s, err := routine.NewSpecialDate(uuid.New(), user, routine.SpecialDateFields{Name: name, Date: on, Yearly: yearly}, now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// render writes occurrences as "date title[@time]" lines, easy to compare.
func render(os []routine.Occurrence) string {
	var b strings.Builder
	for _, o := range os {
		b.WriteString(o.Date.String() + " " + o.Title)
		if o.Time != nil {
			b.WriteString("@" + o.Time.String())
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestOccurrences(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		routines func(t *testing.T) []routine.Routine
		dates    func(t *testing.T) []routine.SpecialDate
		want     string
	}{
		{
			name: "monthly 31 falls on Feb 28 in a common year, Apr 30, and the 31st where it exists",
			from: "2025-01-01", to: "2025-05-31",
			routines: func(t *testing.T) []routine.Routine { return []routine.Routine{monthly(t, "m31", 31, "21:00")} },
			want:     "2025-01-31 m31@21:00\n2025-02-28 m31@21:00\n2025-03-31 m31@21:00\n2025-04-30 m31@21:00\n2025-05-31 m31@21:00\n",
		},
		{
			name: "monthly 31 falls on Feb 29 in a leap year",
			from: "2024-02-01", to: "2024-03-01",
			routines: func(t *testing.T) []routine.Routine { return []routine.Routine{monthly(t, "m31", 31, "08:00")} },
			want:     "2024-02-29 m31@08:00\n",
		},
		{
			name: "monthly 29 falls on Feb 28 once, not twice, in a common year",
			from: "2025-02-01", to: "2025-03-31",
			routines: func(t *testing.T) []routine.Routine { return []routine.Routine{monthly(t, "m29", 29, "08:00")} },
			want:     "2025-02-28 m29@08:00\n2025-03-29 m29@08:00\n",
		},
		{
			name: "monthly 30 in February and April",
			from: "2025-02-01", to: "2025-04-30",
			routines: func(t *testing.T) []routine.Routine { return []routine.Routine{monthly(t, "m30", 30, "08:00")} },
			want:     "2025-02-28 m30@08:00\n2025-03-30 m30@08:00\n2025-04-30 m30@08:00\n",
		},
		{
			name: "weekly across a month boundary",
			from: "2025-01-25", to: "2025-02-10",
			routines: func(t *testing.T) []routine.Routine { return []routine.Routine{weekly(t, "fri", "fri", "19:30")} },
			want:     "2025-01-31 fri@19:30\n2025-02-07 fri@19:30\n",
		},
		{
			name: "weekly on Sunday across a year end",
			from: "2025-12-25", to: "2026-01-10",
			routines: func(t *testing.T) []routine.Routine { return []routine.Routine{weekly(t, "sun", "sun", "10:00")} },
			want:     "2025-12-28 sun@10:00\n2026-01-04 sun@10:00\n",
		},
		{
			name: "yearly Feb 29 falls on Feb 28 in common years and Feb 29 in leap years",
			from: "2024-01-01", to: "2028-12-31",
			dates: func(t *testing.T) []routine.SpecialDate {
				return []routine.SpecialDate{special(t, "leapling", "2024-02-29", true)}
			},
			want: "2024-02-29 leapling\n2025-02-28 leapling\n2026-02-28 leapling\n2027-02-28 leapling\n2028-02-29 leapling\n",
		},
		{
			name: "yearly date never before its own date",
			from: "2023-01-01", to: "2026-12-31",
			dates: func(t *testing.T) []routine.SpecialDate {
				return []routine.SpecialDate{special(t, "anniversary", "2024-06-15", true)}
			},
			want: "2024-06-15 anniversary\n2025-06-15 anniversary\n2026-06-15 anniversary\n",
		},
		{
			name: "non-yearly date only on its date",
			from: "2024-01-01", to: "2026-12-31",
			dates: func(t *testing.T) []routine.SpecialDate {
				return []routine.SpecialDate{special(t, "once", "2025-03-01", false)}
			},
			want: "2025-03-01 once\n",
		},
		{
			name: "yearly date across a year end",
			from: "2025-12-15", to: "2026-01-15",
			dates: func(t *testing.T) []routine.SpecialDate {
				return []routine.SpecialDate{special(t, "new year", "2000-01-01", true), special(t, "eve", "1999-12-31", true)}
			},
			want: "2025-12-31 eve\n2026-01-01 new year\n",
		},
		{
			name: "one day sorted: special dates first, then routines by time",
			from: "2025-03-03", to: "2025-03-03",
			routines: func(t *testing.T) []routine.Routine {
				return []routine.Routine{weekly(t, "late", "mon", "22:00"), monthly(t, "early", 3, "07:05"), weekly(t, "noon", "mon", "12:00")}
			},
			dates: func(t *testing.T) []routine.SpecialDate {
				return []routine.SpecialDate{special(t, "birthday", "1990-03-03", true)}
			},
			want: "2025-03-03 birthday\n2025-03-03 early@07:05\n2025-03-03 noon@12:00\n2025-03-03 late@22:00\n",
		},
		{
			name: "a whole leap year of a monthly 31st: twelve, all valid",
			from: "2024-01-01", to: "2024-12-31",
			routines: func(t *testing.T) []routine.Routine { return []routine.Routine{monthly(t, "m", 31, "00:00")} },
			want: "2024-01-31 m@00:00\n2024-02-29 m@00:00\n2024-03-31 m@00:00\n2024-04-30 m@00:00\n2024-05-31 m@00:00\n2024-06-30 m@00:00\n" +
				"2024-07-31 m@00:00\n2024-08-31 m@00:00\n2024-09-30 m@00:00\n2024-10-31 m@00:00\n2024-11-30 m@00:00\n2024-12-31 m@00:00\n",
		},
		{
			name: "nothing to show",
			from: "2025-01-01", to: "2025-01-31",
			want: "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rs []routine.Routine
			var ds []routine.SpecialDate
			if tc.routines != nil {
				rs = tc.routines(t)
			}
			if tc.dates != nil {
				ds = tc.dates(t)
			}
			got := render(routine.Occurrences(date(t, tc.from), date(t, tc.to), rs, ds))
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestCheckRange(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		ok       bool
	}{
		{"one day", "2025-03-01", "2025-03-01", true},
		{"a whole leap year is 366 days", "2024-01-01", "2024-12-31", true},
		{"366 days across a year end", "2025-07-01", "2026-07-01", true},
		{"367 days", "2024-01-01", "2025-01-01", false},
		{"to before from", "2025-03-02", "2025-03-01", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := routine.CheckRange(date(t, tc.from), date(t, tc.to))
			var invalid *fields.Error
			if tc.ok && err != nil {
				t.Errorf("got %v, want nil", err)
			}
			if !tc.ok && (!errors.As(err, &invalid) || invalid.Message("to") == "") {
				t.Errorf("got %v, want a field error on to", err)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2025-02-29", "2025-13-01", "2025-04-31", "25-01-01", "2025-1-1", "0000-01-01", "", "2025-01-01T00:00:00Z"} {
		if _, err := wallclock.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) succeeded, want an error", s)
		}
	}
	if d := date(t, "2024-02-29"); d.String() != "2024-02-29" {
		t.Errorf("got %s", d)
	}
}
