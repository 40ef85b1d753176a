// Package httpapi is notification-service's HTTP surface: Routes lists
// every route it serves; the platform adds /healthz, /readyz and
// /dapr/subscribe.
package httpapi

import (
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

// App is what the routes call.
type App struct {
	History notify.History
}

// Routes mounts notification-service's whole HTTP surface.
func Routes(d service.Deps, app App) error {
	api := &handlers{store: app.History, log: d.Log}

	// Public, through the gateway, with an access token.
	d.Router.GET("/api/notifications", d.Auth.Require(), api.list) // GET /api/notifications — the caller's mail history
	return nil
}
