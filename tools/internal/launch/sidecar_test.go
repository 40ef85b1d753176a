package launch

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

func TestDaprdArgs(t *testing.T) {
	tests := []struct {
		name string
		app  runfile.App
		want []string
	}{
		{
			name: "minimal",
			app:  runfile.App{ID: "a", DaprHTTPPort: 3500, DaprGRPCPort: 50001, MetricsPort: 9090},
			want: []string{"--app-id", "a", "--dapr-http-port", "3500", "--dapr-grpc-port", "50001", "--metrics-port", "9090",
				"--dapr-listen-addresses", "127.0.0.1", "--dapr-internal-grpc-listen-address", "127.0.0.1", "--metrics-listen-address", "127.0.0.1"},
		},
		{
			name: "full",
			app: runfile.App{
				ID: "gateway", AppPort: 8080, AppProtocol: "http", DaprHTTPPort: 3500, DaprGRPCPort: 50100, MetricsPort: 9090,
				DaprInternalGRPCPort: 50200, ResourcesPaths: []string{"/r1", "/r2"}, ConfigFile: "/c.yaml", LogLevel: "debug",
				AppMaxConcurrency: 10, MaxBodySize: "16Mi", ReadBufferSize: "8Ki", EnableAppHealthCheck: true,
				AppHealthCheckPath: "/healthz", AppHealthProbeInterval: 5, AppHealthProbeTimeout: 500, AppHealthThreshold: 3,
				EnableAPILogging: true, APIListenAddresses: "127.0.0.1,[::1]", PlacementHostAddress: "localhost:50005",
			},
			want: []string{"--app-id", "gateway", "--dapr-http-port", "3500", "--dapr-grpc-port", "50100", "--metrics-port", "9090",
				"--app-port", "8080", "--app-protocol", "http", "--dapr-internal-grpc-port", "50200",
				"--resources-path", "/r1", "--resources-path", "/r2", "--config", "/c.yaml", "--log-level", "debug",
				"--app-max-concurrency", "10", "--max-body-size", "16Mi", "--read-buffer-size", "8Ki",
				"--enable-app-health-check", "--app-health-check-path", "/healthz", "--app-health-probe-interval", "5",
				"--app-health-probe-timeout", "500", "--app-health-threshold", "3", "--enable-api-logging",
				"--dapr-listen-addresses", "127.0.0.1,[::1]", "--dapr-internal-grpc-listen-address", "127.0.0.1", "--metrics-listen-address", "127.0.0.1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := daprdArgs(tt.app)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			for _, a := range got {
				if strings.Contains(a, "placement") || strings.Contains(a, "scheduler") {
					t.Errorf("daprd args include %q", a)
				}
			}
		})
	}
}

func TestDaprdEnv(t *testing.T) {
	got := daprdEnv([]string{"PATH=/bin"}, map[string]string{"B": "2", "A": "1"})
	want := []string{"PATH=/bin", "DAPR_HOST_IP=127.0.0.1", "A=1", "B=2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAppEnv(t *testing.T) {
	a := runfile.App{ID: "auth", AppPort: 8001, DaprHTTPPort: 3501, DaprGRPCPort: 50101, MetricsPort: 9091,
		Env: map[string]string{"DATABASE_URL": "postgres://x", "LOG_LEVEL": "info"}}
	got := appEnv([]string{"PATH=/bin", "LOG_LEVEL=warn"}, a, map[string]string{"LOG_LEVEL": "debug"})
	want := []string{"PATH=/bin", "LOG_LEVEL=warn", "BIND_ADDRESS=127.0.0.1", "DATABASE_URL=postgres://x", "LOG_LEVEL=info",
		"APP_ID=auth", "DAPR_HTTP_PORT=3501", "DAPR_GRPC_PORT=50101", "DAPR_METRICS_PORT=9091", "APP_PORT=8001", "LOG_LEVEL=debug"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	noPort := appEnv(nil, runfile.App{ID: "worker"}, nil)
	if slices.ContainsFunc(noPort, func(s string) bool { return strings.HasPrefix(s, "APP_PORT=") }) {
		t.Errorf("APP_PORT set for an app without a port: %q", noPort)
	}
}

func TestAppEnvDoesNotAliasBase(t *testing.T) {
	base := make([]string, 1, 10)
	base[0] = "PATH=/bin"
	x := appEnv(base, runfile.App{ID: "x"}, nil)
	y := daprdEnv(base, nil)
	if x[1] != "BIND_ADDRESS=127.0.0.1" || x[2] != "APP_ID=x" || y[1] != "DAPR_HOST_IP=127.0.0.1" {
		t.Errorf("environments share storage: %q %q", x, y)
	}
}

// A replica is known to the launcher by its own key and to Dapr, and to
// itself, by the app id it replicates.
func TestReplicaKeepsTheAppID(t *testing.T) {
	a := runfile.App{ID: "notification-replica", DaprAppID: "notification-service", DaprHTTPPort: 1, DaprGRPCPort: 2, MetricsPort: 3}
	if args := daprdArgs(a); args[0] != "--app-id" || args[1] != "notification-service" {
		t.Errorf("daprd args %v", args)
	}
	if env := appEnv(nil, a, nil); !slices.Contains(env, "APP_ID=notification-service") {
		t.Errorf("app env %v", env)
	}
}
