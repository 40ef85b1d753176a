package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"github.com/lettertomyself/ltm/apps/routine/internal/routine"
)

type handlers struct {
	store   routine.Store
	planner *routine.Planner
	log     *slog.Logger
}

// --- routines

func (h *handlers) listRoutines(c *gin.Context) {
	user, ok := authn.Caller(c)
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
	user, ok := authn.Caller(c)
	if !ok {
		return
	}
	var req routineRequest
	if err := httpx.DecodeJSON(c, &req, maxBodyBytes); err != nil {
		h.fail(c, err)
		return
	}
	r, err := h.planner.CreateRoutine(c, user, req.fields())
	if err != nil {
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
	r, err := h.planner.UpdateRoutine(c, user, id, req.patch())
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
	user, ok := authn.Caller(c)
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
	user, ok := authn.Caller(c)
	if !ok {
		return
	}
	var req specialDateRequest
	if err := httpx.DecodeJSON(c, &req, maxBodyBytes); err != nil {
		h.fail(c, err)
		return
	}
	d, err := h.planner.CreateSpecialDate(c, user, req.fields())
	if err != nil {
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
	d, err := h.planner.UpdateSpecialDate(c, user, id, req.patch())
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
	user, ok := authn.Caller(c)
	if !ok {
		return
	}
	from, to, err := parseRange(c.Query("from"), c.Query("to"))
	if err != nil {
		h.fail(c, err)
		return
	}
	loc, occs, err := h.planner.Calendar(c, user, from, to)
	if err != nil {
		h.fail(c, err)
		return
	}
	ok200(c, calendarDTO{From: from.String(), To: to.String(), Timezone: loc.String(), Occurrences: toOccurrenceDTOs(occs)})
}

func (h *handlers) today(c *gin.Context) {
	user, ok := authn.Caller(c)
	if !ok {
		return
	}
	day, loc, occs, err := h.planner.Today(c, user)
	if err != nil {
		h.fail(c, err)
		return
	}
	ok200(c, todayDTO{Date: day.String(), Timezone: loc.String(), Occurrences: toOccurrenceDTOs(occs)})
}

// parseRange reads the calendar's from and to, reporting every problem.
func parseRange(fromRaw, toRaw string) (wallclock.Date, wallclock.Date, error) {
	var errs fields.Set
	parse := func(field, raw string) wallclock.Date {
		if raw == "" {
			errs.Add(field, "required, as YYYY-MM-DD")
			return wallclock.Date{}
		}
		d, err := wallclock.ParseDate(raw)
		if err != nil {
			errs.Add(field, "must be a real date as YYYY-MM-DD")
		}
		return d
	}
	from, to := parse("from", fromRaw), parse("to", toRaw)
	if err := errs.Err(); err != nil {
		return from, to, err
	}
	return from, to, routine.CheckRange(from, to)
}

// --- helpers

// callerAndID also reads the item id; one that is not a UUID names no
// item, so it is a 404 like any other missing one.
func (h *handlers) callerAndID(c *gin.Context) (uuid.UUID, uuid.UUID, bool) {
	user, ok := authn.Caller(c)
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
