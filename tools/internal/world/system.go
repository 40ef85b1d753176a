package world

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/lettertomyself/ltm/tools/internal/launch"
	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

// Options say what a booted system adds to the one `make run` starts.
type Options struct {
	Repo      string
	DaprdPath string
	// Prefix starts the world's id ("e2e", "bench").
	Prefix string
	// Patches for components/; SMTPPort is filled in by Boot.
	Patches Patches
	// AddApps returns apps to run beside dapr.yaml's (a probe, a replica),
	// given the world and its run file.
	AddApps func(w *World, f *runfile.File) ([]runfile.App, error)
	// Env overrides apps' environment: app id → variables.
	Env map[string]map[string]string
	// Launch options the caller may set (ReadyTimeout, Stdout).
	Launch launch.Options
	// Infra is the Postgres and RabbitMQ to use; zero: the machine's.
	Infra Infra
}

// System is a booted world: the apps with their sidecars and the fakes at
// the edge (SMTP, GCS).
type System struct {
	W      *World
	Launch *launch.System
	SMTP   *smtpmock.Server
	GCS    *fakestorage.Server
}

// Boot builds a world and starts every app of dapr.yaml in it. On error the
// returned System (if not nil) holds what was started: Close it.
func Boot(ctx context.Context, o Options) (*System, error) {
	w, err := New(o.Repo, o.Prefix)
	if err != nil {
		return nil, err
	}
	w.Infra = o.Infra
	s := &System{W: w}
	if s.SMTP, err = StartSMTP(0); err != nil {
		return s, err
	}
	gcsPort, err := FreePort()
	if err != nil {
		return s, err
	}
	if s.GCS, err = StartGCS(gcsPort); err != nil {
		return s, err
	}
	if err := w.CreateVhost(); err != nil {
		return s, err
	}
	f, err := w.RunFile()
	if err != nil {
		return s, err
	}
	for i := range f.Apps {
		a := &f.Apps[i]
		if env := o.Env[a.ID]; len(env) > 0 {
			a.Env = maps.Clone(a.Env)
			if a.Env == nil {
				a.Env = map[string]string{}
			}
			maps.Copy(a.Env, env)
		}
	}
	if err := w.CreateDatabases(ctx, f); err != nil {
		return s, err
	}
	if err := w.WriteSecrets(); err != nil {
		return s, err
	}
	p := o.Patches
	p.SMTPPort = s.SMTP.PortNumber()
	if err := w.WriteComponents(p); err != nil {
		return s, err
	}
	if o.AddApps != nil {
		extra, err := o.AddApps(w, f)
		if err != nil {
			return s, err
		}
		f.Apps = append(f.Apps, extra...)
	}
	lo := o.Launch
	lo.RunFile = f
	lo.DaprdPath = o.DaprdPath
	lo.DataDir = w.Data
	// Shared with `make run`: the apps are the same binaries.
	lo.BuildDir = filepath.Join(o.Repo, ".data", "build")
	if lo.Stdout == nil {
		lo.Stdout = io.Discard
	}
	lo.ExtraEnv = map[string]string{
		"STORAGE_EMULATOR_HOST": fmt.Sprintf("127.0.0.1:%d", gcsPort),
		"APP_API_TOKEN":         w.AppToken,
		"DAPR_API_TOKEN":        w.DaprToken,
	}
	s.Launch, err = launch.Start(ctx, lo)
	return s, err
}

// Close stops the apps, moves their logs to keepLogs (if set) and undoes
// the world.
func (s *System) Close(ctx context.Context, keepLogs string) {
	if s.Launch != nil {
		if err := s.Launch.Stop(ctx); err != nil && !errors.Is(err, launch.ErrKilled) {
			fmt.Fprintln(os.Stderr, "world: stop:", err)
		}
	}
	if keepLogs != "" {
		_ = os.RemoveAll(keepLogs)
		_ = os.MkdirAll(filepath.Dir(keepLogs), 0o755)
		_ = os.Rename(filepath.Join(s.W.Data, "logs"), keepLogs)
	}
	if s.SMTP != nil {
		_ = s.SMTP.Stop()
	}
	if s.GCS != nil {
		s.GCS.Stop()
	}
	s.W.Close()
}

// DaprURL is the HTTP API of an app's sidecar.
func (s *System) DaprURL(appID string) (string, bool) {
	a, ok := s.Launch.App(appID)
	return fmt.Sprintf("http://127.0.0.1:%d", a.DaprHTTPPort), ok
}

// GatewayURL is where users reach the system.
func (s *System) GatewayURL() (string, bool) {
	a, ok := s.Launch.App("gateway")
	return fmt.Sprintf("http://127.0.0.1:%d", a.AppPort), ok
}

// SecondInstance copies app id as a new app with fresh ports.
func SecondInstance(f *runfile.File, id, newID string) (runfile.App, error) {
	a, ok := f.App(id)
	if !ok {
		return runfile.App{}, fmt.Errorf("no app %s", id)
	}
	a.ID = newID
	a.Env = maps.Clone(a.Env)
	for _, p := range []*int{&a.AppPort, &a.DaprHTTPPort, &a.DaprGRPCPort, &a.MetricsPort} {
		port, err := FreePort()
		if err != nil {
			return runfile.App{}, err
		}
		*p = port
	}
	return a, nil
}

// Replica is a second process of app id under the same Dapr app id (as a
// second pod of a Deployment): it competes for the app's queues and is
// admitted wherever the app is. The launcher knows it as key.
//
// It gets an internal gRPC port of its own: left unset, daprd derives one
// that is the same for every sidecar of an app id, and the second would
// not start ("address already in use").
func Replica(f *runfile.File, id, key string) (runfile.App, error) {
	a, err := SecondInstance(f, id, key)
	if err != nil {
		return a, err
	}
	a.DaprAppID = id
	a.DaprInternalGRPCPort, err = FreePort()
	return a, err
}

// SidecarApp is a run file entry with no command: the app is the calling
// process, listening on appPort; its sidecar gets fresh ports.
func (w *World) SidecarApp(id string, appPort int) (runfile.App, error) {
	var ports [3]int
	for i := range ports {
		var err error
		if ports[i], err = FreePort(); err != nil {
			return runfile.App{}, err
		}
	}
	return runfile.App{
		ID:                  id,
		Dir:                 w.Data,
		AppPort:             appPort,
		AppProtocol:         "http",
		DaprHTTPPort:        ports[0],
		DaprGRPCPort:        ports[1],
		MetricsPort:         ports[2],
		ResourcesPaths:      []string{w.Comps},
		ConfigFile:          w.Config,
		APIListenAddresses:  "127.0.0.1",
		LogLevel:            "info",
		DaprdLogDestination: runfile.LogToFile,
		AppLogDestination:   runfile.LogToFile,
	}, nil
}

// RepoRoot is the repository this package was built from.
func RepoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the repository")
	}
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
	if _, err := os.Stat(filepath.Join(root, "dapr.yaml")); err != nil {
		return "", fmt.Errorf("no dapr.yaml in %s", root)
	}
	return root, nil
}
