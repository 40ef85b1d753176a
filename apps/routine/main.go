// Command routine-service owns writing routines, special dates and the calendar.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/contact"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/routine/internal/events"
	"github.com/lettertomyself/ltm/apps/routine/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/routine/internal/postgres"
	"github.com/lettertomyself/ltm/apps/routine/internal/routine"
)

// Config is everything routine-service reads from its environment.
type Config struct {
	config.Base
	config.Database
}

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "routine-service:", err)
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

// spec is routine-service as main runs it and as its tests build it.
func spec(cfg Config) service.Spec {
	return service.Spec{
		Name:       "routine-service",
		Database:   &cfg.Database,
		Migrations: postgres.Migrations(),
		Setup: func(d service.Deps) ([]service.Worker, error) {
			store := postgres.New(d.DB)
			events.Subscribe(d.Subs, store)
			planner := &routine.Planner{Store: store, Zones: contact.New(d.Dapr.Get, d.Log), Clock: d.Clock}
			return nil, httpapi.Routes(d, httpapi.App{Store: store, Planner: planner})
		},
	}
}
