// Package httpapi is letter-service's HTTP surface: Routes lists every
// route it serves; the platform adds /healthz, /readyz and /dapr/subscribe.
package httpapi

import (
	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/letter/internal/crypto"
	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
)

// App is what the routes call.
type App struct {
	Store  letter.Store
	Writer *letter.Writer
	// Keys is the keyring holder: until it is loaded, letters answer 503.
	Keys *crypto.Holder
}

// Routes mounts letter-service's whole HTTP surface.
func Routes(d service.Deps, app App) error {
	api := &handlers{store: app.Store, writer: app.Writer, clock: d.Clock, log: d.Log}
	keys := app.Keys

	// Public, through the gateway, with an access token; 503 until the
	// encryption keys are loaded.
	letters := d.Router.Group("/api/letters", d.Auth.Require(), noStore, requireKeys(keys))
	letters.POST("", api.create)       // POST /api/letters — write a letter
	letters.GET("", api.list)          // GET /api/letters?category=&limit=&cursor= — the caller's letters
	letters.GET("/export", api.export) // GET /api/letters/export — everything, as a JSON download
	letters.GET("/:id", api.get)       // GET /api/letters/{id} — 423 while sealed
	letters.DELETE("/:id", api.delete) // DELETE /api/letters/{id}

	// Internal, through Dapr only, each for the one app that needs it.
	d.Internal.GET("/letters/:id/text", authn.RequireCallerApp("emotion-ml-service"), requireKeys(keys), api.text) // title and content, for analysis
	d.Internal.GET("/users/:id/letters", authn.RequireCallerApp("emotion-store-service"), api.writtenBy)           // [{letter_id, written_at}], for re-analysis
	return nil
}
