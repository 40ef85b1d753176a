package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
)

// List limits.
const (
	defaultLimit = 20
	maxLimit     = 100
)

type handlers struct {
	store  letter.Store
	writer *letter.Writer
	clock  clock.Clock
	log    *slog.Logger
}

// create writes a letter (letter.Writer: zone, attach, store, undo).
func (h *handlers) create(c *gin.Context) {
	userID, ok := authn.Caller(c)
	if !ok {
		return
	}
	var req writeRequest
	if err := httpx.DecodeJSON(c, &req, 0); err != nil {
		h.fail(c, err)
		return
	}
	l, err := h.writer.Write(c, userID, req.draft())
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", "/api/letters/"+l.ID().String())
	c.JSON(http.StatusCreated, fullView(l, h.clock.Now()))
}

// list answers the caller's letters, newest first, a page at a time.
func (h *handlers) list(c *gin.Context) {
	userID, ok := authn.Caller(c)
	if !ok {
		return
	}
	q := letter.Query{UserID: userID, Limit: defaultLimit}
	var errs fields.Set
	var err error
	if q.Category, err = letter.ParseCategory(c.Query("category")); err != nil {
		errs.Add("category", "must be past, today or future")
	}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			errs.Add("limit", "must be a number from 1 to "+strconv.Itoa(maxLimit))
		}
		q.Limit = n
	}
	if q.After, err = decodeCursor(c.Query("cursor")); err != nil {
		errs.Add("cursor", "is not a cursor this list returned")
	}
	if err := errs.Err(); err != nil {
		h.fail(c, err)
		return
	}
	now := h.clock.Now()
	if q.Category != letter.All {
		// "Today" is the writer's, in their zone as it is now.
		loc, err := h.writer.Zone(c, userID)
		if err != nil {
			h.fail(c, err)
			return
		}
		q.Today = wallclock.Today(now, loc)
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
	userID, ok := authn.Caller(c)
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
	userID, ok := authn.Caller(c)
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
	userID, ok := authn.Caller(c)
	if !ok {
		return
	}
	now := h.clock.Now()
	out := exportDTO{ExportedAt: now.UTC(), Letters: []any{}}
	q := letter.Query{UserID: userID, Limit: maxLimit, WithContent: true}
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
		list = []letter.Written{}
	}
	c.JSON(http.StatusOK, list)
}
