// Package httpapi is the gateway's HTTP surface: Setup lists every route.
package httpapi

import (
	"fmt"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/gateway/internal/edge"
	"github.com/lettertomyself/ltm/apps/gateway/internal/proxy"
	"github.com/lettertomyself/ltm/apps/gateway/internal/web"
)

// Config is everything the gateway reads from its environment.
type Config struct {
	config.Base
	// AuthRatePerMinute and AuthRateBurst bound /api/auth/* per client
	// address. Generous on purpose: per-account login throttling is
	// auth-service's job; this stops floods from one address.
	AuthRatePerMinute int `env:"AUTH_RATE_PER_MINUTE" envDefault:"300"`
	AuthRateBurst     int `env:"AUTH_RATE_BURST" envDefault:"100"`
	// MaxBodyBytes bounds JSON bodies; MaxUploadBytes image uploads
	// (letter-storage enforces the image limit itself; this is the outer
	// wall, with room for multipart framing).
	MaxBodyBytes   int64 `env:"MAX_BODY_BYTES" envDefault:"1048576"`
	MaxUploadBytes int64 `env:"MAX_UPLOAD_BYTES" envDefault:"8388608"`
	// CORSAllowedOrigins admits cross-origin callers; empty = same origin only.
	CORSAllowedOrigins []string `env:"CORS_ALLOWED_ORIGINS" envSeparator:","`
	// TrustedProxies are the CIDRs (the ingress) whose X-Forwarded-For is
	// believed; empty = the peer address is the client.
	TrustedProxies []string `env:"TRUSTED_PROXIES" envSeparator:","`
}

// Setup returns the gateway's wiring for service.Run.
func Setup(cfg Config) func(service.Deps) ([]service.Worker, error) {
	return func(d service.Deps) ([]service.Worker, error) {
		if err := d.Router.SetTrustedProxies(cfg.TrustedProxies); err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
		}
		d.Router.Use(SecurityHeaders(), edge.CORS(cfg.CORSAllowedOrigins))

		api, err := proxy.New(d.Dapr.HTTPEndpoint(), d.Log)
		if err != nil {
			return nil, err
		}
		limiter := edge.NewRateLimiter(cfg.AuthRatePerMinute, cfg.AuthRateBurst, time.Now)
		// /api/<area>/… → the owning service, by Dapr service invocation,
		// after the edge checks, in this order: a known area (else 404),
		// body size, the per-address rate for /api/auth/, the access token
		// unless the call is public.
		d.Router.Any("/api/*path",
			proxy.KnownArea(),
			edge.LimitBody(cfg.MaxBodyBytes, cfg.MaxUploadBytes),
			edge.OnlyUnder("/api/auth/", limiter.Middleware()),
			edge.RequireToken(d.Auth),
			func(c *gin.Context) {
				ctx := proxy.WithClientIP(c.Request.Context(), c.ClientIP())
				api.ServeHTTP(c.Writer, c.Request.WithContext(ctx))
			})

		// GET /healthz/services — every service's /healthz, reached by
		// service invocation: proof the mesh is whole.
		d.Router.GET("/healthz/services", servicesHealth(d.Dapr.HTTPEndpoint(), proxy.Services))

		// The web client.
		d.Router.GET("/", gin.WrapH(web.Handler()))
		d.Router.GET("/assets/*file", gin.WrapH(web.Handler()))
		d.Router.HEAD("/", gin.WrapH(web.Handler()))
		return nil, nil
	}
}

// SecurityHeaders sets the headers every response carries. The web client
// is same-origin only: no inline script, no framing, no referrer leaks.
func SecurityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		c.Next()
	}
}
