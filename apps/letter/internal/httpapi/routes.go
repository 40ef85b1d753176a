// Package httpapi is letter-service's HTTP surface. Setup lists every route
// and subscription it serves; the platform adds /healthz, /readyz and
// /dapr/subscribe.
package httpapi

import (
	"errors"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/letter/internal/clients"
	"github.com/lettertomyself/ltm/apps/letter/internal/crypto"
	"github.com/lettertomyself/ltm/apps/letter/internal/events"
	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
	"github.com/lettertomyself/ltm/apps/letter/internal/postgres"
)

// Options are the wiring choices main (or a test) makes.
type Options struct {
	// Clock is the time every seal and date check uses.
	Clock clock.Clock
	// DefaultTimezone is the zone of a writer user-service has no profile
	// for; default letter.DefaultTimezone.
	DefaultTimezone string
	// KeyRefresh is how often the keyring is reloaded from the secret
	// store (rotation without restart); 0 loads once.
	KeyRefresh time.Duration
	// Keys, when set, is used as is (tests); otherwise the keys are loaded
	// from the Dapr secret store once the sidecar is connected.
	Keys *crypto.Holder
}

// Setup returns letter-service's wiring.
func Setup(o Options) func(service.Deps) ([]service.Worker, error) {
	return func(d service.Deps) ([]service.Worker, error) {
		if d.DB == nil {
			return nil, errors.New("letter-service needs its database")
		}
		if o.Clock == nil {
			o.Clock = clock.System{}
		}
		if o.DefaultTimezone == "" {
			o.DefaultTimezone = letter.DefaultTimezone
		}
		var workers []service.Worker
		keys := o.Keys
		if keys == nil {
			keys = crypto.NewHolder(nil)
			loader := &crypto.Loader{Source: d.Dapr, Holder: keys, Connected: d.Dapr.Connected(), Log: d.Log, Refresh: o.KeyRefresh}
			workers = append(workers, loader.Run)
		}
		store := postgres.New(d.DB, keys)
		api := &handlers{
			store: store, users: clients.NewUsers(d.Dapr), storage: clients.NewStorage(d.Dapr),
			clock: o.Clock, defaultTZ: o.DefaultTimezone, log: d.Log,
		}
		ev := events.New(store, d.Log)

		// Pub/sub (POST /events/<topic>, from the sidecar only).
		d.Subs.Handle(events.TopicEmotionAnalyzed, ev.EmotionAnalyzed) // mood and sub-mood onto the letter
		d.Subs.Handle(events.TopicUserDeleted, ev.UserDeleted)         // purge the user's letters

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

		return workers, nil
	}
}
