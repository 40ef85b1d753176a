// Command scheduler-service owns due work: letter open times and routine and special-date occurrences, swept by a cron binding.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
	// Zone data in the binary: schedules run in users' zones, and the
	// distroless image has no /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/events"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/postgres"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/sweep"
)

// Config is everything scheduler-service reads from its environment.
type Config struct {
	config.Base
	config.Database
	// CatchUpWindow: after downtime, routine and special-date occurrences
	// due longer ago than this are skipped; letters are always sent.
	CatchUpWindow time.Duration `env:"CATCH_UP_WINDOW" envDefault:"24h"`
	// SweepBatchSize is how many due items one transaction claims.
	SweepBatchSize int `env:"SWEEP_BATCH_SIZE" envDefault:"100"`
}

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "scheduler-service:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load[Config](getenv)
	if err != nil {
		return err
	}
	if cfg.CatchUpWindow <= 0 || cfg.SweepBatchSize <= 0 {
		return fmt.Errorf("configuration: CATCH_UP_WINDOW and SWEEP_BATCH_SIZE must be positive")
	}
	return service.Run(ctx, cfg.Base, spec(cfg), stdout)
}

// spec is scheduler-service as main runs it and as its tests build it.
func spec(cfg Config) service.Spec {
	return service.Spec{
		Name:       "scheduler-service",
		Database:   &cfg.Database,
		Migrations: postgres.Migrations(),
		Setup: func(d service.Deps) ([]service.Worker, error) {
			store := postgres.New(d.DB, d.Log)
			// letter.*, routine.*, user.deleted → due work.
			events.New(store, d.Clock, d.Log).Register(d.Subs)
			sweeper := sweep.New(store, d.Clock, d.Log, sweep.Options{CatchUpWindow: cfg.CatchUpWindow, BatchSize: cfg.SweepBatchSize})
			return nil, httpapi.Routes(d, httpapi.App{Sweeper: sweeper})
		},
	}
}
