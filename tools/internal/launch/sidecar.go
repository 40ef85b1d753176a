package launch

import (
	"maps"
	"slices"
	"strconv"

	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

// loopback is where every sidecar listens: the sandbox has no route to
// anything else, and nothing outside this machine should reach a dev system.
const loopback = "127.0.0.1"

// daprdArgs maps an app's run config to daprd flags as the CLI does, plus the
// loopback listen addresses. Placement and scheduler addresses are never
// passed: the system uses neither actors nor jobs, and daprd would retry
// connecting to them forever.
func daprdArgs(a runfile.App) []string {
	args := []string{
		"--app-id", a.AppID(),
		"--dapr-http-port", strconv.Itoa(a.DaprHTTPPort),
		"--dapr-grpc-port", strconv.Itoa(a.DaprGRPCPort),
		"--metrics-port", strconv.Itoa(a.MetricsPort),
	}
	str := func(flag, v string) {
		if v != "" {
			args = append(args, flag, v)
		}
	}
	num := func(flag string, v int, unit string) {
		if v > 0 {
			args = append(args, flag, strconv.Itoa(v)+unit)
		}
	}
	flag := func(flag string, on bool) {
		if on {
			args = append(args, flag)
		}
	}
	num("--app-port", a.AppPort, "")
	str("--app-protocol", a.AppProtocol)
	str("--app-channel-address", a.AppChannelAddress)
	num("--dapr-internal-grpc-port", a.DaprInternalGRPCPort, "")
	for _, p := range a.ResourcesPaths {
		args = append(args, "--resources-path", p)
	}
	str("--config", a.ConfigFile)
	str("--log-level", a.LogLevel)
	num("--app-max-concurrency", a.AppMaxConcurrency, "")
	str("--max-body-size", a.MaxBodySize)
	str("--read-buffer-size", a.ReadBufferSize)
	flag("--enable-app-health-check", a.EnableAppHealthCheck)
	str("--app-health-check-path", a.AppHealthCheckPath)
	num("--app-health-probe-interval", a.AppHealthProbeInterval, "")
	num("--app-health-probe-timeout", a.AppHealthProbeTimeout, "")
	num("--app-health-threshold", a.AppHealthThreshold, "")
	flag("--enable-api-logging", a.EnableAPILogging)
	listen := a.APIListenAddresses
	if listen == "" {
		listen = loopback
	}
	args = append(args,
		"--dapr-listen-addresses", listen,
		"--dapr-internal-grpc-listen-address", loopback,
		"--metrics-listen-address", loopback,
	)
	return args
}

// daprdEnv deliberately leaves out the app's env: the CLI keeps it from the
// sidecar, and secrets in it have no business there. DAPR_HOST_IP spares
// daprd looking for a default route the sandbox does not have.
func daprdEnv(base []string, extra map[string]string) []string {
	env := append(slices.Clip(base), "DAPR_HOST_IP="+loopback)
	return appendSorted(env, extra)
}

// appEnv is the app's environment: the launcher's, loopback as the
// address to listen on (BIND_ADDRESS: apps have no business on other
// interfaces of a developer's machine), the run file's, the variables the
// CLI sets, then the caller's overrides. exec keeps the last of duplicate
// keys, so later entries win.
func appEnv(base []string, a runfile.App, extra map[string]string) []string {
	env := appendSorted(append(slices.Clip(base), "BIND_ADDRESS="+loopback), a.Env)
	env = append(env,
		"APP_ID="+a.AppID(),
		"DAPR_HTTP_PORT="+strconv.Itoa(a.DaprHTTPPort),
		"DAPR_GRPC_PORT="+strconv.Itoa(a.DaprGRPCPort),
		"DAPR_METRICS_PORT="+strconv.Itoa(a.MetricsPort),
	)
	if a.AppPort > 0 {
		env = append(env, "APP_PORT="+strconv.Itoa(a.AppPort))
	}
	return appendSorted(env, extra)
}

func appendSorted(env []string, vars map[string]string) []string {
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		env = append(env, k+"="+vars[k])
	}
	return env
}
