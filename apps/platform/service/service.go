// Package service runs a Letter to Myself service: logger, Postgres with
// migrations, the Dapr sidecar, the router with health endpoints, the HTTP
// server and background workers, with graceful shutdown on SIGTERM/SIGINT.
// Each service's main wires its own routes into Run and nothing else.
package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/inbox"
	"github.com/lettertomyself/ltm/apps/platform/logging"
	"github.com/lettertomyself/ltm/apps/platform/outbox"
	"github.com/lettertomyself/ltm/apps/platform/pg"
)

// Deps is what the platform hands a service's wiring.
type Deps struct {
	Log    *slog.Logger
	DB     *pgxpool.Pool // nil for a service without a database
	Dapr   *daprx.Sidecar
	Router *gin.Engine
	// Internal is /internal/: reachable only through Dapr (app API token).
	Internal *gin.RouterGroup
	// FromDapr is for routes only the sidecar calls, such as input
	// bindings (cron): guarded like Internal, mounted at the root.
	FromDapr *gin.RouterGroup
	// Auth verifies access tokens; Auth.Require() guards /api/ routes.
	Auth *authn.Verifier
	// Subs collects the service's pub/sub subscriptions; Run mounts them
	// behind the app API token.
	Subs *daprx.Subscriptions
}

// Worker runs in the background until ctx is done. An error stops the
// whole service (and so restarts it), which beats limping along.
type Worker func(ctx context.Context) error

// Spec describes a service to Run.
type Spec struct {
	Name string
	// Database, when set, is opened before anything else.
	Database *config.Database
	// Migrations are the service's goose SQL files (nil: none yet).
	Migrations fs.FS
	// Setup registers routes and subscriptions and returns workers.
	Setup func(Deps) ([]Worker, error)
	// Keys, when set, replaces the JWKS fetched from auth-service (auth
	// itself verifies against its own keys).
	Keys authn.KeySource
	// JWKSPath is where to fetch auth-service's keys; default JWKSPath.
	// The gateway uses the public /api/auth/jwks: it never calls /internal/.
	JWKSPath string
}

// JWKSPath is where auth-service publishes its keys to other services.
const JWKSPath = "/internal/jwks"

// Migrations are the sets applied to a service's database: the platform's
// outbox and inbox tables, then the service's own (if any).
func Migrations(own fs.FS) []pg.Migrations {
	return []pg.Migrations{
		{Table: "platform_outbox_version", FS: outbox.Migrations()},
		{Table: "platform_inbox_version", FS: inbox.Migrations()},
		{Table: pg.ServiceTable, FS: own},
	}
}

// Run starts the service and blocks until ctx is cancelled or a signal
// arrives, then drains: /readyz fails, the server stops accepting and
// finishes in-flight requests within base.ShutdownTimeout, workers stop,
// the pool closes.
func Run(ctx context.Context, base config.Base, spec Spec, stdout io.Writer) error {
	log := logging.New(stdout, base.LogLevel, spec.Name)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	log.Info("starting", "port", base.Port, "dapr_http_port", base.DaprHTTPPort, "dapr_grpc_port", base.DaprGRPCPort)

	var pool *pgxpool.Pool
	if spec.Database != nil {
		var err error
		pool, err = pg.Open(ctx, log, pg.Options{
			URL:            spec.Database.DatabaseURL.Reveal(),
			MaxConns:       spec.Database.DatabaseMaxConns,
			ConnectTimeout: spec.Database.DatabaseConnectTimeout,
			Migrations:     Migrations(spec.Migrations),
		})
		if err != nil {
			return err
		}
		defer pool.Close()
	}

	sidecar := daprx.New(daprx.Config{Host: base.DaprHost, HTTPPort: base.DaprHTTPPort, GRPCPort: base.DaprGRPCPort}, log)
	defer sidecar.Close()

	router := httpx.NewRouter(log)
	checks := map[string]httpx.Check{"sidecar": sidecar.Ready}
	if pool != nil {
		checks["database"] = pool.Ping
	}
	health := httpx.NewHealth(checks)
	health.Mount(router)

	keys := spec.Keys
	if keys == nil {
		path := spec.JWKSPath
		if path == "" {
			path = JWKSPath
		}
		keys = authn.NewRemoteKeys(func(ctx context.Context) ([]byte, error) {
			return sidecar.Get(ctx, "auth-service", path)
		}, clock.System{}, log)
	}
	guard := authn.RequireAppToken(base.AppAPIToken.Reveal())
	if base.AppAPIToken == "" {
		log.Warn("APP_API_TOKEN is not set: /internal/, event and binding routes refuse every call")
	}
	deps := Deps{
		Log: log, DB: pool, Dapr: sidecar, Router: router,
		Internal: router.Group("/internal", guard),
		FromDapr: router.Group("", guard),
		Auth:     authn.NewVerifier(keys, clock.System{}),
		Subs:     daprx.NewSubscriptions(log),
	}
	var workers []Worker
	if spec.Setup != nil {
		var err error
		workers, err = spec.Setup(deps)
		if err != nil {
			return fmt.Errorf("setup: %w", err)
		}
	}
	deps.Subs.Mount(router, deps.FromDapr)

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		// Not finding the sidecar is not fatal: /readyz says so until it
		// comes, and calls that need it fail with ErrNotReady meanwhile.
		if err := sidecar.Connect(gctx); err != nil && gctx.Err() == nil {
			return err
		}
		return nil
	})
	if pool != nil {
		// Events written to the outbox are published from here, and
		// consumed-event claims are pruned.
		workers = append(workers, outbox.NewRelay(pool, sidecar, log).Run, inbox.Pruner(pool, log))
	}
	for _, w := range workers {
		g.Go(func() error { return w(gctx) })
	}
	g.Go(func() error {
		<-gctx.Done()
		health.Drain()
		return nil
	})
	g.Go(func() error {
		return httpx.Serve(gctx, log, httpx.ServerConfig{
			Addr:            ":" + strconv.Itoa(base.Port),
			ReadTimeout:     base.ReadTimeout,
			WriteTimeout:    base.WriteTimeout,
			IdleTimeout:     base.IdleTimeout,
			ShutdownTimeout: base.ShutdownTimeout,
		}, router)
	})
	err := g.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error("stopped with error", "err", err)
		return err
	}
	log.Info("stopped")
	return nil
}
