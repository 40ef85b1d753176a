// Package httpapi is routine-service's HTTP surface: Routes lists every
// route it serves; the platform adds /healthz, /readyz and /dapr/subscribe.
package httpapi

import (
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/routine/internal/routine"
)

// App is what the routes call: reads and deletes go to the store, writes
// and calendars through the planner (they need the owner's zone).
type App struct {
	Store   routine.Store
	Planner *routine.Planner
}

// Routes mounts routine-service's whole HTTP surface.
func Routes(d service.Deps, app App) error {
	api := &handlers{store: app.Store, planner: app.Planner, log: d.Log}

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
	return nil
}
