package httpapi

import (
	"errors"
	"maps"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

// fail is the one place errors become problem responses.
func (h *handlers) fail(c *gin.Context, err error) {
	var invalid *profile.ValidationError
	switch {
	case errors.As(err, &invalid):
		httpx.Abort(c, problem.Validation(invalid.Fields))
	case errors.Is(err, profile.ErrNotFound):
		httpx.Abort(c, problem.Typed(http.StatusNotFound, "profile-not-found", "Profile not found",
			"There is no profile for this account. A new account's profile appears a moment after signup."))
	default:
		// *problem.Problem from decoding passes through; the rest is a 500.
		httpx.Fail(c, h.log, err)
	}
}

// mergeErrors joins request-shape errors with err from the domain: when
// either has field errors, the result is one *ValidationError with all of
// them; any other error wins as is.
func mergeErrors(shape map[string]string, err error) error {
	var invalid *profile.ValidationError
	if err != nil && !errors.As(err, &invalid) {
		return err
	}
	if len(shape) == 0 {
		return err
	}
	all := maps.Clone(shape)
	if invalid != nil {
		for k, v := range invalid.Fields {
			if _, ok := all[k]; !ok {
				all[k] = v
			}
		}
	}
	return &profile.ValidationError{Fields: all}
}
