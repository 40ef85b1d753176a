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
	var invalid *routine.ValidationError
	switch {
	case errors.As(err, &invalid):
		httpx.Abort(c, problem.Validation(invalid.Fields))
	case errors.Is(err, routine.ErrNotFound):
		httpx.Abort(c, problem.Typed(http.StatusNotFound, "not-found", "Not found", "There is no such item."))
	case errors.Is(err, errZoneUnavailable):
		h.log.WarnContext(c, "timezone lookup failed", "err", err)
		c.Header("Retry-After", "5")
		httpx.Abort(c, problem.Typed(http.StatusServiceUnavailable, "dependency-unavailable", "Service Unavailable",
			"Your timezone could not be looked up just now. Please try again in a moment."))
	default:
		// *problem.Problem from decoding passes through; the rest is a 500.
		httpx.Fail(c, h.log, err)
	}
}
