// Package httpapi is scheduler-service's HTTP surface: Routes lists every
// route and binding it serves; the platform adds /healthz, /readyz and
// /dapr/subscribe.
package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/sweep"
)

// SweepBinding is the cron input binding that drives the sweep.
const SweepBinding = "scheduler-sweep"

// App is what the routes call.
type App struct {
	Sweeper *sweep.Sweeper
}

// Routes mounts scheduler-service's whole HTTP surface.
func Routes(d service.Deps, app App) error {
	sweeper := app.Sweeper
	// POST /scheduler-sweep — cron tick from the sidecar, on every replica.
	daprx.OnBinding(d.FromDapr, d.Log, SweepBinding, func(ctx context.Context, _ []byte) error {
		return sweeper.Run(ctx)
	})

	// GET /internal/status — sweep liveness and backlog, for operators and tests.
	d.Internal.GET("/status", func(c *gin.Context) {
		st, err := sweeper.Status(c.Request.Context())
		if err != nil {
			d.Log.ErrorContext(c, "status: backlog unreadable", "err", err)
			problem.Write(c.Writer, problem.New(http.StatusServiceUnavailable, "the backlog cannot be read"))
			return
		}
		c.JSON(http.StatusOK, st)
	})
	return nil
}
