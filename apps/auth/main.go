// Command auth-service owns accounts, passwords, tokens (EdDSA JWT and JWKS), refresh rotation and account deletion.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/reload"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/auth/internal/account"
	"github.com/lettertomyself/ltm/apps/auth/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/auth/internal/password"
	"github.com/lettertomyself/ltm/apps/auth/internal/postgres"
	"github.com/lettertomyself/ltm/apps/auth/internal/throttle"
	"github.com/lettertomyself/ltm/apps/auth/internal/token"
)

// Config is everything auth-service reads from its environment.
type Config struct {
	config.Base
	config.Database

	AccessTokenTTL  time.Duration `env:"ACCESS_TOKEN_TTL" envDefault:"15m"`
	RefreshTokenTTL time.Duration `env:"REFRESH_TOKEN_TTL" envDefault:"720h"`
	// KeyReloadInterval is how often the signing keys are re-read from the
	// secret store, so a rotation needs no restart.
	KeyReloadInterval time.Duration `env:"KEY_RELOAD_INTERVAL" envDefault:"5m"`

	// argon2id: RFC 9106's second recommendation is 64 MiB, t=3, p=4;
	// with 2 cores per pod t=2, p=2 keeps a login near 100 ms. Each hash
	// holds its memory, so at most Argon2MaxConcurrent run at once.
	Argon2MemoryKiB     uint32 `env:"ARGON2_MEMORY_KIB" envDefault:"65536"`
	Argon2Iterations    uint32 `env:"ARGON2_ITERATIONS" envDefault:"2"`
	Argon2Parallelism   uint8  `env:"ARGON2_PARALLELISM" envDefault:"2"`
	Argon2MaxConcurrent int    `env:"ARGON2_MAX_CONCURRENT" envDefault:"4"`

	// Failed logins: per account from one client address, then per client
	// address (more room: many people share one address). docs/security.md
	// compares the numbers with OWASP's guidance.
	ThrottleAccountFailures int           `env:"THROTTLE_ACCOUNT_FAILURES" envDefault:"5"`
	ThrottleAddressFailures int           `env:"THROTTLE_ADDRESS_FAILURES" envDefault:"100"`
	ThrottleWindow          time.Duration `env:"THROTTLE_WINDOW" envDefault:"15m"`
	ThrottleBaseLock        time.Duration `env:"THROTTLE_BASE_LOCK" envDefault:"1m"`
	ThrottleMaxLock         time.Duration `env:"THROTTLE_MAX_LOCK" envDefault:"1h"`
}

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "auth-service:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load[Config](getenv)
	if err != nil {
		return err
	}
	return service.Run(ctx, cfg.Base, spec(cfg, token.NewKeyring()), stdout)
}

// spec is auth-service as main runs it and as its tests build it. keys is
// filled from the secret store by the loader worker; auth verifies access
// tokens against it, not against a JWKS fetched from itself.
func spec(cfg Config, keys *token.Keyring) service.Spec {
	return service.Spec{
		Name:       "auth-service",
		Database:   &cfg.Database,
		Migrations: postgres.Migrations(),
		Keys:       keys,
		// auth's own verifier reads ended sessions from its store, not
		// through a call to itself.
		Revocations: func(d service.Deps) authn.RevocationSource {
			return postgres.New(d.DB, cfg.AccessTokenTTL).Revocations(d.Clock.Now)
		},
		Setup: func(d service.Deps) ([]service.Worker, error) {
			hasher, err := password.NewHasher(password.Params{
				MemoryKiB: cfg.Argon2MemoryKiB, Iterations: cfg.Argon2Iterations, Parallelism: cfg.Argon2Parallelism,
			}, cfg.Argon2MaxConcurrent)
			if err != nil {
				return nil, err
			}
			store := postgres.New(d.DB, cfg.AccessTokenTTL)
			policy := func(failures int) throttle.Policy {
				return throttle.Policy{MaxFailures: failures, Window: cfg.ThrottleWindow, BaseLock: cfg.ThrottleBaseLock, MaxLock: cfg.ThrottleMaxLock}
			}
			accounts := &account.Service{
				Store:  store,
				Hasher: hasher,
				Minter: token.NewMinter(keys, cfg.AccessTokenTTL),
				Throttle: throttle.New(postgres.NewThrottleStore(d.DB), d.Clock,
					policy(cfg.ThrottleAccountFailures), policy(cfg.ThrottleAddressFailures)),
				Clock:      d.Clock,
				RefreshTTL: cfg.RefreshTokenTTL,
				Log:        d.Log,
			}
			app := httpapi.App{Accounts: accounts, Keys: keys, Revocations: store.Revocations(d.Clock.Now)}
			if err := httpapi.Routes(d, app); err != nil {
				return nil, err
			}
			loader := &token.Loader{Keys: keys, Secrets: d.Dapr, Log: d.Log}
			keyLoop := &reload.Loop{What: "signing keys", Load: loader.Load, Connected: d.Dapr.Connected(), Interval: cfg.KeyReloadInterval, Log: d.Log}
			prune := store.Pruner(d.Clock.Now, time.Hour, cfg.ThrottleWindow+cfg.ThrottleMaxLock, d.Log)
			return []service.Worker{keyLoop.Run, prune}, nil
		},
	}
}
