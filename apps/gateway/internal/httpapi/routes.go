// Package httpapi is the gateway's HTTP surface: Setup lists every route.
package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/gateway/internal/proxy"
	"github.com/lettertomyself/ltm/apps/gateway/internal/web"
)

// Config is everything the gateway reads from its environment.
type Config struct {
	config.Base
}

// Setup returns the gateway's wiring for service.Run.
func Setup(cfg Config) func(service.Deps) ([]service.Worker, error) {
	return func(d service.Deps) ([]service.Worker, error) {
		d.Router.Use(SecurityHeaders())

		api, err := proxy.New(d.Dapr.HTTPEndpoint(), d.Log)
		if err != nil {
			return nil, err
		}
		// /api/<area>/… → the owning service, by Dapr service invocation.
		d.Router.Any("/api/*path", gin.WrapH(api))

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
