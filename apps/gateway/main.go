// Command gateway is the edge of Letter to Myself: it serves the web client
// and routes /api/* to the owning service through Dapr service invocation.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/gateway/internal/httpapi"
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

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load[Config](getenv)
	if err != nil {
		return err
	}
	return service.Run(ctx, cfg.Base, spec(cfg), stdout)
}

// spec is the gateway as main runs it and as its tests build it.
func spec(cfg Config) service.Spec {
	return service.Spec{
		Name: "gateway",
		// Clients reach it directly: TRUSTED_PROXIES decides whose X-Forwarded-For counts.
		Edge: true,
		Setup: func(d service.Deps) ([]service.Worker, error) {
			return nil, httpapi.Routes(d, httpapi.Options{
				AuthRatePerMinute: cfg.AuthRatePerMinute, AuthRateBurst: cfg.AuthRateBurst,
				MaxBodyBytes: cfg.MaxBodyBytes, MaxUploadBytes: cfg.MaxUploadBytes,
				CORSAllowedOrigins: cfg.CORSAllowedOrigins, TrustedProxies: cfg.TrustedProxies,
			})
		},
		// The gateway never calls /internal/: it reads the public keys, and
		// leaves ended sessions to the services it forwards to (each one
		// refuses a revoked token; docs/security.md, finding 3).
		JWKSPath:    "/api/auth/jwks",
		Revocations: service.NoRevocations,
	}
}
