package httpapi

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/routine/internal/routine"
)

// fail is the one place errors become problem responses.
func (h *handlers) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, routine.ErrNotFound):
		httpx.Abort(c, problem.Typed(http.StatusNotFound, "not-found", "Not found", "There is no such item."))
	case errors.Is(err, routine.ErrZoneUnavailable):
		h.log.WarnContext(c, "timezone lookup failed", "err", err)
		c.Header("Retry-After", "5")
		httpx.Abort(c, problem.Typed(http.StatusServiceUnavailable, "dependency-unavailable", "Service Unavailable",
			"Your timezone could not be looked up just now. Please try again in a moment."))
	default:
		// Problems from decoding and field errors are mapped there.
		httpx.Fail(c, h.log, err)
	}
}
