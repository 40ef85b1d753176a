package authn

import (
	"crypto/subtle"

	"github.com/gin-gonic/gin"
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
