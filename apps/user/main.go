// Command user-service owns profiles: nickname, bio, birthday, blog URL, avatar, timezone, locale and notification preferences, and answers contact lookups for mail.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/user/internal/avatars"
	"github.com/lettertomyself/ltm/apps/user/internal/events"
	"github.com/lettertomyself/ltm/apps/user/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/user/internal/postgres"
)

// Config is everything user-service reads from its environment.
type Config struct {
	config.Base
	config.Database
}

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "user-service:", err)
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

// spec is user-service as main runs it and as its tests build it.
func spec(cfg Config) service.Spec {
	return service.Spec{
		Name:       "user-service",
		Database:   &cfg.Database,
		Migrations: postgres.Migrations(),
		Setup: func(d service.Deps) ([]service.Worker, error) {
			store := postgres.New(d.DB)
			events.New(store, d.Clock, d.Log).Subscribe(d.Subs)
			if err := httpapi.Routes(d, httpapi.App{Profiles: store, Avatars: avatars.New(d.Dapr)}); err != nil {
				return nil, err
			}
			return nil, nil
		},
	}
}
