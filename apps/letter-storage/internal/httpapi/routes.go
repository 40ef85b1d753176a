// Package httpapi is letter-storage-service's HTTP surface: Routes lists
// every route and binding it serves; the platform adds /healthz, /readyz
// and /dapr/subscribe.
package httpapi

import (
	"context"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/letter-storage/internal/image"
)

// SweepBinding is the cron input binding that removes stale uploads.
const SweepBinding = "image-sweep"

// App is what the routes call.
type App struct {
	Images *image.Service
}

// Routes mounts letter-storage-service's whole HTTP surface.
func Routes(d service.Deps, app App) error {
	svc := app.Images
	h := &handlers{svc: svc, log: d.Log}

	api := d.Router.Group("/api/images", d.Auth.Require())
	api.POST("", h.upload)   // multipart "file" → 201 {id, content_type, size, created_at}
	api.GET("/:id", h.serve) // the owner's bytes; 423 while its letter is sealed

	// Called by letter-service through Dapr invocation, and by nobody else:
	// detaching would unseal a letter's images.
	letters := d.Internal.Group("", authn.RequireCallerApp("letter-service"))
	letters.POST("/images/attach", h.attach) // {user_id, letter_id, image_ids, open_at} → 204 | 422
	letters.POST("/images/detach", h.detach) // {letter_id} → 204

	// Called by user-service only: a profile picture is one of the user's
	// own uploads, kept from the sweep.
	d.Internal.POST("/images/avatar", authn.RequireCallerApp("user-service"), h.avatar) // {user_id, image_id|null} → 204 | 404 | 422

	// POST /image-sweep — cron tick from the sidecar.
	daprx.OnBinding(d.FromDapr, d.Log, SweepBinding, func(ctx context.Context, _ []byte) error {
		n, err := svc.Sweep(ctx)
		if n > 0 {
			d.Log.InfoContext(ctx, "swept unattached images", "deleted", n)
		}
		return err
	})
	return nil
}
