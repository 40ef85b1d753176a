package launch

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

// Options configures Start. Only RunFile is required.
type Options struct {
	RunFile *runfile.File
	// DaprdPath defaults to bin/daprd beside the run file.
	DaprdPath string
	// DataDir holds logs/ (one file per process, truncated per Start);
	// defaults to .data beside the run file.
	DataDir string
	// BuildDir receives the binaries of `go run` apps; defaults to
	// <DataDir>/build.
	BuildDir string
	// Stdout receives every child's output, one prefixed line at a time,
	// for processes whose log destination includes the console.
	Stdout io.Writer
	// ReadyTimeout bounds the wait for all sidecars to report healthy;
	// it does not include the build. Defaults to 3 minutes.
	ReadyTimeout time.Duration
	// StopTimeout is how long a process group gets between SIGTERM and
	// SIGKILL. Defaults to 15 seconds.
	StopTimeout time.Duration
	// ExtraEnv is added last to the environment of every app and daprd.
	ExtraEnv map[string]string
	// Only restricts the run to these app ids; empty means all.
	Only []string
	// Extra are auxiliary processes (a mail catcher, an emulator), started
	// before the apps and stopped after them.
	Extra []Process
}

// Process is an auxiliary process started alongside the apps.
type Process struct {
	Name    string
	Command []string
	// Dir defaults to the run file's directory.
	Dir string
	// Env is added to the launcher's environment.
	Env map[string]string
	// ReadyAddr, if set, is a TCP address Start waits to accept
	// connections before starting the apps.
	ReadyAddr string
}

const (
	defaultReadyTimeout = 3 * time.Minute
	defaultStopTimeout  = 15 * time.Second
)

func (o Options) withDefaults() (Options, error) {
	if o.RunFile == nil {
		return o, errors.New("launch: Options.RunFile is required")
	}
	if o.DaprdPath == "" {
		o.DaprdPath = filepath.Join(o.RunFile.Dir, "bin", "daprd")
	}
	if o.DataDir == "" {
		o.DataDir = filepath.Join(o.RunFile.Dir, ".data")
	}
	if o.BuildDir == "" {
		o.BuildDir = filepath.Join(o.DataDir, "build")
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = defaultReadyTimeout
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = defaultStopTimeout
	}
	var err error
	for _, p := range []*string{&o.DaprdPath, &o.DataDir, &o.BuildDir} {
		if *p, err = filepath.Abs(*p); err != nil {
			return o, fmt.Errorf("launch: %w", err)
		}
	}
	for _, id := range o.Only {
		if _, ok := o.RunFile.App(id); !ok {
			return o, fmt.Errorf("launch: unknown app %q (not in %s)", id, o.RunFile.Path)
		}
	}
	for i, p := range o.Extra {
		if p.Name == "" || len(p.Command) == 0 {
			return o, fmt.Errorf("launch: extra process %d needs a name and a command", i)
		}
		if p.Dir == "" {
			o.Extra[i].Dir = o.RunFile.Dir
		}
	}
	return o, nil
}

func (o Options) selected() []runfile.App {
	var apps []runfile.App
	for _, a := range o.RunFile.Apps {
		if len(o.Only) == 0 || slices.Contains(o.Only, a.ID) {
			apps = append(apps, a)
		}
	}
	return apps
}

func checkDaprd(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("daprd not found at %s: run `make daprd` (or pass its path): %w", path, err)
	}
	if info.IsDir() || info.Mode()&0o111 == 0 {
		return fmt.Errorf("daprd at %s is not an executable file: run `make daprd`", path)
	}
	return nil
}
