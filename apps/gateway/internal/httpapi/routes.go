// Package httpapi is the gateway's HTTP surface: Routes lists every route.
package httpapi

import (
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/gateway/internal/edge"
	"github.com/lettertomyself/ltm/apps/gateway/internal/proxy"
	"github.com/lettertomyself/ltm/apps/gateway/internal/web"
)

// Options are the edge's limits, from the gateway's configuration.
type Options struct {
	// AuthRatePerMinute and AuthRateBurst bound /api/auth/* per client
	// address.
	AuthRatePerMinute, AuthRateBurst int
	// MaxBodyBytes bounds JSON bodies, MaxUploadBytes image uploads.
	MaxBodyBytes, MaxUploadBytes int64
	// CORSAllowedOrigins admits cross-origin callers; empty = same origin.
	CORSAllowedOrigins []string
	// TrustedProxies are the CIDRs whose X-Forwarded-For is believed.
	TrustedProxies []string
}

// Routes mounts the gateway's whole HTTP surface on d.Router.
func Routes(d service.Deps, o Options) error {
	if err := d.Router.SetTrustedProxies(o.TrustedProxies); err != nil {
		return fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	d.Router.Use(SecurityHeaders(), edge.SaneRequest(), edge.CORS(o.CORSAllowedOrigins))

	api, err := proxy.New(d.Dapr.HTTPEndpoint(), d.Dapr.Transport(proxy.Transport()), d.Log)
	if err != nil {
		return err
	}
	scheme, err := edge.Scheme(o.TrustedProxies)
	if err != nil {
		return fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	limiter := edge.NewRateLimiter(o.AuthRatePerMinute, o.AuthRateBurst, d.Clock.Now)
	// /api/<area>/… → the owning service, by Dapr service invocation,
	// after the edge checks, in this order: a known area (else 404),
	// body size, the per-address rate for /api/auth/, the access token
	// unless the call is public.
	d.Router.Any("/api/*path",
		proxy.KnownArea(),
		edge.LimitBody(o.MaxBodyBytes, o.MaxUploadBytes),
		edge.OnlyUnder("/api/auth/", limiter.Middleware()),
		edge.RequireToken(d.Auth),
		func(c *gin.Context) {
			ctx := proxy.WithClientIP(c.Request.Context(), c.ClientIP())
			ctx = proxy.WithScheme(ctx, scheme(c.Request))
			api.ServeHTTP(c.Writer, c.Request.WithContext(ctx))
		})

	// GET /healthz/services — every service's /healthz, reached by
	// service invocation: proof the mesh is whole. It names every app, so
	// it answers operators only: callers on the gateway's own machine or
	// pod (kubectl port-forward), never through an ingress.
	d.Router.GET("/healthz/services", edge.LoopbackOnly(), servicesHealth(d.Dapr.HTTPEndpoint(), d.Dapr.Transport(nil), proxy.Services))

	// The web client answers every path not routed above: its pages
	// (/, /signup, /login, /write, /letters, /letters/{id}, /routines, /me,
	// /settings, /notifications) with the app shell, /assets/* and
	// /fonts/*, and any other path with its 404 page (see internal/web).
	d.Router.NoRoute(gin.WrapH(web.Handler()))
	return nil
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
		// The client uses no camera, microphone, location, payment or sensor.
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), accelerometer=(), gyroscope=(), magnetometer=(), browsing-topics=()")
		// Behind https (here or at the ingress), browsers must never try
		// http again. Browsers ignore the header on plain http, so a forged
		// X-Forwarded-Proto gains nothing.
		if c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https") {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		c.Next()
	}
}
