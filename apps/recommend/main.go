// Command recommend-service recommends movies, music, books and activities for the writer's mood.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/recommend/internal/httpapi"
)

// Config is everything recommend-service reads from its environment.
type Config struct {
	config.Base
	config.Database
	httpapi.Config
}

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "recommend-service:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load[Config](getenv)
	if err != nil {
		return err
	}
	return service.Run(ctx, cfg.Base, service.Spec{
		Name:     "recommend-service",
		Database: &cfg.Database,
		Setup:    httpapi.Setup(cfg.Config, httpapi.Options{}),
	}, stdout)
}
