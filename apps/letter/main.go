// Command letter-service owns letters: sealing, open times and encryption at rest.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/letter/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/letter/internal/postgres"
)

// Config is everything letter-service reads from its environment. The
// encryption keys are not here: they come from the Dapr secret store.
type Config struct {
	config.Base
	config.Database
	// DefaultTimezone is the zone of a writer user-service has no profile
	// for.
	DefaultTimezone string `env:"DEFAULT_TIMEZONE" envDefault:"Asia/Seoul"`
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
	return service.Run(ctx, cfg.Base, service.Spec{
		Name:       "letter-service",
		Database:   &cfg.Database,
		Migrations: postgres.Migrations(),
		Setup: httpapi.Setup(httpapi.Options{
			Clock:           clock.System{},
			DefaultTimezone: cfg.DefaultTimezone,
			KeyRefresh:      cfg.KeyRefresh,
		}),
	}, stdout)
}
