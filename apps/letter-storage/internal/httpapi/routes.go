// Package httpapi is letter-storage-service's HTTP surface. Setup lists every
// route, binding and subscription it serves; the platform adds /healthz,
// /readyz, /dapr/config and /dapr/subscribe.
package httpapi

import (
	"context"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/letter-storage/internal/blob"
	"github.com/lettertomyself/ltm/apps/letter-storage/internal/events"
	"github.com/lettertomyself/ltm/apps/letter-storage/internal/image"
	"github.com/lettertomyself/ltm/apps/letter-storage/internal/postgres"
)

// SweepBinding is the cron input binding that removes stale uploads.
const SweepBinding = "image-sweep"

// Options are the service's own settings.
type Options struct {
	Limits        image.Limits
	Binding       string // name of the images output binding
	UnattachedTTL time.Duration
	Clock         clock.Clock // nil: the system clock
}

// Setup returns the service's wiring for service.Spec.Setup.
func Setup(o Options) func(service.Deps) ([]service.Worker, error) {
	return func(d service.Deps) ([]service.Worker, error) {
		svc := image.NewService(
			postgres.New(d.DB),
			blob.New(d.Dapr.HTTPEndpoint(), o.Binding, o.Limits.MaxBytes),
			image.Options{Limits: o.Limits, UnattachedTTL: o.UnattachedTTL, Clock: o.Clock, Log: d.Log},
		)
		h := &handlers{svc: svc, log: d.Log}

		api := d.Router.Group("/api/images", d.Auth.Require())
		api.POST("", h.upload)   // multipart "file" → 201 {id, content_type, size, created_at}
		api.GET("/:id", h.serve) // the owner's bytes; 423 while its letter is sealed

		// Called by letter-service through Dapr invocation.
		d.Internal.POST("/images/attach", h.attach) // {user_id, letter_id, image_ids, open_at} → 204 | 422
		d.Internal.POST("/images/detach", h.detach) // {letter_id} → 204

		// POST /image-sweep — cron tick from the sidecar.
		daprx.OnBinding(d.FromDapr, d.Log, SweepBinding, func(ctx context.Context, _ []byte) error {
			n, err := svc.Sweep(ctx)
			if n > 0 {
				d.Log.InfoContext(ctx, "swept unattached images", "deleted", n)
			}
			return err
		})

		// letter.deleted, user.deleted → purge images and their objects.
		events.Register(d.Subs, svc)
		return nil, nil
	}
}
