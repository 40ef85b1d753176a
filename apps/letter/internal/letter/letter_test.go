package letter_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/fields"

	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func ptr(s string) *string { return &s }

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = uuid.NewString()
	}
	return out
}

func TestNewValidates(t *testing.T) {
	var (
		seoul      = zone(t, "Asia/Seoul")
		newYork    = zone(t, "America/New_York")
		kiritimati = zone(t, "Pacific/Kiritimati")
		// 10:30 UTC: 19:30 in Seoul, 06:30 in New York (both Mar 10),
		// already 00:30 on Mar 11 in Kiritimati (+14).
		morning = time.Date(2026, 3, 10, 10, 30, 0, 0, time.UTC)
		// 04:59 UTC Mar 11: 23:59 Mar 10 in New York (EDT since Mar 8),
		// 13:59 Mar 11 in Seoul.
		nyMidnight = time.Date(2026, 3, 11, 3, 59, 0, 0, time.UTC)
		// Leap day in Seoul.
		leapDay = time.Date(2028, 2, 29, 3, 0, 0, 0, time.UTC)
		five    = ids(5)
	)
	valid := func(mut func(*letter.Draft)) letter.Draft {
		d := letter.Draft{Title: "미래의 나에게", Content: "안녕, 잘 지내고 있니?", OpenDate: "2026-03-10"}
		if mut != nil {
			mut(&d)
		}
		return d
	}
	tests := []struct {
		name    string
		draft   letter.Draft
		loc     *time.Location
		now     time.Time
		invalid []string // fields with errors; none: valid
	}{
		{"today in Seoul", valid(nil), seoul, morning, nil},
		{"yesterday in Seoul", valid(func(d *letter.Draft) { d.OpenDate = "2026-03-09" }), seoul, morning, []string{"open_date"}},
		{"Kiritimati is already on the 11th", valid(nil), kiritimati, morning, []string{"open_date"}},
		{"the 11th is today in Kiritimati", valid(func(d *letter.Draft) { d.OpenDate = "2026-03-11" }), kiritimati, morning, nil},
		{"New York just before midnight: still the 10th", valid(nil), newYork, nyMidnight, nil},
		{"Seoul at the same instant: the 10th is past", valid(nil), seoul, nyMidnight, []string{"open_date"}},
		{"exactly 100 years ahead", valid(func(d *letter.Draft) { d.OpenDate = "2126-03-10" }), seoul, morning, nil},
		{"100 years and a day", valid(func(d *letter.Draft) { d.OpenDate = "2126-03-11" }), seoul, morning, []string{"open_date"}},
		{"100 years ahead of a leap day", valid(func(d *letter.Draft) { d.OpenDate = "2128-02-29" }), seoul, leapDay, nil},
		{"100 years and a day ahead of a leap day", valid(func(d *letter.Draft) { d.OpenDate = "2128-03-01" }), seoul, leapDay, []string{"open_date"}},
		{"Feb 29 in a leap year", valid(func(d *letter.Draft) { d.OpenDate = "2028-02-29" }), seoul, morning, nil},
		{"Feb 29 in a non-leap year", valid(func(d *letter.Draft) { d.OpenDate = "2027-02-29" }), seoul, morning, []string{"open_date"}},
		{"Feb 29 in a century non-leap year", valid(func(d *letter.Draft) { d.OpenDate = "2100-02-29" }), seoul, morning, []string{"open_date"}},
		{"Feb 29 in a 400-year leap year is too far", valid(func(d *letter.Draft) { d.OpenDate = "2400-02-29" }), seoul, morning, []string{"open_date"}},
		{"date without padding", valid(func(d *letter.Draft) { d.OpenDate = "2026-3-10" }), seoul, morning, []string{"open_date"}},
		{"date with a time", valid(func(d *letter.Draft) { d.OpenDate = "2026-03-10T09:00" }), seoul, morning, []string{"open_date"}},
		{"April 31", valid(func(d *letter.Draft) { d.OpenDate = "2026-04-31" }), seoul, morning, []string{"open_date"}},
		{"no date", valid(func(d *letter.Draft) { d.OpenDate = "" }), seoul, morning, []string{"open_date"}},
		{"open time 00:00", valid(func(d *letter.Draft) { d.OpenTime = ptr("00:00") }), seoul, morning, nil},
		{"open time 23:59", valid(func(d *letter.Draft) { d.OpenTime = ptr("23:59") }), seoul, morning, nil},
		{"open time 24:00", valid(func(d *letter.Draft) { d.OpenTime = ptr("24:00") }), seoul, morning, []string{"open_time"}},
		{"open time 09:60", valid(func(d *letter.Draft) { d.OpenTime = ptr("09:60") }), seoul, morning, []string{"open_time"}},
		{"open time 9:00", valid(func(d *letter.Draft) { d.OpenTime = ptr("9:00") }), seoul, morning, []string{"open_time"}},
		{"open time empty", valid(func(d *letter.Draft) { d.OpenTime = ptr("") }), seoul, morning, []string{"open_time"}},
		{"title of 200 Korean characters", valid(func(d *letter.Draft) { d.Title = strings.Repeat("가", 200) }), seoul, morning, nil},
		{"title of 201 Korean characters", valid(func(d *letter.Draft) { d.Title = strings.Repeat("가", 201) }), seoul, morning, []string{"title"}},
		{"title of 200 characters padded with spaces", valid(func(d *letter.Draft) { d.Title = "  " + strings.Repeat("가", 200) + "\n" }), seoul, morning, nil},
		{"blank title", valid(func(d *letter.Draft) { d.Title = " \t " }), seoul, morning, []string{"title"}},
		{"title with NUL", valid(func(d *letter.Draft) { d.Title = "편지\x00" }), seoul, morning, []string{"title"}},
		{"title with a right-to-left override", valid(func(d *letter.Draft) { d.Title = "a\u202eb" }), seoul, morning, []string{"title"}},
		{"title on two lines", valid(func(d *letter.Draft) { d.Title = "첫\n둘" }), seoul, morning, []string{"title"}},
		{"title of zero-width spaces", valid(func(d *letter.Draft) { d.Title = "\u200b\u200b" }), seoul, morning, []string{"title"}},
		{"title of Hangul fillers", valid(func(d *letter.Draft) { d.Title = "\u3164" }), seoul, morning, []string{"title"}},
		{"title with an emoji family", valid(func(d *letter.Draft) { d.Title = "우리 👩\u200d👩\u200d👧 ❤\ufe0f" }), seoul, morning, nil},
		{"content with NUL", valid(func(d *letter.Draft) { d.Content = "안녕\x00" }), seoul, morning, []string{"content"}},
		{"content with an escape sequence", valid(func(d *letter.Draft) { d.Content = "\x1b[2J안녕" }), seoul, morning, []string{"content"}},
		{"content with line breaks and tabs", valid(func(d *letter.Draft) { d.Content = "첫 줄\r\n\t둘째 줄\n" }), seoul, morning, nil},
		{"content of 20,000 Korean characters", valid(func(d *letter.Draft) { d.Content = strings.Repeat("한", 20_000) }), seoul, morning, nil},
		{"content of 20,001 Korean characters", valid(func(d *letter.Draft) { d.Content = strings.Repeat("한", 20_001) }), seoul, morning, []string{"content"}},
		{"blank content", valid(func(d *letter.Draft) { d.Content = "\n\n" }), seoul, morning, []string{"content"}},
		{"five images", valid(func(d *letter.Draft) { d.ImageIDs = five }), seoul, morning, nil},
		{"six images", valid(func(d *letter.Draft) { d.ImageIDs = ids(6) }), seoul, morning, []string{"image_ids"}},
		{"five images, one twice", valid(func(d *letter.Draft) { d.ImageIDs = append(five, five[0]) }), seoul, morning, nil},
		{"an image id that is not a uuid", valid(func(d *letter.Draft) { d.ImageIDs = []string{"../etc/passwd"} }), seoul, morning, []string{"image_ids"}},
		{"everything wrong at once", letter.Draft{OpenTime: ptr("25:00"), ImageIDs: []string{"x"}}, seoul, morning,
			[]string{"title", "content", "open_date", "open_time", "image_ids"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := letter.New(uuid.New(), uuid.New(), tt.draft, tt.loc, tt.now)
			if len(tt.invalid) == 0 {
				if err != nil {
					t.Fatalf("New: %v, want valid", err)
				}
				return
			}
			var v *fields.Error
			if !errors.As(err, &v) || !errors.Is(err, fields.ErrInvalid) {
				t.Fatalf("New: %v, want a *fields.Error", err)
			}
			if len(v.Fields()) != len(tt.invalid) {
				t.Errorf("errors = %v, want exactly %v", v.Fields(), tt.invalid)
			}
			for _, f := range tt.invalid {
				if v.Message(f) == "" {
					t.Errorf("no error for %s; got %v", f, v.Fields())
				}
			}
		})
	}
}

func TestNewStoresContentWithUnixLineBreaks(t *testing.T) {
	l, err := letter.New(uuid.New(), uuid.New(), letter.Draft{Title: "t", Content: "a\r\nb\rc", OpenDate: "2026-03-10"}, zone(t, "Asia/Seoul"), time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Snapshot().Content; got != "a\nb\nc" {
		t.Errorf("content = %q, want %q", got, "a\nb\nc")
	}
}

func TestNewComputesOpenAtInTheWritersZone(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, zone, date string
		time             *string
		want             time.Time
	}{
		{"Seoul default 09:00", "Asia/Seoul", "2026-03-10", nil, time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)},
		{"Kiritimati is 14 hours ahead", "Pacific/Kiritimati", "2026-03-11", ptr("09:00"), time.Date(2026, 3, 10, 19, 0, 0, 0, time.UTC)},
		{"New York in winter (EST)", "America/New_York", "2026-03-07", ptr("23:30"), time.Date(2026, 3, 8, 4, 30, 0, 0, time.UTC)},
		{"New York in summer (EDT)", "America/New_York", "2026-07-01", ptr("09:00"), time.Date(2026, 7, 1, 13, 0, 0, 0, time.UTC)},
		// 02:30 does not exist on Mar 8 2026 in New York: it moves forward
		// by the gap to 03:30 EDT, 07:30 UTC (package wallclock).
		{"New York DST gap", "America/New_York", "2026-03-08", ptr("02:30"), time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := letter.New(uuid.New(), uuid.New(), letter.Draft{Title: "t", Content: "c", OpenDate: tt.date, OpenTime: tt.time}, zone(t, tt.zone), now)
			if err != nil {
				t.Fatal(err)
			}
			if got := l.OpenAt(); !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("OpenAt = %v, want %v (UTC)", got, tt.want)
			}
			if l.Timezone() != tt.zone {
				t.Errorf("Timezone = %q, want %q", l.Timezone(), tt.zone)
			}
		})
	}
}

func TestTheSealHoldsUntilOpenAt(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)) // 09:00 in Seoul
	img := uuid.New()
	l, err := letter.New(uuid.New(), uuid.New(), letter.Draft{
		Title: "내일의 나", Content: "비밀", OpenDate: "2026-03-11", OpenTime: ptr("09:00"), ImageIDs: []string{img.String()},
	}, zone(t, "Asia/Seoul"), clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	openAt := time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)

	for _, step := range []struct {
		name   string
		at     time.Time
		sealed bool
	}{
		{"a day before", clk.Now(), true},
		{"a nanosecond before", openAt.Add(-time.Nanosecond), true},
		{"exactly at open_at", openAt, false},
		{"years later", openAt.AddDate(30, 0, 0), false},
	} {
		t.Run(step.name, func(t *testing.T) {
			clk.Set(step.at)
			o, err := l.Open(clk.Now())
			if l.Sealed(clk.Now()) != step.sealed {
				t.Fatalf("Sealed = %v, want %v", !step.sealed, step.sealed)
			}
			if step.sealed {
				var se *letter.SealedError
				if !errors.Is(err, letter.ErrSealed) || !errors.As(err, &se) || !se.OpenAt.Equal(openAt) {
					t.Fatalf("Open = %v, want ErrSealed with open_at %v", err, openAt)
				}
				if o.Content != "" || o.ImageIDs != nil || o.Mood != nil {
					t.Fatalf("sealed Open leaked %+v", o)
				}
				return
			}
			if err != nil || o.Content != "비밀" || len(o.ImageIDs) != 1 || o.ImageIDs[0] != img {
				t.Fatalf("Open = %+v, %v; want the content and image", o, err)
			}
		})
	}
}

func TestALetterForTodayMayAlreadyBeOpen(t *testing.T) {
	now := time.Date(2026, 3, 10, 5, 0, 0, 0, time.UTC) // 14:00 in Seoul
	l, err := letter.New(uuid.New(), uuid.New(), letter.Draft{Title: "t", Content: "c", OpenDate: "2026-03-10"}, zone(t, "Asia/Seoul"), now)
	if err != nil {
		t.Fatal(err)
	}
	if l.Sealed(now) {
		t.Errorf("a letter for 09:00 today written at 14:00 is sealed")
	}
}

func TestParseCategory(t *testing.T) {
	for _, s := range []string{"", "past", "today", "future"} {
		if _, err := letter.ParseCategory(s); err != nil {
			t.Errorf("ParseCategory(%q): %v", s, err)
		}
	}
	if _, err := letter.ParseCategory("sealed"); err == nil {
		t.Error("ParseCategory accepted sealed")
	}
}
