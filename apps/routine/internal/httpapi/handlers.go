package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/httpx"

	"github.com/lettertomyself/ltm/apps/routine/internal/postgres"
	"github.com/lettertomyself/ltm/apps/routine/internal/routine"
)

type handlers struct {
	store *postgres.Store
	zones *zones
	clock clock.Clock
	log   *slog.Logger
}

// now is the clock's time at the precision Postgres keeps, so what a
// write answers equals what a later read returns.
func (h *handlers) now() time.Time { return h.clock.Now().UTC().Truncate(time.Microsecond) }

// --- routines

func (h *handlers) listRoutines(c *gin.Context) {
	user, ok := h.caller(c)
	if !ok {
		return
	}
	rs, err := h.store.ListRoutines(c, user)
	if err != nil {
		h.fail(c, err)
		return
	}
	ok200(c, toList(rs, toRoutineDTO))
}

func (h *handlers) createRoutine(c *gin.Context) {
	user, ok := h.caller(c)
	if !ok {
		return
	}
	var req routineRequest
	if err := httpx.DecodeJSON(c, &req, maxBodyBytes); err != nil {
		h.fail(c, err)
		return
	}
	r, err := routine.NewRoutine(uuid.New(), user, req.fields(), h.now())
	if err != nil {
		h.fail(c, err)
		return
	}
	loc, err := h.zones.Of(c, user)
	if err != nil {
		h.fail(c, err)
		return
	}
	if err := h.store.CreateRoutine(c, r, loc.String()); err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", "/api/routines/"+r.ID().String())
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, toRoutineDTO(r))
}

func (h *handlers) getRoutine(c *gin.Context) {
	user, id, ok := h.callerAndID(c)
	if !ok {
		return
	}
	r, err := h.store.GetRoutine(c, user, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	ok200(c, toRoutineDTO(r))
}

func (h *handlers) patchRoutine(c *gin.Context) {
	user, id, ok := h.callerAndID(c)
	if !ok {
		return
	}
	var req routineRequest
	if err := httpx.DecodeJSON(c, &req, maxBodyBytes); err != nil {
		h.fail(c, err)
		return
	}
	loc, err := h.zones.Of(c, user)
	if err != nil {
		h.fail(c, err)
		return
	}
	r, err := h.store.UpdateRoutine(c, user, id, loc.String(), func(cur routine.Routine) (routine.Routine, error) {
		return cur.Apply(req.patch(), h.now())
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	ok200(c, toRoutineDTO(r))
}

func (h *handlers) deleteRoutine(c *gin.Context) {
	user, id, ok := h.callerAndID(c)
	if !ok {
		return
	}
	if err := h.store.DeleteRoutine(c, user, id); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// --- special dates

func (h *handlers) listSpecialDates(c *gin.Context) {
	user, ok := h.caller(c)
	if !ok {
		return
	}
	ds, err := h.store.ListSpecialDates(c, user)
	if err != nil {
		h.fail(c, err)
		return
	}
	ok200(c, toList(ds, toSpecialDateDTO))
}

func (h *handlers) createSpecialDate(c *gin.Context) {
	user, ok := h.caller(c)
	if !ok {
		return
	}
	var req specialDateRequest
	if err := httpx.DecodeJSON(c, &req, maxBodyBytes); err != nil {
		h.fail(c, err)
		return
	}
	d, err := routine.NewSpecialDate(uuid.New(), user, req.fields(), h.now())
	if err != nil {
		h.fail(c, err)
		return
	}
	loc, err := h.zones.Of(c, user)
	if err != nil {
		h.fail(c, err)
		return
	}
	if err := h.store.CreateSpecialDate(c, d, loc.String()); err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", "/api/special-dates/"+d.ID().String())
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, toSpecialDateDTO(d))
}

func (h *handlers) getSpecialDate(c *gin.Context) {
	user, id, ok := h.callerAndID(c)
	if !ok {
		return
	}
	d, err := h.store.GetSpecialDate(c, user, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	ok200(c, toSpecialDateDTO(d))
}

func (h *handlers) patchSpecialDate(c *gin.Context) {
	user, id, ok := h.callerAndID(c)
	if !ok {
		return
	}
	var req specialDateRequest
	if err := httpx.DecodeJSON(c, &req, maxBodyBytes); err != nil {
		h.fail(c, err)
		return
	}
	loc, err := h.zones.Of(c, user)
	if err != nil {
		h.fail(c, err)
		return
	}
	d, err := h.store.UpdateSpecialDate(c, user, id, loc.String(), func(cur routine.SpecialDate) (routine.SpecialDate, error) {
		return cur.Apply(req.patch(), h.now())
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	ok200(c, toSpecialDateDTO(d))
}

func (h *handlers) deleteSpecialDate(c *gin.Context) {
	user, id, ok := h.callerAndID(c)
	if !ok {
		return
	}
	if err := h.store.DeleteSpecialDate(c, user, id); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// --- calendar

func (h *handlers) calendar(c *gin.Context) {
	user, ok := h.caller(c)
	if !ok {
		return
	}
	from, to, err := parseRange(c.Query("from"), c.Query("to"))
	if err != nil {
		h.fail(c, err)
		return
	}
	loc, err := h.zones.Of(c, user)
	if err != nil {
		h.fail(c, err)
		return
	}
	occs, err := h.occurrences(c, user, from, to)
	if err != nil {
		h.fail(c, err)
		return
	}
	ok200(c, calendarDTO{From: from.String(), To: to.String(), Timezone: loc.String(), Occurrences: occs})
}

func (h *handlers) today(c *gin.Context) {
	user, ok := h.caller(c)
	if !ok {
		return
	}
	loc, err := h.zones.Of(c, user)
	if err != nil {
		h.fail(c, err)
		return
	}
	day := routine.DateOf(h.clock.Now().In(loc))
	occs, err := h.occurrences(c, user, day, day)
	if err != nil {
		h.fail(c, err)
		return
	}
	ok200(c, todayDTO{Date: day.String(), Timezone: loc.String(), Occurrences: occs})
}

func (h *handlers) occurrences(c *gin.Context, user uuid.UUID, from, to routine.Date) ([]occurrenceDTO, error) {
	rs, err := h.store.ListRoutines(c, user)
	if err != nil {
		return nil, err
	}
	ds, err := h.store.ListSpecialDates(c, user)
	if err != nil {
		return nil, err
	}
	return toOccurrenceDTOs(routine.Occurrences(from, to, rs, ds)), nil
}

// parseRange reads the calendar's from and to, reporting every problem.
func parseRange(fromRaw, toRaw string) (routine.Date, routine.Date, error) {
	errs := map[string]string{}
	parse := func(field, raw string) routine.Date {
		if raw == "" {
			errs[field] = "required, as YYYY-MM-DD"
			return routine.Date{}
		}
		d, err := routine.ParseDate(raw)
		if err != nil {
			errs[field] = "must be a real date as YYYY-MM-DD"
		}
		return d
	}
	from, to := parse("from", fromRaw), parse("to", toRaw)
	if len(errs) > 0 {
		return from, to, &routine.ValidationError{Fields: errs}
	}
	return from, to, routine.CheckRange(from, to)
}

// --- helpers

// caller returns the authenticated user's id (Require put it there).
func (h *handlers) caller(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(authn.UserID(c.Request.Context()))
	if err != nil {
		authn.Unauthorized(c, "Sign in first: this needs an access token.")
		return uuid.Nil, false
	}
	return id, true
}

// callerAndID also reads the item id; one that is not a UUID names no
// item, so it is a 404 like any other missing one.
func (h *handlers) callerAndID(c *gin.Context) (uuid.UUID, uuid.UUID, bool) {
	user, ok := h.caller(c)
	if !ok {
		return uuid.Nil, uuid.Nil, false
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		h.fail(c, routine.ErrNotFound)
		return uuid.Nil, uuid.Nil, false
	}
	return user, id, true
}

func ok200(c *gin.Context, v any) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
}
