// Package config loads service configuration from the environment with
// caarlos0/env, reporting every missing or invalid variable at once.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Secret is a string that never prints its value: not in logs, not in
// fmt output, not in JSON. Read it with Reveal.
type Secret string

// Reveal returns the secret's value for the one place that needs it.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// LogValue keeps slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps encoders from printing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Base holds what every service reads from its environment. The Dapr
// variables follow the names the Dapr CLI and our launcher set.
type Base struct {
	AppID string `env:"APP_ID"`
	Port  int    `env:"APP_PORT" envDefault:"8080"`
	// BindAddress is the interface the app listens on. Local runs set
	// 127.0.0.1 (dapr.yaml), where only the app's sidecar needs to reach
	// it; the default (every interface) is what a pod needs for the
	// kubelet's probes and, for the gateway, the ingress.
	BindAddress  string     `env:"BIND_ADDRESS"`
	LogLevel     slog.Level `env:"LOG_LEVEL" envDefault:"info"`
	DaprHTTPPort int        `env:"DAPR_HTTP_PORT" envDefault:"3500"`
	DaprGRPCPort int        `env:"DAPR_GRPC_PORT" envDefault:"50001"`
	DaprHost     string     `env:"DAPR_HOST" envDefault:"127.0.0.1"`
	// PprofPort, when set, serves the runtime's profiles on
	// 127.0.0.1:PprofPort (never another interface); 0 is off.
	PprofPort int `env:"PPROF_PORT"`
	// ShutdownTimeout must stay below the sidecar's graceful shutdown
	// (daprd's default is 5s) so in-flight requests finish while it still
	// forwards their calls.
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"4s"`
	// DrainDelay is how long a stopping service keeps accepting requests
	// after /readyz starts failing, so whoever routes to it (a load
	// balancer, a readiness probe) stops sending before connections are
	// refused. DrainDelay plus ShutdownTimeout must stay within the
	// sidecar's graceful shutdown.
	DrainDelay time.Duration `env:"DRAIN_DELAY" envDefault:"1s"`
	// AppAPIToken is what this app's sidecar sends as dapr-api-token; only
	// calls carrying it reach /internal/, event and binding routes.
	AppAPIToken Secret `env:"APP_API_TOKEN"`
	// DaprAPIToken is what this app sends its sidecar as dapr-api-token;
	// the sidecar (started with the same DAPR_API_TOKEN) refuses calls
	// without it.
	DaprAPIToken Secret `env:"DAPR_API_TOKEN"`
	// ReadHeaderTimeout and friends bound slow clients.
	ReadTimeout  time.Duration `env:"HTTP_READ_TIMEOUT" envDefault:"30s"`
	WriteTimeout time.Duration `env:"HTTP_WRITE_TIMEOUT" envDefault:"30s"`
	IdleTimeout  time.Duration `env:"HTTP_IDLE_TIMEOUT" envDefault:"120s"`
}

// Database is embedded by services that own a Postgres database.
type Database struct {
	DatabaseURL Secret `env:"DATABASE_URL,required"`
	// DatabaseMaxConns bounds the pool; the server is shared by ten services.
	DatabaseMaxConns int32 `env:"DATABASE_MAX_CONNS" envDefault:"10"`
	// DatabaseConnectTimeout is how long start-up waits for Postgres.
	DatabaseConnectTimeout time.Duration `env:"DATABASE_CONNECT_TIMEOUT" envDefault:"30s"`
}

// Load parses T from getenv. Every problem is reported in one error, one
// variable per line, so a misconfigured deployment is fixed in one round.
func Load[T any](getenv func(string) string) (T, error) {
	vars, err := environ[T](getenv)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("configuration: %w", err)
	}
	cfg, err := env.ParseAsWithOptions[T](env.Options{Environment: vars})
	if err == nil {
		return cfg, nil
	}
	var agg env.AggregateError
	if errors.As(err, &agg) {
		lines := make([]string, 0, len(agg.Errors))
		keys := envKeys(reflect.TypeFor[T]())
		for _, e := range agg.Errors {
			var pe env.ParseError
			if errors.As(e, &pe) && keys[pe.Name] != "" {
				lines = append(lines, fmt.Sprintf("  %s: invalid %s value: %v", keys[pe.Name], pe.Type, pe.Err))
				continue
			}
			lines = append(lines, "  "+e.Error())
		}
		return cfg, fmt.Errorf("configuration:\n%s", strings.Join(lines, "\n"))
	}
	return cfg, fmt.Errorf("configuration: %w", err)
}

// envKeys maps struct field names (as env's ParseError reports them) to
// the variable names an operator sets, through embedded structs.
func envKeys(t reflect.Type) map[string]string {
	out := map[string]string{}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if key, _, _ := strings.Cut(f.Tag.Get("env"), ","); key != "" {
			out[f.Name] = key
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			for k, v := range envKeys(f.Type) {
				out[k] = v
			}
		}
	}
	return out
}

// environ reads, through getenv, exactly the variables T declares, so tests
// can pass a map lookup instead of touching the process environment.
func environ[T any](getenv func(string) string) (map[string]string, error) {
	var zero T
	params, err := env.GetFieldParams(&zero)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(params))
	for _, p := range params {
		if v := getenv(p.Key); v != "" {
			out[p.Key] = v
		}
	}
	return out, nil
}
