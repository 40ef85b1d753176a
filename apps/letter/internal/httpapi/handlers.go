package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
	"github.com/lettertomyself/ltm/apps/letter/internal/postgres"
)

// Store is what the handlers need from storage.
type Store interface {
	Create(ctx context.Context, l letter.Letter) error
	Get(ctx context.Context, userID, id uuid.UUID) (letter.Letter, error)
	List(ctx context.Context, q postgres.Query) ([]letter.Letter, *postgres.Cursor, error)
	Delete(ctx context.Context, userID, id uuid.UUID) error
	Text(ctx context.Context, id uuid.UUID) (letter.Letter, error)
	WrittenBy(ctx context.Context, userID uuid.UUID) ([]postgres.Written, error)
}

// Timezones tells a writer's IANA zone ("" when unknown).
type Timezones interface {
	Timezone(ctx context.Context, userID uuid.UUID) (string, error)
}

// Images attaches images to letters in letter-storage-service.
type Images interface {
	Attach(ctx context.Context, userID, letterID uuid.UUID, images []uuid.UUID, openAt time.Time) error
	Detach(ctx context.Context, letterID uuid.UUID) error
}

// List limits.
const (
	defaultLimit = 20
	maxLimit     = 100
)

type handlers struct {
	store     Store
	users     Timezones
	storage   Images
	clock     clock.Clock
	defaultTZ string
	log       *slog.Logger
}

// create writes a letter: validated in the writer's timezone, its images
// attached in letter-storage first, then stored with letter.created.
func (h *handlers) create(c *gin.Context) {
	userID, ok := caller(c)
	if !ok {
		return
	}
	var req writeRequest
	if err := httpx.DecodeJSON(c, &req, 0); err != nil {
		h.fail(c, err)
		return
	}
	loc, err := h.zone(c, userID)
	if err != nil {
		h.fail(c, err)
		return
	}
	now := h.clock.Now()
	l, err := letter.New(uuid.New(), userID, req.draft(), loc, now)
	if err != nil {
		h.fail(c, err)
		return
	}
	images := l.ImageIDs()
	if len(images) > 0 {
		if err := h.storage.Attach(c, userID, l.ID(), images, l.OpenAt()); err != nil {
			h.fail(c, err)
			return
		}
	}
	if err := h.store.Create(c, l); err != nil {
		if len(images) > 0 {
			h.detach(c, l.ID())
		}
		h.fail(c, err)
		return
	}
	c.Header("Location", "/api/letters/"+l.ID().String())
	c.JSON(http.StatusCreated, fullView(l, now))
}

// detach releases images attached to a letter that was never stored, so
// the writer can use them again. Best effort: if it fails the images stay
// attached to a letter that does not exist, and the log line says which.
func (h *handlers) detach(c *gin.Context, letterID uuid.UUID) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 10*time.Second)
	defer cancel()
	if err := h.storage.Detach(ctx, letterID); err != nil {
		h.log.ErrorContext(ctx, "images stay attached to a letter that was not stored", "letter_id", letterID, "err", err)
	}
}

// list answers the caller's letters, newest first, a page at a time.
func (h *handlers) list(c *gin.Context) {
	userID, ok := caller(c)
	if !ok {
		return
	}
	q := postgres.Query{UserID: userID, Limit: defaultLimit}
	errs := map[string]string{}
	var err error
	if q.Category, err = letter.ParseCategory(c.Query("category")); err != nil {
		errs["category"] = "must be past, today or future"
	}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			errs["limit"] = "must be a number from 1 to " + strconv.Itoa(maxLimit)
		}
		q.Limit = n
	}
	if q.After, err = decodeCursor(c.Query("cursor")); err != nil {
		errs["cursor"] = "is not a cursor this list returned"
	}
	if len(errs) > 0 {
		h.fail(c, letter.ValidationError(errs))
		return
	}
	now := h.clock.Now()
	if q.Category != letter.All {
		// "Today" is the writer's, in their zone as it is now.
		loc, err := h.zone(c, userID)
		if err != nil {
			h.fail(c, err)
			return
		}
		q.Today = letter.Today(now, loc)
	}
	page, next, err := h.store.List(c, q)
	if err != nil {
		h.fail(c, err)
		return
	}
	items := make([]any, 0, len(page))
	for _, l := range page {
		items = append(items, listView(l, now))
	}
	c.JSON(http.StatusOK, listDTO{Items: items, NextCursor: encodeCursor(next)})
}

// get answers one letter in full once it is open, 423 before.
func (h *handlers) get(c *gin.Context) {
	userID, ok := caller(c)
	if !ok {
		return
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		h.fail(c, letter.ErrNotFound) // not an id, so not one of theirs
		return
	}
	l, err := h.store.Get(c, userID, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	o, err := l.Open(h.clock.Now())
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, openedView(l, o))
}

// delete removes a letter; letter.deleted takes its images and mail along.
func (h *handlers) delete(c *gin.Context) {
	userID, ok := caller(c)
	if !ok {
		return
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		h.fail(c, letter.ErrNotFound)
		return
	}
	if err := h.store.Delete(c, userID, id); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// export answers everything the caller wrote as a download: opened
// letters in full, sealed ones as the list shows them.
func (h *handlers) export(c *gin.Context) {
	userID, ok := caller(c)
	if !ok {
		return
	}
	now := h.clock.Now()
	out := exportDTO{ExportedAt: now.UTC(), Letters: []any{}}
	q := postgres.Query{UserID: userID, Limit: maxLimit, WithContent: true}
	for {
		page, next, err := h.store.List(c, q)
		if err != nil {
			h.fail(c, err)
			return
		}
		for _, l := range page {
			out.Letters = append(out.Letters, fullView(l, now))
		}
		if next == nil {
			break
		}
		q.After = next
	}
	c.Header("Content-Disposition", `attachment; filename="letters-`+now.UTC().Format(time.DateOnly)+`.json"`)
	c.JSON(http.StatusOK, out)
}

// text answers a letter's title and content to emotion-ml, sealed or not:
// the analysis of a sealed letter is kept from its writer until it opens,
// but the statistics count it. Nothing of it is logged.
func (h *handlers) text(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		h.fail(c, letter.ErrNotFound)
		return
	}
	l, err := h.store.Text(c, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	snap := l.Snapshot()
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"title": snap.Title, "content": snap.Content, "written_at": snap.CreatedAt.UTC()})
}

// writtenBy lists a user's letters (ids and times) for a re-analysis.
func (h *handlers) writtenBy(c *gin.Context) {
	userID, err := uuid.Parse(c.Param("id"))
	if err != nil {
		httpx.Abort(c, problem.Validation(map[string]string{"id": "must be a user id (UUID)"}))
		return
	}
	list, err := h.store.WrittenBy(c, userID)
	if err != nil {
		h.fail(c, err)
		return
	}
	if list == nil {
		list = []postgres.Written{}
	}
	c.JSON(http.StatusOK, list)
}

// zone is the writer's current timezone: their profile's, the default
// when they have none, and an error (503) when user-service cannot say.
func (h *handlers) zone(ctx context.Context, userID uuid.UUID) (*time.Location, error) {
	name, err := h.users.Timezone(ctx, userID)
	if err != nil {
		return nil, err
	}
	return letter.LoadZone(name, h.defaultTZ), nil
}

// caller returns the authenticated user's id (Require put it there).
func caller(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(authn.UserID(c.Request.Context()))
	if err != nil {
		authn.Unauthorized(c, "Sign in first: this needs an access token.")
		return uuid.Nil, false
	}
	return id, true
}
