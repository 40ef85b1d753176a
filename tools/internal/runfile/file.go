package runfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// File is a parsed, merged and validated run file.
type File struct {
	// Path is the absolute path of the run file; Dir is its directory, the
	// base for every appDirPath and the directory builds run from.
	Path string
	Dir  string
	Apps []App
}

// App is one entry of apps[] with common merged in and paths absolute.
// A zero port means "not set": the launcher picks a free one where daprd
// needs one, as the CLI does.
type App struct {
	ID string
	// DaprAppID, when set, is the app id daprd and the app are given
	// instead of ID: a replica of another app (same id, same queues, same
	// grants), which the launcher still tells apart by ID. Not in dapr.yaml.
	DaprAppID            string
	Dir                  string
	Command              []string
	Env                  map[string]string
	AppPort              int
	AppProtocol          string
	AppChannelAddress    string
	DaprHTTPPort         int
	DaprGRPCPort         int
	DaprInternalGRPCPort int
	MetricsPort          int
	ResourcesPaths       []string
	ConfigFile           string
	APIListenAddresses   string
	LogLevel             string
	AppMaxConcurrency    int
	// MaxBodySize is maxBodySize, a quantity such as "16Mi" passed to daprd's
	// --max-body-size (the CLI's daprHTTPMaxRequestSize in MB is gone since 1.15).
	MaxBodySize string
	// ReadBufferSize is readBufferSize, a quantity such as "8Ki" (--read-buffer-size).
	ReadBufferSize         string
	EnableAppHealthCheck   bool
	AppHealthCheckPath     string
	AppHealthProbeInterval int
	AppHealthProbeTimeout  int
	AppHealthThreshold     int
	EnableAPILogging       bool
	DaprdLogDestination    LogDestination
	AppLogDestination      LogDestination
	RuntimePath            string
	PlacementHostAddress   string
}

// AppID is the Dapr app id: DaprAppID, or ID.
func (a App) AppID() string {
	if a.DaprAppID != "" {
		return a.DaprAppID
	}
	return a.ID
}

// LogDestination says where a process's output goes, with the CLI's values.
type LogDestination string

// The CLI's log destinations. Its defaults are File for daprd and
// FileAndConsole for the app.
const (
	LogToFile           LogDestination = "file"
	LogToConsole        LogDestination = "console"
	LogToFileAndConsole LogDestination = "fileAndConsole"
)

// ToConsole reports whether output with this destination is echoed.
func (d LogDestination) ToConsole() bool {
	return d == LogToConsole || d == LogToFileAndConsole
}

// App returns the app with the given id.
func (f *File) App(id string) (App, bool) {
	for _, a := range f.Apps {
		if a.ID == id {
			return a, true
		}
	}
	return App{}, false
}

// Load reads a run file. path may name the file or a directory holding
// dapr.yaml (or dapr.yml), as `dapr run -f .` accepts.
func Load(path string) (*File, error) {
	file, err := locate(path)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read run file: %w", err)
	}
	f, err := Parse(data, filepath.Dir(file))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	f.Path = file
	return f, nil
}

func locate(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("run file path %q: %w", path, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("run file: %w", err)
	}
	if !info.IsDir() {
		return abs, nil
	}
	for _, name := range []string{"dapr.yaml", "dapr.yml"} {
		candidate := filepath.Join(abs, name)
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("run file: no dapr.yaml or dapr.yml in %s", abs)
}

// Parse parses run file contents; dir is the directory app paths are
// relative to. All problems found are returned together, joined.
func Parse(data []byte, dir string) (*File, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("run file dir: %w", err)
	}
	var raw rawConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	// Unknown keys are almost always typos (appPorts, resourcePaths) that
	// would otherwise be ignored silently and surface as odd runtime bugs.
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("parse run file: %w", err)
	}
	f := &File{Dir: dir}
	var problems []error
	for i, ra := range raw.Apps {
		f.Apps = append(f.Apps, resolve(dir, merge(raw.Common, ra)))
		problems = append(problems, checkApp(i, ra, f.Apps[i])...)
	}
	problems = append(problems, checkFile(raw, f)...)
	if len(problems) > 0 {
		return nil, &InvalidError{Problems: problems}
	}
	return f, nil
}

// InvalidError lists every problem found in a run file.
type InvalidError struct {
	Problems []error
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("invalid run file (%d problems):\n%s", len(e.Problems), errors.Join(e.Problems...))
}

// Unwrap exposes the problems to errors.Is and errors.As.
func (e *InvalidError) Unwrap() []error { return e.Problems }

func resolve(base string, r rawApp) App {
	appDir := absUnder(base, deref(r.AppDirPath))
	a := App{
		ID:                     deref(r.AppID),
		Dir:                    appDir,
		Command:                r.Command,
		Env:                    r.Env,
		AppPort:                deref(r.AppPort),
		AppProtocol:            deref(r.AppProtocol),
		AppChannelAddress:      deref(r.AppChannelAddress),
		DaprHTTPPort:           deref(r.DaprHTTPPort),
		DaprGRPCPort:           deref(r.DaprGRPCPort),
		DaprInternalGRPCPort:   deref(r.DaprInternalGRPCPort),
		MetricsPort:            deref(r.MetricsPort),
		APIListenAddresses:     deref(r.APIListenAddresses),
		LogLevel:               deref(r.LogLevel),
		AppMaxConcurrency:      deref(r.AppMaxConcurrency),
		MaxBodySize:            deref(r.MaxBodySize),
		ReadBufferSize:         deref(r.ReadBufferSize),
		EnableAppHealthCheck:   deref(r.EnableAppHealthCheck),
		AppHealthCheckPath:     deref(r.AppHealthCheckPath),
		AppHealthProbeInterval: deref(r.AppHealthProbeInterval),
		AppHealthProbeTimeout:  deref(r.AppHealthProbeTimeout),
		AppHealthThreshold:     deref(r.AppHealthThreshold),
		EnableAPILogging:       deref(r.EnableAPILogging),
		DaprdLogDestination:    LogDestination(deref(r.DaprdLogDestination)),
		AppLogDestination:      LogDestination(deref(r.AppLogDestination)),
		PlacementHostAddress:   deref(r.PlacementHostAddress),
	}
	if a.DaprdLogDestination == "" {
		a.DaprdLogDestination = LogToFile
	}
	if a.AppLogDestination == "" {
		a.AppLogDestination = LogToFileAndConsole
	}
	if a.AppProtocol == "" {
		a.AppProtocol = "http"
	}
	for _, p := range r.ResourcesPaths {
		a.ResourcesPaths = append(a.ResourcesPaths, absUnder(appDir, p))
	}
	if r.ResourcesPath != nil && *r.ResourcesPath != "" {
		a.ResourcesPaths = append(a.ResourcesPaths, absUnder(appDir, *r.ResourcesPath))
	}
	if r.ConfigFilePath != nil && *r.ConfigFilePath != "" {
		a.ConfigFile = absUnder(appDir, *r.ConfigFilePath)
	}
	if r.RuntimePath != nil && *r.RuntimePath != "" {
		a.RuntimePath = absUnder(appDir, *r.RuntimePath)
	}
	return a
}

func absUnder(base, p string) string {
	if p == "" {
		return base
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}
