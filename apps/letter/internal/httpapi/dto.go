package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
)

// writeRequest is POST /api/letters.
type writeRequest struct {
	Title    string   `json:"title"`
	Content  string   `json:"content"`
	OpenDate string   `json:"open_date"`
	OpenTime *string  `json:"open_time"`
	ImageIDs []string `json:"image_ids"`
}

func (r writeRequest) draft() letter.Draft {
	return letter.Draft{Title: r.Title, Content: r.Content, OpenDate: r.OpenDate, OpenTime: r.OpenTime, ImageIDs: r.ImageIDs}
}

// sealedDTO is all anyone sees of a letter before it opens.
type sealedDTO struct {
	ID       uuid.UUID `json:"id"`
	Title    string    `json:"title"`
	OpenDate string    `json:"open_date"`
	OpenAt   time.Time `json:"open_at"`
	Sealed   bool      `json:"sealed"`
}

// itemDTO is an opened letter in the list.
type itemDTO struct {
	ID           uuid.UUID `json:"id"`
	Title        string    `json:"title"`
	OpenDate     string    `json:"open_date"`
	OpenTime     string    `json:"open_time"`
	OpenAt       time.Time `json:"open_at"`
	CreatedAt    time.Time `json:"created_at"`
	Sealed       bool      `json:"sealed"`
	ImageCount   int       `json:"image_count"`
	Mood         *string   `json:"mood"`
	DetailedMood *string   `json:"detailed_mood"`
}

// letterDTO is an opened letter in full.
type letterDTO struct {
	ID           uuid.UUID  `json:"id"`
	Title        string     `json:"title"`
	Content      string     `json:"content"`
	OpenDate     string     `json:"open_date"`
	OpenTime     string     `json:"open_time"`
	OpenAt       time.Time  `json:"open_at"`
	Timezone     string     `json:"timezone"`
	CreatedAt    time.Time  `json:"created_at"`
	Sealed       bool       `json:"sealed"`
	Images       []imageDTO `json:"images"`
	Mood         *string    `json:"mood"`
	DetailedMood *string    `json:"detailed_mood"`
}

type imageDTO struct {
	ID  uuid.UUID `json:"id"`
	URL string    `json:"url"`
}

type listDTO struct {
	Items      []any   `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

type exportDTO struct {
	ExportedAt time.Time `json:"exported_at"`
	Letters    []any     `json:"letters"`
}

func sealedView(l letter.Letter) sealedDTO {
	return sealedDTO{ID: l.ID(), Title: l.Title(), OpenDate: l.OpenDate().String(), OpenAt: l.OpenAt(), Sealed: true}
}

// listView is l as the list shows it at now.
func listView(l letter.Letter, now time.Time) any {
	o, err := l.Open(now)
	if err != nil {
		return sealedView(l)
	}
	return itemDTO{
		ID: l.ID(), Title: l.Title(), OpenDate: l.OpenDate().String(), OpenTime: l.OpenTime().String(),
		OpenAt: l.OpenAt(), CreatedAt: l.CreatedAt(), ImageCount: len(o.ImageIDs),
		Mood: o.Mood, DetailedMood: o.DetailedMood,
	}
}

// fullView is l in full at now, or its sealed form when it is not open.
func fullView(l letter.Letter, now time.Time) any {
	o, err := l.Open(now)
	if err != nil {
		return sealedView(l)
	}
	return openedView(l, o)
}

func openedView(l letter.Letter, o letter.Opened) letterDTO {
	images := make([]imageDTO, 0, len(o.ImageIDs))
	for _, id := range o.ImageIDs {
		images = append(images, imageDTO{ID: id, URL: "/api/images/" + id.String()})
	}
	return letterDTO{
		ID: l.ID(), Title: l.Title(), Content: o.Content, OpenDate: l.OpenDate().String(), OpenTime: l.OpenTime().String(),
		OpenAt: l.OpenAt(), Timezone: l.Timezone(), CreatedAt: l.CreatedAt(), Images: images,
		Mood: o.Mood, DetailedMood: o.DetailedMood,
	}
}

// The list cursor is opaque to clients: base64url of the last item's
// position.
type cursorJSON struct {
	T time.Time `json:"t"`
	I uuid.UUID `json:"i"`
}

func encodeCursor(c *letter.Cursor) *string {
	if c == nil {
		return nil
	}
	b, _ := json.Marshal(cursorJSON{T: c.CreatedAt, I: c.ID})
	s := base64.RawURLEncoding.EncodeToString(b)
	return &s
}

func decodeCursor(s string) (*letter.Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("bad cursor")
	}
	var c cursorJSON
	if err := json.Unmarshal(b, &c); err != nil || c.T.IsZero() || c.I == uuid.Nil {
		return nil, errors.New("bad cursor")
	}
	return &letter.Cursor{CreatedAt: c.T, ID: c.I}, nil
}
