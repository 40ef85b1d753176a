// Package httpapi is user-service's HTTP surface: Routes lists every route
// it serves; the platform adds /healthz, /readyz and /dapr/subscribe.
package httpapi

import (
	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

// ContactCallers are the only apps the contact lookup answers.
var ContactCallers = []string{"notification-service", "letter-service", "routine-service", "emotion-store-service", "recommend-service"}

// App is what the routes call.
type App struct {
	Profiles profile.Store
	Avatars  profile.Avatars
}

// Routes mounts user-service's whole HTTP surface.
func Routes(d service.Deps, app App) error {
	api := &handlers{store: app.Profiles, avatars: app.Avatars, clock: d.Clock, log: d.Log}

	// Public, through the gateway, with an access token.
	users := d.Router.Group("/api/users", d.Auth.Require())
	users.GET("/me", api.getMe)     // GET /api/users/me — the caller's profile
	users.PATCH("/me", api.patchMe) // PATCH /api/users/me — partial update

	// Internal, through Dapr invocation only, to the apps that mail a user
	// or need their zone and language (emotion-store's timelines).
	d.Internal.GET("/users/:id/contact", authn.RequireCallerApp(ContactCallers...), api.contact) // GET /internal/users/{id}/contact — for mail
	return nil
}
