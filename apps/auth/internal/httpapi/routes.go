// Package httpapi is auth-service's HTTP surface: routes.go lists every
// route, dto.go the request and response bodies, errors.go the one place
// where errors become problem+json. The platform adds /healthz, /readyz
// and /dapr/subscribe.
package httpapi

import (
	"log/slog"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/auth/internal/account"
	"github.com/lettertomyself/ltm/apps/auth/internal/token"
)

// API holds what the handlers need.
type API struct {
	Accounts *account.Service
	Keys     *token.Keyring
	Log      *slog.Logger
}

// Mount registers every route of auth-service on r. internal is the
// platform's /internal group (app API token required); verifier checks
// access tokens against the service's own keyring.
func (a *API) Mount(r *gin.Engine, internal *gin.RouterGroup, verifier *authn.Verifier) {
	api := r.Group("/api/auth")
	api.POST("/signup", a.signup)
	api.POST("/login", a.login)
	api.POST("/refresh", a.refresh)
	api.POST("/logout", a.logout)
	api.GET("/jwks", a.jwks)

	// Until the signing key is loaded no token can be verified: answer 503
	// (come back soon) rather than 401 (your token is bad).
	signedIn := api.Group("", a.keysReady, verifier.Require())
	signedIn.POST("/password", a.changePassword)
	signedIn.POST("/email", a.changeEmail)
	signedIn.DELETE("/account", a.deleteAccount)

	// Other services fetch the keys here, through Dapr invocation.
	internal.GET(strings.TrimPrefix(service.JWKSPath, "/internal"), a.jwks)
}
