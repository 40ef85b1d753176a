// Package httpapi is scheduler-service's HTTP surface. Setup lists every
// route, binding and subscription it serves; the platform adds /healthz,
// /readyz and /dapr/subscribe.
package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/events"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/postgres"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/sweep"
)

// SweepBinding is the cron input binding that drives the sweep.
const SweepBinding = "scheduler-sweep"

// Setup returns the wiring of scheduler-service's routes, subscriptions and
// sweep, reading time from c.
func Setup(c clock.Clock, opts sweep.Options) func(service.Deps) ([]service.Worker, error) {
	return func(d service.Deps) ([]service.Worker, error) {
		store := postgres.New(d.DB, d.Log)
		sweeper := sweep.New(store, c, d.Log, opts)

		// letter.*, routine.*, user.deleted → due work.
		events.New(store, c, d.Log).Register(d.Subs)

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
		return nil, nil
	}
}
