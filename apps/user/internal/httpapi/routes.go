// Package httpapi is user-service's HTTP surface. Setup lists every route
// and subscription it serves; the platform adds /healthz, /readyz and
// /dapr/subscribe.
package httpapi

import (
	"errors"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/user/internal/events"
	"github.com/lettertomyself/ltm/apps/user/internal/postgres"
)

// Setup returns user-service's wiring, reading time from clk.
func Setup(clk clock.Clock) func(service.Deps) ([]service.Worker, error) {
	return func(d service.Deps) ([]service.Worker, error) {
		if d.DB == nil {
			return nil, errors.New("user-service needs its database")
		}
		store := postgres.New(d.DB)
		api := &handlers{store: store, clock: clk, log: d.Log}
		ev := events.New(store, clk)

		// Pub/sub (POST /events/<topic>, from the sidecar only):
		// auth-service's account events.
		d.Subs.Handle(events.TopicRegistered, ev.Registered)
		d.Subs.Handle(events.TopicEmailChanged, ev.EmailChanged)
		d.Subs.Handle(events.TopicDeleted, ev.Deleted)

		// Public, through the gateway, with an access token.
		users := d.Router.Group("/api/users", d.Auth.Require())
		users.GET("/me", api.getMe)     // GET /api/users/me — the caller's profile
		users.PATCH("/me", api.patchMe) // PATCH /api/users/me — partial update

		// Internal, through Dapr invocation only.
		d.Internal.GET("/users/:id/contact", api.contact) // GET /internal/users/{id}/contact — for mail

		return []service.Worker{store.PruneTombstones(d.Log)}, nil
	}
}
