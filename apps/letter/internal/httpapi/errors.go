package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/letter/internal/crypto"
	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
)

// fail maps an error to its problem+json answer: the one place where
// domain and infrastructure errors become HTTP.
func (h *handlers) fail(c *gin.Context, err error) {
	var (
		sealed *letter.SealedError
		images *letter.ImagesError
	)
	switch {
	case errors.As(err, &images):
		httpx.Abort(c, problem.Validation(map[string]string{"image_ids": images.Message}))
	case errors.As(err, &sealed):
		httpx.Abort(c, problem.Typed(http.StatusLocked, "sealed", "This letter is still sealed.",
			"It opens at open_at; until then nothing of it but its title and open date is shown.").
			With("open_at", sealed.OpenAt.UTC().Format(time.RFC3339)))
	case errors.Is(err, letter.ErrNotFound):
		httpx.Abort(c, problem.Typed(http.StatusNotFound, "letter-not-found", "No such letter.", "There is no letter with this id among yours."))
	case errors.Is(err, crypto.ErrNoKeys):
		unavailable(c, "Letters are not available yet; try again shortly.")
	case errors.Is(err, letter.ErrUnavailable):
		h.log.WarnContext(c, "dependency unavailable", "path", c.FullPath(), "err", err)
		unavailable(c, "A service letters depend on is unavailable; try again shortly.")
	default:
		httpx.Fail(c, h.log, err)
	}
}

func unavailable(c *gin.Context, detail string) {
	c.Header("Retry-After", "5")
	httpx.Abort(c, problem.New(http.StatusServiceUnavailable, detail))
}

// requireKeys answers 503 until the encryption keys are loaded: without
// them no letter can be written or read.
func requireKeys(keys *crypto.Holder) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !keys.Loaded() {
			unavailable(c, "Letters are not available yet; try again shortly.")
			return
		}
		c.Next()
	}
}

// noStore keeps letters out of shared and browser caches.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}
