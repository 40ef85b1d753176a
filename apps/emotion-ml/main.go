// Command emotion-ml-service analyses the emotion of every letter, with an
// embedded analyzer or an OpenAI-compatible model.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/analyzer"
	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/emotion"
	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/events"
	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/letters"
	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/model"
	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/postgres"
)

// Config is everything emotion-ml-service reads from its environment.
type Config struct {
	config.Base
	config.Database
	Model model.Config
}

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "emotion-ml-service:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load[Config](getenv)
	if err != nil {
		return err
	}
	if err := cfg.Model.Validate(); err != nil {
		return err
	}
	return service.Run(ctx, cfg.Base, spec(cfg), stdout)
}

// spec is the service as main runs it; tests build the same one.
func spec(cfg Config) service.Spec {
	return service.Spec{
		Name:       "emotion-ml-service",
		Database:   &cfg.Database,
		Migrations: postgres.Migrations(),
		Setup: func(d service.Deps) ([]service.Worker, error) {
			embedded, err := analyzer.New()
			if err != nil {
				return nil, err
			}
			a := emotion.Fallback{Embedded: emotion.Embedded{A: embedded}, Log: d.Log}
			if cfg.Model.Enabled() {
				a.Model = model.New(cfg.Model, func(ctx context.Context) (string, error) {
					return d.Dapr.OptionalSecret(ctx, "openai-api-key")
				})
				d.Log.Info("emotion analysis by a model, the embedded analyzer as fallback", "model", cfg.Model.Model, "base_url", cfg.Model.BaseURL)
			}
			svc := emotion.NewService(letters.New(d.Dapr), a, postgres.New(d.DB, events.OfAnalysis), d.Clock, d.Log)
			events.Subscribe(d.Subs, svc, d.Log)
			httpapi.Routes(d, svc)
			return nil, nil
		},
	}
}
