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
	var lookup *contactError
	switch {
	case errors.Is(err, routine.ErrNotFound):
		httpx.Abort(c, problem.Typed(http.StatusNotFound, "not-found", "Not found", "There is no such item."))
	case errors.As(err, &lookup):
		h.log.WarnContext(c, "timezone lookup failed", "err", err)
		c.Header("Retry-After", "5")
		httpx.Abort(c, problem.Typed(http.StatusServiceUnavailable, "dependency-unavailable", "Service Unavailable",
			"Your timezone could not be looked up just now. Please try again in a moment."))
	default:
		// Problems from decoding and field errors are mapped there.
		httpx.Fail(c, h.log, err)
	}
}

// contactError is a failed timezone lookup: user-service unreachable, or
// an answer that is not a profile.
type contactError struct{ err error }

func (e *contactError) Error() string { return "timezone lookup: " + e.err.Error() }
func (e *contactError) Unwrap() error { return e.err }
