package httpapi

import (
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/auth/internal/account"
	"github.com/lettertomyself/ltm/apps/auth/internal/token"
)

// fail answers err as problem+json: auth's own errors here, the shared
// ones (problems, field errors, anything unexpected) in httpx.Fail.
func (a *api) fail(c *gin.Context, err error) {
	var (
		p         *problem.Problem
		taken     *account.TakenError
		throttled *account.ThrottledError
	)
	switch {
	case errors.As(err, &p):
		httpx.Abort(c, p)
	case errors.As(err, &taken):
		tp := problem.Typed(http.StatusConflict, "taken", "Already taken.", "Another account already uses this.")
		tp.Errors = map[string]string{}
		for _, f := range taken.Fields {
			tp.Errors[f] = "is already taken"
		}
		httpx.Abort(c, tp)
	case errors.As(err, &throttled):
		secs := int(math.Ceil(throttled.RetryAfter.Seconds()))
		c.Header("Retry-After", strconv.Itoa(secs))
		httpx.Abort(c, problem.Typed(http.StatusTooManyRequests, "throttled", "Too many failed attempts.",
			"Too many failed sign-in attempts. Try again in "+strconv.Itoa(secs)+" seconds.").With("retry_after", secs))
	case errors.Is(err, account.ErrInvalidCredentials) && token.IsRefusal(err):
		httpx.Abort(c, problem.Typed(http.StatusUnauthorized, "invalid-refresh-token", "Invalid refresh token.",
			"The refresh token is invalid, expired or revoked. Sign in again."))
	case errors.Is(err, account.ErrInvalidCredentials):
		httpx.Abort(c, problem.Typed(http.StatusUnauthorized, "invalid-credentials", "Invalid credentials.",
			"The username or password is not correct."))
	case errors.Is(err, token.ErrKeysNotLoaded):
		c.Header("Retry-After", "5")
		httpx.Abort(c, problem.New(http.StatusServiceUnavailable, "Sign-in is starting up. Try again in a few seconds."))
	default:
		httpx.Fail(c, a.log, err)
	}
}
