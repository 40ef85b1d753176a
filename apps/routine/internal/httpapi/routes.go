// Package httpapi is routine-service's HTTP surface. Setup lists every route
// and subscription it serves; the platform adds /healthz, /readyz and
// /dapr/subscribe.
package httpapi

import (
	"errors"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/routine/internal/events"
	"github.com/lettertomyself/ltm/apps/routine/internal/postgres"
)

// Setup returns routine-service's wiring, reading time from clk.
func Setup(clk clock.Clock) func(service.Deps) ([]service.Worker, error) {
	return func(d service.Deps) ([]service.Worker, error) {
		if d.DB == nil {
			return nil, errors.New("routine-service needs its database")
		}
		if d.Dapr == nil {
			return nil, errors.New("routine-service needs its sidecar (user timezones)")
		}
		store := postgres.New(d.DB)
		api := &handlers{store: store, zones: &zones{get: d.Dapr.Get, log: d.Log}, clock: clk, log: d.Log}

		// Pub/sub (POST /events/<topic>, from the sidecar only).
		d.Subs.Handle(events.TopicUserDeleted, events.UserDeleted(store)) // purge the user's items

		// Public, through the gateway, with an access token.
		a := d.Router.Group("/api", d.Auth.Require())
		a.GET("/routines", api.listRoutines)         // GET /api/routines — the caller's, oldest first
		a.POST("/routines", api.createRoutine)       // POST /api/routines — 201
		a.GET("/routines/today", api.today)          // GET /api/routines/today — today's occurrences, caller's zone
		a.GET("/routines/:id", api.getRoutine)       // GET /api/routines/{id}
		a.PATCH("/routines/:id", api.patchRoutine)   // PATCH /api/routines/{id} — partial
		a.DELETE("/routines/:id", api.deleteRoutine) // DELETE /api/routines/{id} — 204

		a.GET("/special-dates", api.listSpecialDates)         // GET /api/special-dates
		a.POST("/special-dates", api.createSpecialDate)       // POST /api/special-dates — 201
		a.GET("/special-dates/:id", api.getSpecialDate)       // GET /api/special-dates/{id}
		a.PATCH("/special-dates/:id", api.patchSpecialDate)   // PATCH /api/special-dates/{id} — partial
		a.DELETE("/special-dates/:id", api.deleteSpecialDate) // DELETE /api/special-dates/{id} — 204

		a.GET("/calendar", api.calendar) // GET /api/calendar?from=YYYY-MM-DD&to=YYYY-MM-DD

		return nil, nil
	}
}
