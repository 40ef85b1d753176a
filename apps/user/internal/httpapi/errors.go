package httpapi

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

// fail is the one place errors become problem responses.
func (h *handlers) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, profile.ErrNotFound):
		httpx.Abort(c, problem.Typed(http.StatusNotFound, "profile-not-found", "Profile not found",
			"There is no profile for this account. A new account's profile appears a moment after signup."))
	default:
		// Problems from decoding and field errors are mapped there.
		httpx.Fail(c, h.log, err)
	}
}

// mergeErrors joins request-shape errors with err from the domain: when
// either has field errors, the result is one *fields.Error with all of
// them (the shape's message first); any other error wins as is.
func mergeErrors(shape map[string]string, err error) error {
	var invalid *fields.Error
	if err != nil && !errors.As(err, &invalid) {
		return err
	}
	if len(shape) == 0 {
		return err
	}
	var all fields.Set
	for k, v := range shape {
		all.Add(k, v)
	}
	if invalid != nil {
		for k, v := range invalid.Fields() {
			all.Add(k, v)
		}
	}
	return all.Err()
}
