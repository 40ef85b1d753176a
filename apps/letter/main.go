// Command letter-service owns letters: sealing, open times and encryption at rest.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/contact"
	"github.com/lettertomyself/ltm/apps/platform/reload"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/letter/internal/clients"
	"github.com/lettertomyself/ltm/apps/letter/internal/crypto"
	"github.com/lettertomyself/ltm/apps/letter/internal/events"
	"github.com/lettertomyself/ltm/apps/letter/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
	"github.com/lettertomyself/ltm/apps/letter/internal/postgres"
)

// Config is everything letter-service reads from its environment. The
// encryption keys are not here: they come from the Dapr secret store.
type Config struct {
	config.Base
	config.Database
	// KeyRefresh is how often the encryption keys are re-read from the
	// secret store, so a rotation reaches running replicas.
	KeyRefresh time.Duration `env:"LETTER_KEY_REFRESH" envDefault:"5m"`
}

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "letter-service:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load[Config](getenv)
	if err != nil {
		return err
	}
	return service.Run(ctx, cfg.Base, spec(cfg, nil), stdout)
}

// spec is letter-service as main runs it and as its tests build it. keys,
// when set, is used as is (tests); otherwise the keys are loaded from the
// Dapr secret store once the sidecar is connected, and reloaded every
// KeyRefresh (rotation without restart).
func spec(cfg Config, keys *crypto.Holder) service.Spec {
	return service.Spec{
		Name:       "letter-service",
		Database:   &cfg.Database,
		Migrations: postgres.Migrations(),
		Setup: func(d service.Deps) ([]service.Worker, error) {
			var workers []service.Worker
			if keys == nil {
				keys = crypto.NewHolder(nil)
				loader := &crypto.Loader{Source: d.Dapr, Holder: keys, Log: d.Log}
				keyLoop := &reload.Loop{What: "encryption keys", Load: loader.Load, Connected: d.Dapr.Connected(), Interval: cfg.KeyRefresh, Log: d.Log}
				workers = append(workers, keyLoop.Run)
			}
			store := postgres.New(d.DB, keys)
			writer := &letter.Writer{
				Store: store, Zones: contact.New(d.Dapr.Get, d.Log), Images: clients.NewStorage(d.Dapr),
				Clock: d.Clock, Log: d.Log,
			}
			events.New(store, d.Log).Subscribe(d.Subs)
			return workers, httpapi.Routes(d, httpapi.App{Store: store, Writer: writer, Keys: keys})
		},
	}
}
