package edge

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/authn"
)

// public lists the API calls that need no access token: how one gets a
// token in the first place, and the keys to check one with.
var public = map[string]bool{
	http.MethodPost + " /api/auth/signup":  true,
	http.MethodPost + " /api/auth/login":   true,
	http.MethodPost + " /api/auth/refresh": true,
	http.MethodPost + " /api/auth/logout":  true,
	http.MethodGet + " /api/auth/jwks":     true,
}

// IsPublic reports whether method and path need no access token.
func IsPublic(method, path string) bool {
	return public[method+" "+strings.TrimSuffix(path, "/")]
}

// RequireToken checks the access token at the edge for every /api/ call
// that is not public, so a bad token never reaches a service. The services
// check it again: the edge is not their only door.
func RequireToken(v *authn.Verifier) gin.HandlerFunc {
	require := v.Require()
	return func(c *gin.Context) {
		if c.Request.Method == http.MethodOptions || IsPublic(c.Request.Method, c.Request.URL.Path) {
			c.Next()
			return
		}
		require(c)
	}
}
