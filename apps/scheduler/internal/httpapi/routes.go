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
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/sweep"
)

// SweepBinding is the cron input binding that drives the sweep.
const SweepBinding = "scheduler-sweep"

// Setup registers scheduler-service's routes and returns its workers.
func Setup(d service.Deps) ([]service.Worker, error) {
	sweeper := sweep.New(clock.System{})

	// POST /scheduler-sweep — cron tick from the sidecar.
	daprx.OnBinding(d.FromDapr, d.Log, SweepBinding, func(ctx context.Context, _ []byte) error {
		return sweeper.Run(ctx)
	})
	// GET /internal/status — sweep liveness, for operators and tests.
	d.Internal.GET("/status", func(c *gin.Context) {
		c.JSON(http.StatusOK, sweeper.Status())
	})
	return nil, nil
}
