// Package httpapi is recommend-service's HTTP surface. Setup lists every
// route and subscription it serves; the platform adds /healthz, /readyz
// and /dapr/subscribe.
package httpapi

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/contact"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/recommend/internal/app"
	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
	"github.com/lettertomyself/ltm/apps/recommend/internal/daprstate"
	"github.com/lettertomyself/ltm/apps/recommend/internal/events"
	"github.com/lettertomyself/ltm/apps/recommend/internal/model"
	"github.com/lettertomyself/ltm/apps/recommend/internal/moods"
)

// Config is recommend-service's own configuration.
type Config struct {
	// StateStore is the Dapr state store of feedback and history.
	StateStore string `env:"STATE_STORE" envDefault:"recommend-state"`
	// MoodTimeout bounds the recent-mood lookup on emotion-store; past it
	// the answer is for neutral.
	MoodTimeout time.Duration `env:"MOOD_TIMEOUT" envDefault:"1s"`
	model.Config
}

func (c Config) validate() error {
	var errs []error
	if c.StateStore == "" {
		errs = append(errs, errors.New("STATE_STORE must not be empty"))
	}
	if c.MoodTimeout <= 0 {
		errs = append(errs, errors.New("MOOD_TIMEOUT must be positive"))
	}
	return errors.Join(append(errs, c.Config.Validate())...)
}

// Options replace edges of the world in tests; zero values mean the real
// thing.
type Options struct {
	// Rand drives the varied selection; tests pass a seeded one.
	Rand *rand.Rand
	// Moods replaces the lookup on emotion-store-service.
	Moods app.Moods
	// Locale replaces the profile lookup on user-service.
	Locale func(ctx context.Context, userID string) string
}

// Setup returns recommend-service's wiring.
func Setup(cfg Config, opts Options) func(service.Deps) ([]service.Worker, error) {
	return func(d service.Deps) ([]service.Worker, error) {
		if err := cfg.validate(); err != nil {
			return nil, err
		}
		cat, err := catalog.Load()
		if err != nil {
			return nil, err
		}
		rng := opts.Rand
		if rng == nil {
			rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
		}
		var mood app.Moods = moods.New(d.Dapr.Get, cfg.MoodTimeout)
		if opts.Moods != nil {
			mood = opts.Moods
		}
		var modelOpts app.Options
		if cfg.Config.Enabled() {
			key := func(ctx context.Context) (string, error) { return d.Dapr.OptionalSecret(ctx, "openai-api-key") }
			modelOpts = app.Options{Suggester: model.New(cfg.Config, key), ModelWait: cfg.Wait, ModelTimeout: cfg.Timeout}
			d.Log.Info("model suggestions on", "model", cfg.Model)
		}
		store := daprstate.New(cfg.StateStore, func() (daprstate.Client, error) { return d.Dapr.Client() })
		svc := app.New(cat, store, mood, d.Clock, rng, d.Log, modelOpts)
		locale := opts.Locale
		if locale == nil {
			locale = newLocaleCache(profileLocale(contact.New(d.Dapr.Get, d.Log), cfg.MoodTimeout), d.Clock.Now, localeTTL, maxLocales).Locale
		}
		api := &handlers{svc: svc, log: d.Log, locale: locale}
		ev := events.New(svc, d.Log)

		// Pub/sub (POST /events/<topic>, from the sidecar only).
		d.Subs.Handle(events.TopicUserDeleted, ev.UserDeleted) // from auth-service

		// Public, through the gateway, with an access token.
		rec := d.Router.Group("/api/recommendations", d.Auth.Require())
		rec.GET("", api.recommend)             // GET /api/recommendations?types=&limit=&lang= — items for the recent mood, in the caller's locale
		rec.POST("/feedback", api.setFeedback) // POST /api/recommendations/feedback — like, dislike or none
		rec.GET("/feedback", api.listFeedback) // GET /api/recommendations/feedback?lang= — the caller's likes and dislikes

		return nil, nil
	}
}

// profileLocale is the caller's profile locale ("ko" or "en") from
// user-service, or "" when it cannot say within timeout: the answer then
// follows Accept-Language rather than wait.
func profileLocale(c *contact.Client, timeout time.Duration) func(ctx context.Context, userID string) string {
	return func(ctx context.Context, userID string) string {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		ct, err := c.Lookup(ctx, userID)
		if err != nil || (ct.Locale != "ko" && ct.Locale != "en") {
			return ""
		}
		return ct.Locale
	}
}
