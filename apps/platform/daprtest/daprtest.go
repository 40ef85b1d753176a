// Package daprtest starts a real daprd (the project's bin/daprd, built by
// `make daprd`) for one test, with the components the test chooses, on free
// loopback ports, and stops it when the test ends. Store tests use it to go
// through the same sidecar and component code as production instead of a
// mock or the component library linked in-process.
package daprtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	dapr "github.com/dapr/go-sdk/client"
)

// loopback is where the sidecar listens; DAPR_HOST_IP points daprd there
// too, because test machines may have no default route.
const loopback = "127.0.0.1"

// SecretStore is the name of the local.file secret store Start writes, the
// name the project's components reference (auth.secretStore).
const SecretStore = "secretstore"

// Options describe the sidecar a test needs.
type Options struct {
	// AppID is the sidecar's app id; components scoped to other apps are
	// not loaded. Default "test-app".
	AppID string
	// Components are component files copied verbatim into the sidecar's
	// resources directory, e.g. RepoFile(t, "components/emotion-state.yaml").
	Components []string
	// Secrets fill the local.file secret store the components resolve
	// their secretKeyRefs from (a component's connection string, say).
	Secrets map[string]string
	// AppPort, when set, is a tiny app of the test's own that daprd waits
	// for and delivers to; 0 runs a sidecar without an app.
	AppPort int
	// ReadyTimeout bounds the start; default 60s.
	ReadyTimeout time.Duration
}

// Sidecar is a running daprd.
type Sidecar struct {
	AppID    string
	HTTPPort int
	GRPCPort int
	// Log is daprd's output file, kept in the test's temp dir.
	Log string
}

// HTTPEndpoint is the sidecar's HTTP API base, e.g. http://127.0.0.1:41234.
func (s *Sidecar) HTTPEndpoint() string {
	return "http://" + net.JoinHostPort(loopback, strconv.Itoa(s.HTTPPort))
}

// Client is a Go SDK client on the sidecar's gRPC port, closed when the
// test ends.
func (s *Sidecar) Client(t testing.TB) dapr.Client {
	t.Helper()
	c, err := dapr.NewClientWithAddress(net.JoinHostPort(loopback, strconv.Itoa(s.GRPCPort)))
	if err != nil {
		t.Fatalf("daprtest: client: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// Binary returns the path of bin/daprd. When it is missing the test is
// skipped with a hint, except in CI (CI=true), where a missing sidecar
// must fail rather than let store tests pass without running.
func Binary(t testing.TB) string {
	t.Helper()
	path := filepath.Join(RepoRoot(t), "bin", "daprd")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("daprtest: %s is missing (run `make daprd`): %v", path, err)
		}
		t.Skipf("daprtest: %s is missing; run `make daprd` to run this test", path)
	}
	return path
}

// RepoRoot is the directory holding go.work, found upwards from the test's
// working directory (its package directory).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("daprtest: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("daprtest: no go.work above the test's directory")
		}
		dir = parent
	}
}

// RepoFile is the absolute path of a file in the repository, such as
// "components/emotion-state.yaml".
func RepoFile(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), filepath.FromSlash(rel))
}

// Start runs daprd with opts and waits until GET /v1.0/healthz answers 204
// (components loaded, app reached). It is stopped in t.Cleanup; its log
// is printed when the test failed.
func Start(t testing.TB, opts Options) *Sidecar {
	t.Helper()
	bin := Binary(t)
	if opts.AppID == "" {
		opts.AppID = "test-app"
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 60 * time.Second
	}
	dir := t.TempDir()
	resources := filepath.Join(dir, "resources")
	if err := os.Mkdir(resources, 0o755); err != nil {
		t.Fatalf("daprtest: %v", err)
	}
	for _, c := range opts.Components {
		b, err := os.ReadFile(c)
		if err != nil {
			t.Fatalf("daprtest: component: %v", err)
		}
		if err := os.WriteFile(filepath.Join(resources, filepath.Base(c)), b, 0o644); err != nil {
			t.Fatalf("daprtest: %v", err)
		}
	}
	writeSecretStore(t, dir, resources, opts.Secrets)
	config := writeConfig(t, dir)

	ports := freePorts(t, 4)
	s := &Sidecar{AppID: opts.AppID, HTTPPort: ports[0], GRPCPort: ports[1], Log: filepath.Join(dir, "daprd.log")}
	args := []string{
		"--app-id", opts.AppID,
		"--dapr-http-port", strconv.Itoa(s.HTTPPort),
		"--dapr-grpc-port", strconv.Itoa(s.GRPCPort),
		"--metrics-port", strconv.Itoa(ports[2]),
		"--dapr-internal-grpc-port", strconv.Itoa(ports[3]),
		"--resources-path", resources,
		"--config", config,
		"--log-level", "info",
		"--dapr-listen-addresses", loopback,
		"--dapr-internal-grpc-listen-address", loopback,
		"--metrics-listen-address", loopback,
	}
	if opts.AppPort > 0 {
		args = append(args, "--app-port", strconv.Itoa(opts.AppPort), "--app-channel-address", loopback)
	}
	logFile, err := os.Create(s.Log)
	if err != nil {
		t.Fatalf("daprtest: %v", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DAPR_HOST_IP="+loopback)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, and killed with the test binary, so a
	// crashed test leaves no sidecar behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("daprtest: start daprd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logFile.Close() }()
	t.Cleanup(func() {
		stop(cmd, exited)
		if t.Failed() {
			t.Logf("daprtest: daprd log (%s):\n%s", s.Log, tail(s.Log, 60))
		}
	})
	if err := waitHealthy(s, opts.ReadyTimeout, exited); err != nil {
		t.Fatalf("daprtest: %v\n%s", err, tail(s.Log, 60))
	}
	return s
}

// writeSecretStore writes secrets as the flat JSON file a local.file
// secret store named SecretStore reads.
func writeSecretStore(t testing.TB, dir, resources string, secrets map[string]string) {
	t.Helper()
	if secrets == nil {
		secrets = map[string]string{}
	}
	b, err := json.Marshal(secrets)
	if err != nil {
		t.Fatalf("daprtest: %v", err)
	}
	file := filepath.Join(dir, "secrets.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatalf("daprtest: %v", err)
	}
	component := fmt.Sprintf(`apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: %s
spec:
  type: secretstores.local.file
  version: v1
  metadata:
    - name: secretsFile
      value: %q
`, SecretStore, file)
	if err := os.WriteFile(filepath.Join(resources, "daprtest-secretstore.yaml"), []byte(component), 0o644); err != nil {
		t.Fatalf("daprtest: %v", err)
	}
}

// writeConfig names the sqlite resolver: the standalone default (mDNS)
// needs multicast, which test machines often lack.
func writeConfig(t testing.TB, dir string) string {
	t.Helper()
	file := filepath.Join(dir, "config.yaml")
	config := fmt.Sprintf(`apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: daprtest
spec:
  nameResolution:
    component: sqlite
    version: v1
    configuration:
      connectionString: %q
  tracing:
    samplingRate: "0"
`, filepath.Join(dir, "nameresolution.db"))
	if err := os.WriteFile(file, []byte(config), 0o644); err != nil {
		t.Fatalf("daprtest: %v", err)
	}
	return file
}

func waitHealthy(s *Sidecar, timeout time.Duration, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.HTTPEndpoint()+"/v1.0/healthz", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusNoContent {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("daprd exited before it was healthy: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("daprd not healthy within %s", timeout)
		case <-tick.C:
		}
	}
}

// stop asks daprd to shut down gracefully and kills it if it lingers.
func stop(cmd *exec.Cmd, exited <-chan error) {
	pid := cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-exited
	}
}

// freePorts asks the kernel for n distinct free loopback ports. They are
// released before daprd binds them; a collision in that instant fails the
// start loudly rather than silently.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
		if err != nil {
			t.Fatalf("daprtest: free port: %v", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "(no log)"
		}
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
