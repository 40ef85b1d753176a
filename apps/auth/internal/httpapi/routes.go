// Package httpapi is auth-service's HTTP surface: routes.go lists every
// route, dto.go the request and response bodies, errors.go the one place
// where errors become problem+json. The platform adds /healthz, /readyz
// and /dapr/subscribe.
package httpapi

import (
	"log/slog"
	"strings"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/auth/internal/account"
	"github.com/lettertomyself/ltm/apps/auth/internal/token"
)

// App is what the routes call: the account use cases and the keyring
// whose public half is the JWKS.
type App struct {
	Accounts *account.Service
	Keys     *token.Keyring
	// Revocations lists the sessions that ended (GET /internal/revocations).
	Revocations authn.RevocationSource
}

// api is the handlers, with their dependencies.
type api struct {
	App
	log *slog.Logger
}

// Routes mounts auth-service's whole HTTP surface. Access tokens are
// verified by d.Auth, which main points at auth's own keyring.
func Routes(d service.Deps, app App) error {
	a := &api{App: app, log: d.Log}
	auth := d.Router.Group("/api/auth")
	auth.POST("/signup", a.signup)
	auth.POST("/login", a.login)
	auth.POST("/refresh", a.refresh)
	auth.POST("/logout", a.logout)
	auth.GET("/jwks", a.jwks)

	// Until the signing key is loaded no token can be verified: answer 503
	// (come back soon) rather than 401 (your token is bad).
	signedIn := auth.Group("", a.keysReady, d.Auth.Require())
	signedIn.POST("/password", a.changePassword)
	signedIn.POST("/email", a.changeEmail)
	signedIn.DELETE("/account", a.deleteAccount)

	// Other services fetch the keys here, through Dapr invocation.
	d.Internal.GET(strings.TrimPrefix(service.JWKSPath, "/internal"), a.jwks)
	// Every service that verifies access tokens polls the ended sessions
	// here (any app may: a revocation names ids, no secret).
	d.Internal.GET(strings.TrimPrefix(authn.RevocationsPath, "/internal"), a.revocations)
	return nil
}
