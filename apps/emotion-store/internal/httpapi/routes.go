// Package httpapi is emotion-store-service's HTTP surface. Routes lists
// every route and subscription it serves; the platform adds /healthz,
// /readyz and /dapr/subscribe.
package httpapi

import (
	"errors"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/app"
	"github.com/lettertomyself/ltm/apps/emotion-store/internal/events"
)

// recommendService is the only caller of the recent-mood endpoint.
const recommendService = "recommend-service"

// Options carry what the routes call.
type Options struct {
	// App is the use cases.
	App *app.Service
}

// Routes mounts emotion-store-service's whole surface on d.
func Routes(d service.Deps, o Options) error {
	if o.App == nil {
		return errors.New("httpapi: no use cases")
	}
	api := &handlers{svc: o.App, log: d.Log}

	// Pub/sub (POST /events/<topic>, from the sidecar only).
	ev := events.New(o.App)
	d.Subs.Handle(events.TopicEmotionAnalyzed, ev.EmotionAnalyzed) // from emotion-ml-service
	d.Subs.Handle(events.TopicLetterDeleted, ev.LetterDeleted)     // from letter-service
	d.Subs.Handle(events.TopicUserDeleted, ev.UserDeleted)         // from auth-service

	// Public, through the gateway, with an access token.
	em := d.Router.Group("/api/emotions", d.Auth.Require())
	em.GET("/summary", api.summary)              // GET /api/emotions/summary?lang= — counts, most frequent, recent mood, comfort
	em.GET("/timeline", api.timeline)            // GET /api/emotions/timeline?period=&from=&to= — buckets in the caller's zone
	em.POST("/reanalyze", api.reanalyze)         // POST /api/emotions/reanalyze — 202 {job_id}; one running job per user
	em.GET("/reanalyze/:job_id", api.reanalysis) // GET /api/emotions/reanalyze/{job_id} — {status, total, done}

	// Internal, through Dapr: recommend-service only.
	d.Internal.GET("/users/:id/mood", authn.RequireCallerApp(recommendService), api.recentMood) // GET /internal/users/{id}/mood — {mood, because}
	return nil
}
