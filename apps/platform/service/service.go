// Package service runs a Letter to Myself service: logger, Postgres with
// migrations, the Dapr sidecar, the router with health endpoints, the HTTP
// server and background workers, with graceful shutdown on SIGTERM/SIGINT.
// Each service's main wires its own routes into Run and nothing else; tests
// build the same service with New and serve its Handler.
package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"syscall"
	"time"

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
	// Subs collects the service's pub/sub subscriptions; New mounts them
	// behind the app API token.
	Subs *daprx.Subscriptions
	// Clock is the time of the service: token checks and, through the
	// service's wiring, its rules.
	Clock clock.Clock
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
	// Edge marks the service clients reach directly (the gateway): it
	// decides itself whose X-Forwarded-For to believe (its trusted
	// proxies). Every other service believes it only from the gateway.
	Edge bool
	// Clock is handed to Setup as Deps.Clock; default the system clock.
	// Tests set a fake one.
	Clock clock.Clock
	// Revocations is where a service that guards routes with
	// Deps.Auth.Require learns which sessions have ended (logout, password
	// change, deleted account): nil = auth-service's GET
	// /internal/revocations through the sidecar, polled every second.
	// auth-service reads its own store; NoRevocations turns it off (the
	// gateway, which never calls /internal/; the services behind it refuse
	// revoked tokens).
	Revocations func(Deps) authn.RevocationSource
}

// NoRevocations is a Spec.Revocations for a service that does not check
// revocations itself.
func NoRevocations(Deps) authn.RevocationSource { return nil }

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

// Service is a service built by New, exactly as it will run: database
// migrated, routes and subscriptions mounted, workers collected. It does
// not serve yet: Run does. Tests build their service with New and serve
// Handler, so they go through the same wiring as main.
type Service struct {
	Deps
	// Revocations keeps Deps.Auth's set of ended sessions up to date; nil
	// when the service guards no route or its spec says NoRevocations.
	// Run runs it; tests built with New drive it (Step) themselves.
	Revocations *authn.RevocationPoller
	base        config.Base
	health      *httpx.Health
	workers     []Worker
}

// New builds the service described by spec. Close releases what it opened,
// also when New fails halfway.
func New(ctx context.Context, base config.Base, spec Spec, stdout io.Writer) (_ *Service, err error) {
	s := &Service{base: base}
	s.Log = logging.New(stdout, base.LogLevel, spec.Name)
	s.Log.Info("starting", "address", base.BindAddress, "port", base.Port, "dapr_http_port", base.DaprHTTPPort, "dapr_grpc_port", base.DaprGRPCPort)
	s.Clock = spec.Clock
	if s.Clock == nil {
		s.Clock = clock.System{}
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if spec.Database != nil {
		s.DB, err = pg.Open(ctx, s.Log, pg.Options{
			URL:            spec.Database.DatabaseURL.Reveal(),
			MaxConns:       spec.Database.DatabaseMaxConns,
			ConnectTimeout: spec.Database.DatabaseConnectTimeout,
			Migrations:     Migrations(spec.Migrations),
		})
		if err != nil {
			return nil, err
		}
	}
	s.Dapr = daprx.New(daprx.Config{
		Host: base.DaprHost, HTTPPort: base.DaprHTTPPort, GRPCPort: base.DaprGRPCPort,
		APIToken: base.DaprAPIToken.Reveal(),
	}, s.Log)

	s.Router = httpx.NewRouter(s.Log)
	if !spec.Edge {
		s.Router.Use(authn.TrustForwardedOnlyFrom(base.AppAPIToken.Reveal(), "gateway"))
	}
	checks := map[string]httpx.Check{"sidecar": s.Dapr.Ready}
	if s.DB != nil {
		checks["database"] = s.DB.Ping
	}
	s.health = httpx.NewHealth(checks)
	s.health.Mount(s.Router)

	keys := spec.Keys
	if keys == nil {
		path := spec.JWKSPath
		if path == "" {
			path = JWKSPath
		}
		keys = authn.NewRemoteKeys(func(ctx context.Context) ([]byte, error) {
			return s.Dapr.Get(ctx, "auth-service", path)
		}, s.Clock, s.Log)
	}
	guard := authn.RequireAppToken(base.AppAPIToken.Reveal())
	if base.AppAPIToken == "" {
		s.Log.Warn("APP_API_TOKEN is not set: /internal/, event and binding routes refuse every call")
	}
	s.Internal = s.Router.Group("/internal", guard)
	s.FromDapr = s.Router.Group("", guard)
	s.Auth = authn.NewVerifier(keys, s.Clock)
	s.Subs = daprx.NewSubscriptions(s.Log)
	if spec.Setup != nil {
		if s.workers, err = spec.Setup(s.Deps); err != nil {
			return nil, fmt.Errorf("setup: %w", err)
		}
	}
	s.Subs.Mount(s.Router, s.FromDapr)
	s.Revocations = revocations(s, spec)
	if s.DB != nil {
		// Events written to the outbox are published from here, and
		// consumed-event claims are pruned.
		s.workers = append(s.workers, outbox.NewRelay(s.DB, s.Dapr, s.Log).Run, inbox.Pruner(s.DB, s.Log))
	}
	return s, nil
}

// revocations makes s.Auth refuse ended sessions, fed by a poller of the
// spec's source, when some route is guarded by s.Auth.Require.
func revocations(s *Service, spec Spec) *authn.RevocationPoller {
	if !s.Auth.Guards() {
		return nil
	}
	p := &authn.RevocationPoller{Set: authn.NewRevocations(), Clock: s.Clock, Log: s.Log}
	if spec.Revocations != nil {
		p.Source = spec.Revocations(s.Deps)
	} else {
		p.Source = authn.RemoteRevocations{Get: func(ctx context.Context, path string) ([]byte, error) {
			return s.Dapr.Get(ctx, "auth-service", path)
		}}
		p.Connected = s.Dapr.Connected()
	}
	if p.Source == nil {
		return nil
	}
	s.Auth.UseRevocations(p.Set)
	return p
}

// Handler is the service's whole HTTP surface: routes, subscriptions and
// health endpoints.
func (s *Service) Handler() http.Handler { return s.Router }

// Workers are what Run will start: the spec's, then the platform's (outbox
// relay and inbox pruner, for a service with a database).
func (s *Service) Workers() []Worker { return s.workers }

// Close releases the sidecar connection and the pool.
func (s *Service) Close() {
	if s.Dapr != nil {
		s.Dapr.Close()
	}
	if s.DB != nil {
		s.DB.Close()
	}
}

// Run connects the sidecar, runs the workers and serves until ctx is done,
// then drains: /readyz fails and workers stop, the server keeps accepting
// for the base config's DrainDelay, then stops accepting and finishes
// in-flight requests within its ShutdownTimeout.
func (s *Service) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		// Not finding the sidecar is not fatal: /readyz says so until it
		// comes, and calls that need it fail with ErrNotReady meanwhile.
		if err := s.Dapr.Connect(gctx); err != nil && gctx.Err() == nil {
			return err
		}
		return nil
	})
	for _, w := range s.workers {
		g.Go(func() error { return w(gctx) })
	}
	if s.Revocations != nil {
		g.Go(func() error { return s.Revocations.Run(gctx) })
	}
	// The server stops accepting only DrainDelay after /readyz fails: were
	// both at once, callers would meet refused connections before anything
	// had told them to go elsewhere. A failure (not a requested stop)
	// stops at once.
	serveCtx, stopServing := context.WithCancel(context.WithoutCancel(gctx))
	defer stopServing()
	g.Go(func() error {
		defer stopServing()
		<-gctx.Done()
		s.health.Drain()
		if ctx.Err() != nil && s.base.DrainDelay > 0 {
			s.Log.Info("draining", "delay", s.base.DrainDelay.String())
			time.Sleep(s.base.DrainDelay)
		}
		return nil
	})
	g.Go(func() error {
		return httpx.Serve(serveCtx, s.Log, httpx.ServerConfig{
			Addr:            net.JoinHostPort(s.base.BindAddress, strconv.Itoa(s.base.Port)),
			ReadTimeout:     s.base.ReadTimeout,
			WriteTimeout:    s.base.WriteTimeout,
			IdleTimeout:     s.base.IdleTimeout,
			ShutdownTimeout: s.base.ShutdownTimeout,
		}, s.Router)
	})
	if s.base.PprofPort > 0 {
		g.Go(func() error {
			return httpx.Serve(serveCtx, s.Log, httpx.ServerConfig{
				Addr:            net.JoinHostPort("127.0.0.1", strconv.Itoa(s.base.PprofPort)),
				ReadTimeout:     s.base.ReadTimeout,
				ShutdownTimeout: s.base.ShutdownTimeout,
			}, pprofHandler())
		})
	}
	err := g.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		s.Log.Error("stopped with error", "err", err)
		return err
	}
	s.Log.Info("stopped")
	return nil
}

// Run builds the service with New and runs it until ctx is cancelled or
// SIGTERM/SIGINT arrives; what main calls.
func Run(ctx context.Context, base config.Base, spec Spec, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s, err := New(ctx, base, spec, stdout)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Run(ctx)
}
