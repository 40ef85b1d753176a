package authn

import (
	"crypto/subtle"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
)

// AppTokenHeader is how the Dapr sidecar proves a call came through it:
// daprd sends its APP_API_TOKEN in this header on every call to the app.
const AppTokenHeader = "dapr-api-token"

// RequireAppToken admits only calls carrying the app API token, i.e. calls
// made by this app's own sidecar. With no token configured it admits
// nothing: internal routes fail closed.
func RequireAppToken(token string) gin.HandlerFunc {
	return func(c *gin.Context) {
		got := c.GetHeader(AppTokenHeader)
		if token == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			Unauthorized(c, "This endpoint is only reachable through Dapr.")
			return
		}
		c.Next()
	}
}

// CallerAppHeader is where daprd names the app that invoked this one. Only
// behind RequireAppToken is it trustworthy: the token proves the call came
// through this app's own sidecar, which sets the header itself.
const CallerAppHeader = "dapr-caller-app-id"

// RequireCallerApp admits only invocations from the listed app ids; mount
// it behind RequireAppToken (service.Deps.Internal). Any other caller gets
// 403: an internal endpoint answers the service that needs it, no other.
func RequireCallerApp(apps ...string) gin.HandlerFunc {
	allowed := make(map[string]bool, len(apps))
	for _, a := range apps {
		allowed[a] = true
	}
	return func(c *gin.Context) {
		if !allowed[c.GetHeader(CallerAppHeader)] {
			httpx.Abort(c, problem.New(http.StatusForbidden, "This endpoint does not answer the calling app."))
			return
		}
		c.Next()
	}
}

// forwardedHeaders name a client address on someone else's word.
var forwardedHeaders = []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded"}

// TrustForwardedOnlyFrom drops the headers that name a client's address
// (X-Forwarded-For and friends) unless the call came through this app's
// sidecar (the app token) from one of callers, i.e. the gateway, which sets
// them itself. A caller reaching the app's port directly, or another app,
// cannot pick the address that throttling counts against.
func TrustForwardedOnlyFrom(token string, callers ...string) gin.HandlerFunc {
	allowed := make(map[string]bool, len(callers))
	for _, a := range callers {
		allowed[a] = true
	}
	return func(c *gin.Context) {
		got := c.GetHeader(AppTokenHeader)
		fromSidecar := token != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
		if !fromSidecar || !allowed[c.GetHeader(CallerAppHeader)] {
			for _, h := range forwardedHeaders {
				c.Request.Header.Del(h)
			}
		}
		c.Next()
	}
}
