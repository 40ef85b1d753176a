package letter

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

// Limits of a letter.
const (
	MaxTitleRunes   = 200
	MaxContentRunes = 20_000
	MaxImages       = 5
	MaxYearsAhead   = 100
)

// DefaultOpenTime is when a letter opens when the writer names no time.
var DefaultOpenTime = wallclock.MustTimeOfDay(9, 0)

// Draft is what a writer sends.
type Draft struct {
	Title    string
	Content  string
	OpenDate string
	// OpenTime is HH:MM; nil means DefaultOpenTime.
	OpenTime *string
	ImageIDs []string
}

// New validates d for the writer userID, whose timezone is loc, at now, and
// returns the letter with id. Every broken rule is reported at once in a
// *fields.Error. OpenAt may be in the past when the open date is today:
// such a letter is open at once.
func New(id, userID uuid.UUID, d Draft, loc *time.Location, now time.Time) (Letter, error) {
	var errs fields.Set

	// One line a reader can see; the content keeps its line breaks and
	// tabs, stored as \n whatever the client sent (fields.Line, Text).
	title := strings.TrimSpace(d.Title)
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		errs.Add("title", "is required")
	case n > MaxTitleRunes:
		errs.Add("title", fmt.Sprintf("must be at most %d characters (it has %d)", MaxTitleRunes, n))
	default:
		errs.Line("title", title)
	}

	content := fields.Normalize(d.Content)
	switch n := utf8.RuneCountInString(content); {
	case strings.TrimSpace(content) == "":
		errs.Add("content", "is required")
	case n > MaxContentRunes:
		errs.Add("content", fmt.Sprintf("must be at most %d characters (it has %d)", MaxContentRunes, n))
	default:
		errs.Text("content", content)
	}

	today := wallclock.Today(now, loc)
	date, err := wallclock.ParseDate(d.OpenDate)
	switch {
	case d.OpenDate == "":
		errs.Add("open_date", "is required (YYYY-MM-DD)")
	case err != nil:
		errs.Add("open_date", "must be a real date as YYYY-MM-DD")
	case date.Compare(today) < 0:
		errs.Add("open_date", fmt.Sprintf("must be today (%s) or later", today))
	case date.Compare(today.AddYears(MaxYearsAhead)) > 0:
		errs.Add("open_date", fmt.Sprintf("must be at most %d years ahead (%s)", MaxYearsAhead, today.AddYears(MaxYearsAhead)))
	}

	clock := DefaultOpenTime
	if d.OpenTime != nil {
		if clock, err = wallclock.ParseTimeOfDay(*d.OpenTime); err != nil {
			errs.Add("open_time", "must be HH:MM between 00:00 and 23:59")
		}
	}

	images, msg := imageIDs(d.ImageIDs)
	if msg != "" {
		errs.Add("image_ids", msg)
	}

	if err := errs.Err(); err != nil {
		return Letter{}, err
	}
	return Letter{
		id: id, userID: userID, title: title, content: content,
		openDate: date, openTime: clock, openAt: wallclock.On(date, clock, loc), timezone: loc.String(),
		imageIDs: images,
		// Postgres keeps microseconds; cut here so what we return equals
		// what a later read returns (and cursors compare exactly).
		createdAt: now.UTC().Truncate(time.Microsecond),
	}, nil
}

// imageIDs parses and de-duplicates ids, keeping the writer's order.
func imageIDs(raw []string) ([]uuid.UUID, string) {
	out := make([]uuid.UUID, 0, len(raw))
	seen := make(map[uuid.UUID]bool, len(raw))
	for _, s := range raw {
		id, err := uuid.Parse(s)
		if err != nil || len(s) != 36 {
			return nil, "must be image ids (UUIDs)"
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) > MaxImages {
		return nil, fmt.Sprintf("at most %d images per letter", MaxImages)
	}
	return out, ""
}

// Category groups letters by open date against the writer's today, like
// the three tabs of the original.
type Category string

// The categories; All is no filter.
const (
	All    Category = ""
	Past   Category = "past"
	Now    Category = "today"
	Future Category = "future"
)

// ParseCategory accepts "", past, today and future.
func ParseCategory(s string) (Category, error) {
	switch c := Category(s); c {
	case All, Past, Now, Future:
		return c, nil
	}
	return All, fmt.Errorf("category %q: want past, today or future", s)
}
