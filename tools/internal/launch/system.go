package launch

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

// System is a running set of apps, their sidecars and auxiliary processes.
type System struct {
	opts    Options
	apps    []*appRun
	byID    map[string]*appRun
	extras  []*proc
	console *console
	prefix  func(string) string

	// mu serialises Stop, StopApp and StartApp.
	mu sync.Mutex

	failOnce sync.Once
	failed   chan struct{}
	failErr  error

	stopOnce sync.Once
	stopped  chan struct{}
	stopErr  error
}

// AppInfo is an app as it runs: its run file entry with every port resolved,
// and where its logs go.
type AppInfo struct {
	runfile.App
	// LogFile is empty for an app without a command (sidecar only).
	LogFile      string
	DaprdLogFile string
}

// ExtraInfo describes a running auxiliary process.
type ExtraInfo struct {
	Name    string
	Command []string
	LogFile string
}

type appRun struct {
	info  AppInfo
	app   *proc // nil for a sidecar-only app
	daprd *proc
}

// Start builds the selected apps, starts auxiliary processes, then every app
// with its sidecar, and returns once every sidecar reports healthy. On any
// failure everything already started is stopped again and the error names
// the app at fault.
func Start(ctx context.Context, opts Options) (*System, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkDaprd(opts.DaprdPath); err != nil {
		return nil, err
	}
	logDir := filepath.Join(opts.DataDir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, fmt.Errorf("launch: log dir: %w", err)
	}
	apps := opts.selected()
	if err := assignPorts(opts.RunFile.Apps, apps); err != nil {
		return nil, fmt.Errorf("launch: %w", err)
	}

	s := &System{
		opts:    opts,
		byID:    map[string]*appRun{},
		console: &console{w: opts.Stdout},
		failed:  make(chan struct{}),
		stopped: make(chan struct{}),
	}
	s.prefix = padder(apps, opts.Extra)

	bins, err := s.build(ctx, apps)
	if err != nil {
		return nil, err
	}
	for _, a := range apps {
		s.addApp(a, bins, logDir)
	}
	for _, x := range opts.Extra {
		s.extras = append(s.extras, s.newProc(x.Name, x.Command[0], x.Command[1:], x.Dir,
			appendSorted(os.Environ(), x.Env), filepath.Join(logDir, x.Name+".log"), true))
	}

	if err := s.startAll(ctx); err != nil {
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*opts.StopTimeout)
		defer cancel()
		// The start error is the one worth reporting; stopping is best effort.
		_ = s.Stop(cleanup)
		return nil, err
	}
	return s, nil
}

func (s *System) build(ctx context.Context, apps []runfile.App) (map[string]string, error) {
	var runs []goRun
	for _, a := range apps {
		if r, ok := parseGoRun(a); ok {
			runs = append(runs, r)
		}
	}
	if len(runs) == 0 {
		return map[string]string{}, nil
	}
	out := &lineWriter{prefix: s.prefix("build"), console: s.console, file: discard{}}
	defer out.flush()
	start := time.Now()
	bins, err := buildGoApps(ctx, s.opts.RunFile.Dir, s.opts.BuildDir, runs, out)
	if err != nil {
		return nil, fmt.Errorf("launch: %w", err)
	}
	s.say("built %d app binaries in %s", len(runs), time.Since(start).Round(100*time.Millisecond))
	return bins, nil
}

func (s *System) addApp(a runfile.App, bins map[string]string, logDir string) {
	r := &appRun{info: AppInfo{App: a, DaprdLogFile: filepath.Join(logDir, a.ID+".daprd.log")}}
	r.daprd = s.newProc(a.ID+" daprd", s.opts.DaprdPath, daprdArgs(a), a.Dir,
		daprdEnv(os.Environ(), s.opts.ExtraEnv), r.info.DaprdLogFile, a.DaprdLogDestination.ToConsole())
	if len(a.Command) > 0 {
		r.info.LogFile = filepath.Join(logDir, a.ID+".log")
		path, args := a.Command[0], a.Command[1:]
		if bin, ok := bins[a.ID]; ok {
			run, _ := parseGoRun(a)
			path, args = bin, run.args
		}
		r.app = s.newProc(a.ID, path, args, a.Dir, appEnv(os.Environ(), a, s.opts.ExtraEnv),
			r.info.LogFile, a.AppLogDestination.ToConsole())
	}
	s.apps = append(s.apps, r)
	s.byID[a.ID] = r
}

func (s *System) newProc(name, path string, args []string, dir string, env []string, logPath string, toConsole bool) *proc {
	p := &proc{name: name, path: path, args: args, dir: dir, env: env, logPath: logPath, prefix: s.prefix(name)}
	if toConsole {
		p.console = s.console
	}
	return p
}

func (s *System) startAll(ctx context.Context) error {
	for i, x := range s.extras {
		if err := x.start(true, s.onExit(x.name)); err != nil {
			return fmt.Errorf("launch: %w", err)
		}
		if err := s.waitExtra(ctx, x, s.opts.Extra[i].ReadyAddr); err != nil {
			return err
		}
	}
	for _, r := range s.apps {
		if err := s.startApp(r, true); err != nil {
			return err
		}
	}
	return s.waitReady(ctx, s.apps)
}

// startApp starts the sidecar first, as the CLI does; it waits for the
// app's port on its own.
func (s *System) startApp(r *appRun, truncateLogs bool) error {
	if err := r.daprd.start(truncateLogs, s.onExit(r.info.ID)); err != nil {
		return fmt.Errorf("launch: %w", err)
	}
	if r.app != nil {
		if err := r.app.start(truncateLogs, s.onExit(r.info.ID)); err != nil {
			return fmt.Errorf("launch: %w", err)
		}
	}
	return nil
}

// onExit turns an unrequested exit into the system's failure, unless the
// whole system is already stopping.
func (s *System) onExit(app string) func(*proc, error) {
	return func(p *proc, err error) {
		select {
		case <-s.stopped:
			return
		default:
		}
		if err == nil {
			err = errors.New("exited with status 0")
		} else {
			err = fmt.Errorf("exited: %w", err)
		}
		s.fail(&ProcessError{App: app, Process: p.name, Err: err, Logs: map[string][]string{p.name: p.tail()}})
	}
}

func (s *System) fail(err error) {
	s.failOnce.Do(func() {
		s.failErr = err
		s.say("%v", firstLine(err))
		close(s.failed)
	})
}

// Wait blocks until a process dies without being asked to (returning a
// *ProcessError naming it) or Stop is called (returning nil).
func (s *System) Wait() error {
	select {
	case <-s.failed:
		return s.failErr
	case <-s.stopped:
		return nil
	}
}

// Stop ends every process: sidecars first, so they stop handing the apps
// new work and deliver what is in flight, then the apps, then auxiliary
// processes. Each group gets SIGTERM and Options.StopTimeout (or until ctx
// is done) before SIGKILL. Calling Stop again returns the first result.
func (s *System) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		close(s.stopped)
		s.mu.Lock()
		defer s.mu.Unlock()
		var daprds, apps []*proc
		for _, r := range s.apps {
			daprds = append(daprds, r.daprd)
			if r.app != nil {
				apps = append(apps, r.app)
			}
		}
		var killed []string
		for _, group := range [][]*proc{daprds, apps, reversed(s.extras)} {
			killed = append(killed, s.stopGroup(ctx, group)...)
		}
		if len(killed) > 0 {
			s.stopErr = fmt.Errorf("launch: %s: %w", strings.Join(killed, ", "), ErrKilled)
		}
	})
	return s.stopErr
}

func (s *System) stopGroup(ctx context.Context, procs []*proc) []string {
	var (
		mu     sync.Mutex
		killed []string
		wg     sync.WaitGroup
	)
	for _, p := range procs {
		wg.Go(func() {
			if p.stop(ctx, s.opts.StopTimeout) {
				s.say("%s did not stop in time and was killed", p.name)
				mu.Lock()
				killed = append(killed, p.name)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return killed
}

// StopApp stops one app and its sidecar, sidecar first, leaving the rest
// running; the system does not count this as a failure.
func (s *System) StopApp(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	if !ok {
		return fmt.Errorf("launch: app %q is not part of this system", id)
	}
	var killed []string
	killed = append(killed, s.stopGroup(ctx, []*proc{r.daprd})...)
	if r.app != nil {
		killed = append(killed, s.stopGroup(ctx, []*proc{r.app})...)
	}
	if len(killed) > 0 {
		return fmt.Errorf("launch: %s: %w", strings.Join(killed, ", "), ErrKilled)
	}
	return nil
}

// StartApp starts an app stopped by StopApp, with the same ports, appending
// to its logs, and waits until its sidecar is healthy again.
func (s *System) StartApp(ctx context.Context, id string) error {
	return s.StartAppWith(ctx, id, nil)
}

// StartAppWith is StartApp with env merged into the app's own environment
// (not its sidecar's) from now on, e.g. to switch an app to another
// component between two runs.
func (s *System) StartAppWith(ctx context.Context, id string, env map[string]string) error {
	s.mu.Lock()
	r, ok := s.byID[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("launch: app %q is not part of this system", id)
	}
	select {
	case <-s.stopped:
		s.mu.Unlock()
		return errors.New("launch: system is stopped")
	default:
	}
	if r.daprd.running() || (r.app != nil && r.app.running()) {
		s.mu.Unlock()
		return fmt.Errorf("launch: app %q is still running", id)
	}
	if len(env) > 0 && r.app != nil {
		merged := maps.Clone(r.info.Env)
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, env)
		r.info.Env = merged
		r.app.env = appEnv(os.Environ(), r.info.App, s.opts.ExtraEnv)
	}
	err := s.startApp(r, false)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.waitReady(ctx, []*appRun{r})
}

// Kill sends SIGKILL to an app's process, or to its sidecar's, without
// warning, as a crash would, and waits until it is gone; the system does
// not count it as a failure. Revive starts it again.
func (s *System) Kill(id string, sidecar bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	if !ok {
		return fmt.Errorf("launch: app %q is not part of this system", id)
	}
	p := r.daprd
	if !sidecar {
		if r.app == nil {
			return fmt.Errorf("launch: app %q has no process of its own", id)
		}
		p = r.app
	}
	p.kill()
	return nil
}

// Revive starts whichever of an app's processes is not running, as a
// supervisor restarts a dead container, with the same ports, appending to
// its logs, and waits until its sidecar is healthy again.
func (s *System) Revive(ctx context.Context, id string) error {
	s.mu.Lock()
	r, ok := s.byID[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("launch: app %q is not part of this system", id)
	}
	var err error
	if !r.daprd.running() {
		err = r.daprd.start(false, s.onExit(id))
	}
	if err == nil && r.app != nil && !r.app.running() {
		err = r.app.start(false, s.onExit(id))
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("launch: %w", err)
	}
	return s.waitReady(ctx, []*appRun{r})
}

// App returns a running app's resolved configuration. StartAppWith may
// change it meanwhile, so it is read under the same lock.
func (s *System) App(id string) (AppInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	if !ok {
		return AppInfo{}, false
	}
	return r.info, true
}

// Apps returns every app of the system in run file order.
func (s *System) Apps() []AppInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AppInfo, 0, len(s.apps))
	for _, r := range s.apps {
		out = append(out, r.info)
	}
	return out
}

// Extras describes the auxiliary processes.
func (s *System) Extras() []ExtraInfo {
	out := make([]ExtraInfo, 0, len(s.extras))
	for i, p := range s.extras {
		out = append(out, ExtraInfo{Name: p.name, Command: s.opts.Extra[i].Command, LogFile: p.logPath})
	}
	return out
}

// PIDs returns the process id of every process started, current or not,
// keyed by process name; tests use it to prove nothing is left behind.
func (s *System) PIDs() map[string]int {
	out := map[string]int{}
	all := append([]*proc(nil), s.extras...)
	for _, r := range s.apps {
		all = append(all, r.daprd)
		if r.app != nil {
			all = append(all, r.app)
		}
	}
	for _, p := range all {
		if pid := p.pid(); pid != 0 {
			out[p.name] = pid
		}
	}
	return out
}

func (s *System) say(format string, args ...any) {
	s.console.line(s.prefix("launcher"), fmt.Sprintf(format, args...))
}

// padder aligns the " | " column across every name that will be printed.
func padder(apps []runfile.App, extras []Process) func(string) string {
	width := len("launcher")
	for _, a := range apps {
		width = max(width, len(a.ID+" daprd"))
	}
	for _, x := range extras {
		width = max(width, len(x.Name))
	}
	return func(name string) string { return fmt.Sprintf("%-*s", width, name) }
}

func reversed(procs []*proc) []*proc {
	out := make([]*proc, len(procs))
	for i, p := range procs {
		out[len(procs)-1-i] = p
	}
	return out
}

func firstLine(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
