// Package catalog is recommend-service's curated list of real films, songs,
// books and activities, each tagged with the moods it suits. The list ships
// inside the binary (catalog.json, versioned) so that a recommendation never
// depends on a network call, and it is validated as a whole when it is
// loaded: a malformed entry stops the service at start rather than reaching
// a user.
package catalog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed catalog.json
var embedded []byte

// Type is the kind of an item.
type Type string

// The item types, in the order answers list them.
const (
	Movie    Type = "movie"
	Music    Type = "music"
	Book     Type = "book"
	Activity Type = "activity"
)

// Types lists every type.
var Types = []Type{Movie, Music, Book, Activity}

// Mood is one of the moods on the wire (architecture.md): the recent mood
// that emotion-store-service reports.
type Mood string

// The moods.
const (
	Joy     Mood = "joy"
	Sadness Mood = "sadness"
	Anger   Mood = "anger"
	Anxiety Mood = "anxiety"
	Love    Mood = "love"
	Neutral Mood = "neutral"
)

// Moods lists every mood.
var Moods = []Mood{Joy, Sadness, Anger, Anxiety, Love, Neutral}

// ErrUnknownType and ErrUnknownMood report a key outside the fixed sets.
var (
	ErrUnknownType = errors.New("unknown item type")
	ErrUnknownMood = errors.New("unknown mood")
)

// ParseType returns the type named s.
func ParseType(s string) (Type, error) {
	for _, t := range Types {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownType, s)
}

// ParseMood returns the mood named s.
func ParseMood(s string) (Mood, error) {
	for _, m := range Moods {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownMood, s)
}

// idPrefix ties an id to its type, so an id alone says what it names.
var idPrefix = map[Type]string{Movie: "mv", Music: "mu", Book: "bk", Activity: "ac"}

// Item is one recommendable work or activity. Creator and Year are empty for
// activities; every other field is always set. Items handed out by a Catalog
// share their Moods and Tags with it: treat them as read-only.
type Item struct {
	ID            string   `json:"id"`
	Type          Type     `json:"type"`
	Moods         []Mood   `json:"moods"`
	TitleKo       string   `json:"title_ko"`
	TitleEn       string   `json:"title_en"`
	OriginalTitle string   `json:"original_title"`
	Creator       string   `json:"creator,omitempty"`
	Year          int      `json:"year,omitempty"`
	Tags          []string `json:"tags"`
	ReasonKo      string   `json:"reason_ko"`
	ReasonEn      string   `json:"reason_en"`
}

// Title is the item's title in lang ("ko" or anything else for English).
func (it Item) Title(lang string) string {
	if lang == "ko" {
		return it.TitleKo
	}
	return it.TitleEn
}

// Reason is the item's one-line reason in lang ("ko" or anything else for
// English).
func (it Item) Reason(lang string) string {
	if lang == "ko" {
		return it.ReasonKo
	}
	return it.ReasonEn
}

// Suits reports whether the item is listed for mood m.
func (it Item) Suits(m Mood) bool {
	for _, x := range it.Moods {
		if x == m {
			return true
		}
	}
	return false
}

// Limits on the data. The year range catches typos (2091, 199): 1800 is older
// than anything the catalog lists, and maxYear moves forward when newer works
// are added. maxLineLen is what a title or reason may take on a card.
const (
	minYear    = 1800
	maxYear    = 2026
	maxTags    = 6
	maxLineLen = 160
)

var (
	idPattern  = regexp.MustCompile(`^(mv|mu|bk|ac)-[a-z0-9]+(-[a-z0-9]+)*$`)
	tagPattern = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
)

// Validate reports everything wrong with one item, joined.
func (it Item) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	prefix, known := idPrefix[it.Type]
	if !known {
		bad("type %q: %w", it.Type, ErrUnknownType)
	}
	if !idPattern.MatchString(it.ID) {
		bad("id %q is not lowercase words joined by '-' after mv-, mu-, bk- or ac-", it.ID)
	} else if known && !strings.HasPrefix(it.ID, prefix+"-") {
		bad("id %q of a %s must start with %q", it.ID, it.Type, prefix+"-")
	}

	if len(it.Moods) == 0 {
		bad("no moods")
	}
	seenMood := map[Mood]bool{}
	for _, m := range it.Moods {
		if _, err := ParseMood(string(m)); err != nil {
			bad("mood: %w", err)
		}
		if seenMood[m] {
			bad("mood %q listed twice", m)
		}
		seenMood[m] = true
	}

	checkLine := func(field, v string, hangul bool) {
		switch {
		case strings.TrimSpace(v) == "":
			bad("%s is empty", field)
		case v != strings.TrimSpace(v) || strings.ContainsAny(v, "\n\r\t"):
			bad("%s has stray whitespace", field)
		case utf8.RuneCountInString(v) > maxLineLen:
			bad("%s is longer than %d characters", field, maxLineLen)
		case hangul && !hasHangul(v):
			bad("%s %q has no Hangul", field, v)
		}
	}
	checkLine("title_ko", it.TitleKo, true)
	checkLine("title_en", it.TitleEn, false)
	checkLine("original_title", it.OriginalTitle, false)
	checkLine("reason_ko", it.ReasonKo, true)
	checkLine("reason_en", it.ReasonEn, false)

	if it.Type == Activity {
		if it.Creator != "" {
			bad("an activity has no creator")
		}
		if it.Year != 0 {
			bad("an activity has no year")
		}
	} else if known {
		checkLine("creator", it.Creator, false)
		if it.Year < minYear || it.Year > maxYear {
			bad("year %d outside %d..%d", it.Year, minYear, maxYear)
		} else if !strings.HasSuffix(it.ID, "-"+strconv.Itoa(it.Year)) {
			// The year in the id tells two works of the same name apart
			// (a remake, a cover) and must not drift from the data.
			bad("id %q does not end with its year %d", it.ID, it.Year)
		}
	}

	if len(it.Tags) == 0 || len(it.Tags) > maxTags {
		bad("%d tags, want 1..%d", len(it.Tags), maxTags)
	}
	seenTag := map[string]bool{}
	for _, tag := range it.Tags {
		if !tagPattern.MatchString(tag) {
			bad("tag %q is not a lowercase key", tag)
		}
		if seenTag[tag] {
			bad("tag %q listed twice", tag)
		}
		seenTag[tag] = true
	}

	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("item %q: %w", it.ID, errors.Join(errs...))
}

func hasHangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

// Catalog is a validated, read-only set of items with lookups by id and by
// mood and type.
type Catalog struct {
	version string
	items   []Item
	byID    map[string]int
	byMood  map[moodType][]int
}

type moodType struct {
	mood Mood
	typ  Type
}

// New validates items and indexes them. Ids must be unique.
func New(version string, items []Item) (*Catalog, error) {
	if strings.TrimSpace(version) == "" {
		return nil, errors.New("catalog: no version")
	}
	c := &Catalog{
		version: version,
		items:   make([]Item, len(items)),
		byID:    make(map[string]int, len(items)),
		byMood:  map[moodType][]int{},
	}
	var errs []error
	for i, it := range items {
		if err := it.Validate(); err != nil {
			errs = append(errs, err)
		}
		if _, dup := c.byID[it.ID]; dup {
			errs = append(errs, fmt.Errorf("item %q: id used twice", it.ID))
		}
		it.Moods = append([]Mood(nil), it.Moods...)
		it.Tags = append([]string(nil), it.Tags...)
		c.items[i] = it
		c.byID[it.ID] = i
		for _, m := range it.Moods {
			k := moodType{m, it.Type}
			c.byMood[k] = append(c.byMood[k], i)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("catalog %s: %w", version, errors.Join(errs...))
	}
	return c, nil
}

// file is the shape of catalog.json.
type file struct {
	Version string `json:"version"`
	Items   []Item `json:"items"`
}

// Parse decodes a catalog file strictly (an unknown field is a typo, not an
// extension) and validates it.
func Parse(data []byte) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("catalog: decode: %w", err)
	}
	return New(f.Version, f.Items)
}

// Load returns the catalog embedded in the binary.
func Load() (*Catalog, error) {
	return Parse(embedded)
}

// Version is the catalog file's version.
func (c *Catalog) Version() string { return c.version }

// Len is the number of items.
func (c *Catalog) Len() int { return len(c.items) }

// Items returns every item in file order.
func (c *Catalog) Items() []Item {
	out := make([]Item, len(c.items))
	copy(out, c.items)
	return out
}

// Item returns the item with the given id.
func (c *Catalog) Item(id string) (Item, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Item{}, false
	}
	return c.items[i], true
}

// For returns the items of type t that suit mood m, in file order.
func (c *Catalog) For(m Mood, t Type) []Item {
	idx := c.byMood[moodType{m, t}]
	out := make([]Item, len(idx))
	for j, i := range idx {
		out[j] = c.items[i]
	}
	return out
}
