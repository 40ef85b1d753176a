// Command letter-storage-service validates, stores and serves letter images through the images binding.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/letter-storage/internal/blob"
	"github.com/lettertomyself/ltm/apps/letter-storage/internal/events"
	"github.com/lettertomyself/ltm/apps/letter-storage/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/letter-storage/internal/image"
	"github.com/lettertomyself/ltm/apps/letter-storage/internal/postgres"
)

// Config is everything letter-storage-service reads from its environment.
type Config struct {
	config.Base
	config.Database
	// MaxImageBytes bounds one image (5 MiB). The gateway (8 MiB) and the
	// sidecar (16 MB) let bigger uploads through so this service answers 413.
	MaxImageBytes int64 `env:"MAX_IMAGE_BYTES" envDefault:"5242880"`
	// QuotaImages and QuotaBytes bound what one user stores.
	QuotaImages int   `env:"QUOTA_IMAGES" envDefault:"500"`
	QuotaBytes  int64 `env:"QUOTA_BYTES" envDefault:"524288000"`
	// ImagesBinding names the output binding holding the bytes.
	ImagesBinding string `env:"IMAGES_BINDING" envDefault:"images"`
	// UnattachedTTL is how long an upload may wait for a letter.
	UnattachedTTL time.Duration `env:"UNATTACHED_TTL" envDefault:"24h"`
}

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "letter-storage-service:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load[Config](getenv)
	if err != nil {
		return err
	}
	if cfg.MaxImageBytes <= 0 || cfg.UnattachedTTL <= 0 {
		return fmt.Errorf("configuration: MAX_IMAGE_BYTES and UNATTACHED_TTL must be positive")
	}
	return service.Run(ctx, cfg.Base, spec(cfg), stdout)
}

// spec is letter-storage-service as main runs it and as its tests build it.
func spec(cfg Config) service.Spec {
	return service.Spec{
		Name:       "letter-storage-service",
		Database:   &cfg.Database,
		Migrations: postgres.Migrations(),
		Setup: func(d service.Deps) ([]service.Worker, error) {
			images := image.NewService(
				postgres.New(d.DB),
				blob.New(d.Dapr.HTTPEndpoint(), d.Dapr.Transport(nil), cfg.ImagesBinding, cfg.MaxImageBytes),
				image.Options{
					Limits:        image.Limits{MaxBytes: cfg.MaxImageBytes, QuotaImages: cfg.QuotaImages, QuotaBytes: cfg.QuotaBytes},
					UnattachedTTL: cfg.UnattachedTTL, Clock: d.Clock, Log: d.Log,
				},
			)
			// letter.deleted, user.deleted → purge images and their objects.
			events.Register(d.Subs, images)
			return nil, httpapi.Routes(d, httpapi.App{Images: images})
		},
	}
}
