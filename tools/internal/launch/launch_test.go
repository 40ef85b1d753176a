package launch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fakeSystem writes a run file whose apps are the test binary in the given
// roles (app id → role) and returns options to start it.
func fakeSystem(t *testing.T, roles map[string]string) (Options, *syncBuffer) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	var b strings.Builder
	b.WriteString("version: 1\ncommon:\n  daprdLogDestination: fileAndConsole\napps:\n")
	for _, id := range sortedKeys(roles) {
		if err := os.MkdirAll(filepath.Join(root, id), 0o755); err != nil {
			t.Fatal(err)
		}
		port := freeTestPort(t)
		fmt.Fprintf(&b, "  - appID: %s\n    appDirPath: %s\n    appPort: %d\n    command: [%q]\n    env: {%s: %s}\n",
			id, id, port, exe, fakeRoleEnv, roles[id])
	}
	f, err := runfile.Parse([]byte(b.String()), root)
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	return Options{
		RunFile:      f,
		DaprdPath:    exe,
		DataDir:      filepath.Join(root, ".data"),
		Stdout:       out,
		ReadyTimeout: 20 * time.Second,
		StopTimeout:  5 * time.Second,
		ExtraEnv:     map[string]string{fakeEnv: "1", "LAUNCH_TEST_DIR": root},
	}, out
}

func freeTestPort(t *testing.T) int {
	t.Helper()
	p, err := freePort(map[int]bool{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

func httpClient() *http.Client { return &http.Client{Timeout: 2 * time.Second} }

// alive treats zombies as gone: in a container nobody may reap a reparented
// grandchild, yet it no longer runs.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

func grandchild(t *testing.T, opts Options, id string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(opts.RunFile.Dir, id+".grandchild"))
	if err != nil {
		t.Fatalf("grandchild of %s: %v", id, err)
	}
	pid, err := strconv.Atoi(string(data))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func startSystem(t *testing.T, opts Options) *System {
	t.Helper()
	sys, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = sys.Stop(context.Background()) })
	return sys
}

func TestStartStopLeavesNothingBehind(t *testing.T) {
	opts, out := fakeSystem(t, map[string]string{"alpha": "app", "beta-service": "app"})
	sys := startSystem(t, opts)

	var pids []int
	for name, pid := range sys.PIDs() {
		if !alive(pid) {
			t.Errorf("%s (pid %d) is not running after Start", name, pid)
		}
		pids = append(pids, pid)
	}
	if got, want := len(pids), 4; got != want {
		t.Fatalf("got %d processes, want %d", got, want)
	}
	for _, id := range []string{"alpha", "beta-service"} {
		pids = append(pids, grandchild(t, opts, id))
		info, ok := sys.App(id)
		if !ok || info.DaprHTTPPort == 0 || info.DaprGRPCPort == 0 || info.MetricsPort == 0 {
			t.Errorf("App(%s) = %+v, %v: want every port resolved", id, info, ok)
		}
		for _, f := range []string{info.LogFile, info.DaprdLogFile} {
			if data, err := os.ReadFile(f); err != nil || len(data) == 0 {
				t.Errorf("log %s: %v, %d bytes", f, err, len(data))
			}
		}
	}

	if err := sys.Stop(context.Background()); err != nil {
		t.Errorf("Stop: %v", err)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("pid %d still running after Stop", pid)
		}
	}
	if err := sys.Wait(); err != nil {
		t.Errorf("Wait after Stop = %v, want nil", err)
	}
	console := out.String()
	for _, want := range []string{
		"alpha              | fake app alpha listening",
		"beta-service daprd | fake daprd listening",
		"alpha              | stopping on SIGTERM",
	} {
		if !strings.Contains(console, want) {
			t.Errorf("console lacks %q:\n%s", want, console)
		}
	}
}

func TestStartFailsNamingTheApp(t *testing.T) {
	opts, _ := fakeSystem(t, map[string]string{"good": "app", "crasher": "crash"})
	sys, err := Start(context.Background(), opts)
	if err == nil {
		_ = sys.Stop(context.Background())
		t.Fatal("Start succeeded with a crashing app")
	}
	var pe *ProcessError
	if !errors.As(err, &pe) || pe.App != "crasher" {
		t.Fatalf("error %v does not name crasher", err)
	}
	if !strings.Contains(err.Error(), "boom: cannot reach the database") {
		t.Errorf("error lacks the app's last output:\n%v", err)
	}
	if pid := grandchildIfAny(opts, "good"); pid != 0 && alive(pid) {
		t.Errorf("good's grandchild %d still running after failed Start", pid)
	}
}

func grandchildIfAny(opts Options, id string) int {
	data, err := os.ReadFile(filepath.Join(opts.RunFile.Dir, id+".grandchild"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(string(data))
	return pid
}

func TestStartTimesOut(t *testing.T) {
	opts, _ := fakeSystem(t, map[string]string{"slow": "app"})
	opts.ExtraEnv["LAUNCH_TEST_NEVER_READY"] = "1"
	opts.ReadyTimeout = time.Second
	_, err := Start(context.Background(), opts)
	var pe *ProcessError
	if !errors.Is(err, ErrNotReady) || !errors.As(err, &pe) || pe.App != "slow" {
		t.Fatalf("Start = %v, want ErrNotReady naming slow", err)
	}
	if !strings.Contains(err.Error(), "fake daprd listening") {
		t.Errorf("error lacks the sidecar's output:\n%v", err)
	}
}

func TestStopAppStartApp(t *testing.T) {
	opts, _ := fakeSystem(t, map[string]string{"consumer": "app", "producer": "app"})
	sys := startSystem(t, opts)
	before := sys.PIDs()

	if err := sys.StopApp(context.Background(), "consumer"); err != nil {
		t.Fatalf("StopApp: %v", err)
	}
	for _, name := range []string{"consumer", "consumer daprd"} {
		if alive(before[name]) {
			t.Errorf("%s still running after StopApp", name)
		}
	}
	for _, name := range []string{"producer", "producer daprd"} {
		if !alive(before[name]) {
			t.Errorf("%s stopped by StopApp(consumer)", name)
		}
	}
	if err := sys.StartApp(context.Background(), "producer"); err == nil {
		t.Error("StartApp of a running app succeeded")
	}

	if err := sys.StartApp(context.Background(), "consumer"); err != nil {
		t.Fatalf("StartApp: %v", err)
	}
	after := sys.PIDs()
	if after["consumer"] == before["consumer"] || !alive(after["consumer"]) || !alive(after["consumer daprd"]) {
		t.Errorf("consumer not restarted: before %v after %v", before, after)
	}
	info, _ := sys.App("consumer")
	if !healthy(context.Background(), httpClient(), info.DaprHTTPPort) {
		t.Error("consumer's sidecar not healthy after StartApp")
	}
	select {
	case <-sys.failed:
		t.Errorf("system failed: %v", sys.failErr)
	default:
	}
}

func TestWaitNamesDeadProcess(t *testing.T) {
	opts, _ := fakeSystem(t, map[string]string{"victim": "app"})
	sys := startSystem(t, opts)
	if err := syscall.Kill(sys.PIDs()["victim daprd"], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sys.Wait() }()
	select {
	case err := <-done:
		var pe *ProcessError
		if !errors.As(err, &pe) || pe.Process != "victim daprd" {
			t.Errorf("Wait = %v, want a ProcessError for victim daprd", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return after a sidecar died")
	}
}

func TestStartChecksDaprd(t *testing.T) {
	opts, _ := fakeSystem(t, map[string]string{"a": "app"})
	opts.DaprdPath = filepath.Join(t.TempDir(), "daprd")
	_, err := Start(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "make daprd") {
		t.Errorf("Start = %v, want an error telling to run make daprd", err)
	}
}

func TestStartAppWithChangesOnlyTheAppsEnvironment(t *testing.T) {
	opts, _ := fakeSystem(t, map[string]string{"switcher": "app"})
	opts.ReadyTimeout = 5 * time.Second
	sys := startSystem(t, opts)
	if err := sys.StopApp(context.Background(), "switcher"); err != nil {
		t.Fatalf("StopApp: %v", err)
	}
	// The new role makes the fake app crash at start; were it also given
	// to the sidecar, the fake daprd would refuse to start instead.
	err := sys.StartAppWith(context.Background(), "switcher", map[string]string{fakeRoleEnv: "crash"})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("StartAppWith = %v, want the app's crash with the new env", err)
	}
	if strings.Contains(err.Error(), "daprd received the app's environment") {
		t.Error("the sidecar received the app's environment")
	}
}

// App and Apps read what StartAppWith writes: under -race, reading while
// an app restarts with new env must not race.
func TestAppInfoWhileRestarting(t *testing.T) {
	opts, _ := fakeSystem(t, map[string]string{"switcher": "app"})
	opts.ReadyTimeout = 5 * time.Second
	sys := startSystem(t, opts)
	if err := sys.StopApp(context.Background(), "switcher"); err != nil {
		t.Fatalf("StopApp: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			if info, ok := sys.App("switcher"); !ok || info.ID != "switcher" {
				t.Errorf("App = %+v, %v", info, ok)
				return
			}
			_ = sys.Apps()
		}
	}()
	if err := sys.StartAppWith(context.Background(), "switcher", map[string]string{"EXTRA": "1"}); err != nil {
		t.Fatalf("StartAppWith: %v", err)
	}
	<-done
	if info, _ := sys.App("switcher"); info.Env["EXTRA"] != "1" {
		t.Errorf("env after StartAppWith = %v", info.Env)
	}
}

// A killed process is not the system's failure, and Revive restarts only
// what died: the app after an app crash, the sidecar after a sidecar crash.
func TestKillAndRevive(t *testing.T) {
	opts, _ := fakeSystem(t, map[string]string{"victim": "app"})
	opts.ReadyTimeout = 10 * time.Second
	sys := startSystem(t, opts)
	for _, sidecar := range []bool{false, true} {
		killed, spared := "victim", "victim daprd"
		if sidecar {
			killed, spared = spared, killed
		}
		before := sys.PIDs()
		if err := sys.Kill("victim", sidecar); err != nil {
			t.Fatalf("Kill: %v", err)
		}
		if alive(before[killed]) {
			t.Fatalf("%s alive after Kill", killed)
		}
		if err := sys.Revive(context.Background(), "victim"); err != nil {
			t.Fatalf("Revive after killing %s: %v", killed, err)
		}
		after := sys.PIDs()
		if after[killed] == before[killed] || !alive(after[killed]) {
			t.Errorf("%s not restarted: before %v after %v", killed, before, after)
		}
		if after[spared] != before[spared] {
			t.Errorf("%s restarted too: before %v after %v", spared, before, after)
		}
	}
	select {
	case <-sys.failed:
		t.Errorf("system failed: %v", sys.failErr)
	default:
	}
	if err := sys.Kill("nobody", false); err == nil {
		t.Error("Kill of an unknown app succeeded")
	}
}
