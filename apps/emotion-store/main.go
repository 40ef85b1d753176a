// Command emotion-store-service keeps analysis results and per-user mood
// statistics in a Dapr state store, and runs re-analyses.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/contact"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/app"
	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
	"github.com/lettertomyself/ltm/apps/emotion-store/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/emotion-store/internal/peers"
	"github.com/lettertomyself/ltm/apps/emotion-store/internal/statestore"
)

// Config is everything emotion-store-service reads from its environment.
// Its documents live in the Dapr state store, which daprd reaches with
// its own credentials; DATABASE_URL names the same database (the state
// store's table lives there) so /readyz can tell whether it is up.
type Config struct {
	config.Base
	config.Database
	// StateStore is the Dapr state store of the users' records.
	StateStore string `env:"STATE_STORE" envDefault:"emotion-state"`
	// ReanalyzeConcurrency bounds the analyses one re-analysis asks
	// emotion-ml for at once: emotion-ml is shared by every writer.
	ReanalyzeConcurrency int `env:"REANALYZE_CONCURRENCY" envDefault:"4"`
	// ReanalyzeResume is how often re-analyses left running (by a restart)
	// are picked up again; they are also resumed at start.
	ReanalyzeResume time.Duration `env:"REANALYZE_RESUME" envDefault:"1m"`
}

func (c Config) validate() error {
	var errs []error
	if c.StateStore == "" {
		errs = append(errs, errors.New("STATE_STORE must not be empty"))
	}
	if c.ReanalyzeConcurrency < 1 {
		errs = append(errs, errors.New("REANALYZE_CONCURRENCY must be at least 1"))
	}
	if c.ReanalyzeResume <= 0 {
		errs = append(errs, errors.New("REANALYZE_RESUME must be positive"))
	}
	return errors.Join(errs...)
}

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "emotion-store-service:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load[Config](getenv)
	if err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	return service.Run(ctx, cfg.Base, spec(cfg, edges{}), stdout)
}

// edges replace what tests must control; zero values are production's.
type edges struct {
	// newID names re-analysis jobs; default a random UUID.
	newID func() string
	// backoff is the first pause between attempts to reach letter-service
	// or emotion-ml during a re-analysis; default 1s.
	backoff time.Duration
}

// spec is the service as main runs it and as its tests build it.
func spec(cfg Config, e edges) service.Spec {
	return service.Spec{
		Name:     "emotion-store-service",
		Database: &cfg.Database,
		Setup: func(d service.Deps) ([]service.Worker, error) {
			comforts, err := emotion.LoadComforts()
			if err != nil {
				return nil, err
			}
			newID := e.newID
			if newID == nil {
				newID = uuid.NewString
			}
			svc := app.New(app.Deps{
				Store:    statestore.New(d.Dapr.Client, cfg.StateStore),
				Letters:  peers.NewLetters(d.Dapr.Invoke),
				Analyzer: peers.NewAnalyzer(d.Dapr.Invoke),
				Profiles: peers.NewProfiles(contact.New(d.Dapr.Get, d.Log)),
				Comforts: comforts,
				Clock:    d.Clock,
				NewID:    newID,
				Log:      d.Log,
				Jobs:     app.JobPolicy{Concurrency: cfg.ReanalyzeConcurrency, Resume: cfg.ReanalyzeResume, Backoff: e.backoff},
			})
			return []service.Worker{svc.RunJobs}, httpapi.Routes(d, httpapi.Options{App: svc})
		},
	}
}
