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

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load[httpapi.Config](getenv)
	if err != nil {
		return err
	}
	return service.Run(ctx, cfg.Base, service.Spec{
		Name:     "gateway",
		Setup:    httpapi.Setup(cfg),
		JWKSPath: "/api/auth/jwks",
	}, stdout)
}
