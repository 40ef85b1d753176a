// Command notification-service renders and sends mail through the smtp binding, exactly once, and keeps the history.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/notification/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/notification/internal/postgres"
)

// Config is everything notification-service reads from its environment.
type Config struct {
	config.Base
	config.Database
	httpapi.Config
}

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "notification-service:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load[Config](getenv)
	if err != nil {
		return err
	}
	return service.Run(ctx, cfg.Base, service.Spec{
		Name:       "notification-service",
		Database:   &cfg.Database,
		Migrations: postgres.Migrations(),
		Setup:      httpapi.Setup(cfg.Config, httpapi.Options{}),
	}, stdout)
}
