package runfile

// rawConfig mirrors the keys of the Dapr CLI's run file (cmd/runfileconfig and
// pkg/standalone.RunConfig). Pointers distinguish "not set" from a zero value:
// an app's `enableAppHealthCheck: false` must still override a common `true`.
type rawConfig struct {
	Version *int     `yaml:"version"`
	Common  rawApp   `yaml:"common"`
	Apps    []rawApp `yaml:"apps"`
}

type rawApp struct {
	AppID                  *string           `yaml:"appID"`
	AppDirPath             *string           `yaml:"appDirPath"`
	AppPort                *int              `yaml:"appPort"`
	AppProtocol            *string           `yaml:"appProtocol"`
	AppChannelAddress      *string           `yaml:"appChannelAddress"`
	DaprHTTPPort           *int              `yaml:"daprHTTPPort"`
	DaprGRPCPort           *int              `yaml:"daprGRPCPort"`
	DaprInternalGRPCPort   *int              `yaml:"daprInternalGRPCPort"`
	MetricsPort            *int              `yaml:"metricsPort"`
	Command                []string          `yaml:"command"`
	Env                    map[string]string `yaml:"env"`
	ResourcesPaths         []string          `yaml:"resourcesPaths"`
	ResourcesPath          *string           `yaml:"resourcesPath"`
	ConfigFilePath         *string           `yaml:"configFilePath"`
	APIListenAddresses     *string           `yaml:"apiListenAddresses"`
	LogLevel               *string           `yaml:"logLevel"`
	AppMaxConcurrency      *int              `yaml:"appMaxConcurrency"`
	MaxBodySize            *string           `yaml:"maxBodySize"`
	ReadBufferSize         *string           `yaml:"readBufferSize"`
	EnableAppHealthCheck   *bool             `yaml:"enableAppHealthCheck"`
	AppHealthCheckPath     *string           `yaml:"appHealthCheckPath"`
	AppHealthProbeInterval *int              `yaml:"appHealthProbeInterval"`
	AppHealthProbeTimeout  *int              `yaml:"appHealthProbeTimeout"`
	AppHealthThreshold     *int              `yaml:"appHealthThreshold"`
	EnableAPILogging       *bool             `yaml:"enableApiLogging"`
	DaprdLogDestination    *string           `yaml:"daprdLogDestination"`
	AppLogDestination      *string           `yaml:"appLogDestination"`
	RuntimePath            *string           `yaml:"runtimePath"`
	PlacementHostAddress   *string           `yaml:"placementHostAddress"`
}

// merge returns app with every unset shared field taken from common (the
// app-only fields are rejected in common by validate). Env maps merge
// key by key; resource paths do not, matching the CLI: an app that names its
// own resources wants exactly those.
func merge(common, app rawApp) rawApp {
	out := app
	pick(&out.AppProtocol, common.AppProtocol)
	pick(&out.AppChannelAddress, common.AppChannelAddress)
	pick(&out.ConfigFilePath, common.ConfigFilePath)
	pick(&out.APIListenAddresses, common.APIListenAddresses)
	pick(&out.LogLevel, common.LogLevel)
	pick(&out.AppMaxConcurrency, common.AppMaxConcurrency)
	pick(&out.MaxBodySize, common.MaxBodySize)
	pick(&out.ReadBufferSize, common.ReadBufferSize)
	pick(&out.EnableAppHealthCheck, common.EnableAppHealthCheck)
	pick(&out.AppHealthCheckPath, common.AppHealthCheckPath)
	pick(&out.AppHealthProbeInterval, common.AppHealthProbeInterval)
	pick(&out.AppHealthProbeTimeout, common.AppHealthProbeTimeout)
	pick(&out.AppHealthThreshold, common.AppHealthThreshold)
	pick(&out.EnableAPILogging, common.EnableAPILogging)
	pick(&out.DaprdLogDestination, common.DaprdLogDestination)
	pick(&out.AppLogDestination, common.AppLogDestination)
	pick(&out.RuntimePath, common.RuntimePath)
	pick(&out.PlacementHostAddress, common.PlacementHostAddress)
	if out.ResourcesPaths == nil && out.ResourcesPath == nil {
		out.ResourcesPaths = common.ResourcesPaths
		out.ResourcesPath = common.ResourcesPath
	}
	out.Env = mergeEnv(common.Env, app.Env)
	return out
}

func pick[T any](dst **T, fallback *T) {
	if *dst == nil {
		*dst = fallback
	}
}

func mergeEnv(common, app map[string]string) map[string]string {
	if len(common) == 0 && len(app) == 0 {
		return nil
	}
	out := make(map[string]string, len(common)+len(app))
	for k, v := range common {
		out[k] = v
	}
	for k, v := range app {
		out[k] = v
	}
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
