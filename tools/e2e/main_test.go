//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/lettertomyself/ltm/tools/internal/launch"
	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

// sys is the running system every test talks to.
var sys *system

type system struct {
	w      *world
	launch *launch.System
	smtp   *smtpmock.Server
	gcs    *fakestorage.Server
	probe  *probe
}

const (
	probeID = "e2e-probe"
	// schedulerReplica is a second scheduler process on the same database:
	// two sweepers race for every due row throughout the suite.
	schedulerReplica = "scheduler-replica"
)

// secondInstance copies app id as a new app with fresh ports.
func secondInstance(f *runfile.File, id, newID string) (runfile.App, error) {
	a, ok := f.App(id)
	if !ok {
		return runfile.App{}, fmt.Errorf("no app %s", id)
	}
	a.ID = newID
	a.Env = maps.Clone(a.Env)
	for _, p := range []*int{&a.AppPort, &a.DaprHTTPPort, &a.DaprGRPCPort, &a.MetricsPort} {
		port, err := freePort()
		if err != nil {
			return runfile.App{}, err
		}
		*p = port
	}
	return a, nil
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	repo, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	daprd := filepath.Join(repo, "bin", "daprd")
	if _, err := os.Stat(daprd); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: bin/daprd is missing: run `make daprd` (or `make test`, which builds it)")
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	start := time.Now()
	s, err := boot(ctx, repo, daprd)
	if s != nil {
		defer s.close(repo)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: the system did not start:", err)
		return 1
	}
	fmt.Printf("e2e: system up in %s (world %s)\n", time.Since(start).Round(time.Second), s.w.id)
	sys = s
	return m.Run()
}

func boot(ctx context.Context, repo, daprd string) (*system, error) {
	w, err := newWorld(repo)
	if err != nil {
		return nil, err
	}
	s := &system{w: w}
	if s.smtp, err = startSMTP(); err != nil {
		return s, err
	}
	gcsPort, err := freePort()
	if err != nil {
		return s, err
	}
	if s.gcs, err = startGCS(gcsPort); err != nil {
		return s, err
	}
	if s.probe, err = startProbe(); err != nil {
		return s, err
	}
	if err := w.createVhost(); err != nil {
		return s, err
	}
	f, err := w.runFile()
	if err != nil {
		return s, err
	}
	if err := w.createDatabases(ctx, f); err != nil {
		return s, err
	}
	if err := w.writeSecrets(); err != nil {
		return s, err
	}
	err = w.writeComponents(patches{
		smtpPort: s.smtp.PortNumber(),
		scopes: map[string][]string{
			"pubsub":          {probeID, schedulerReplica},
			"secretstore":     {probeID, schedulerReplica},
			"scheduler-sweep": {schedulerReplica},
		},
		// The probe hears what it overhears and round-trips its own topic,
		// which auth-service's sidecar publishes for it (the probe itself is
		// stopped in TestPubSubSurvivesSubscriberDown). The replica is the
		// scheduler's second process: the scheduler's topics.
		publish: map[string][]string{
			probeID:          {probeTopic},
			"auth-service":   {probeTopic},
			schedulerReplica: {"notification.requested"},
		},
		subscribe: map[string][]string{
			probeID:          append([]string{probeTopic}, overheardTopics...),
			schedulerReplica: {"letter.created", "letter.deleted", "routine.upserted", "routine.deleted", "user.deleted"},
		},
		cronEvery: "@every 1s",
	})
	if err != nil {
		return s, err
	}
	probeApp, err := s.probe.app(w)
	if err != nil {
		return s, err
	}
	replica, err := secondInstance(f, "scheduler-service", schedulerReplica)
	if err != nil {
		return s, err
	}
	f.Apps = append(f.Apps, probeApp, replica)

	s.launch, err = launch.Start(ctx, launch.Options{
		RunFile:   f,
		DaprdPath: daprd,
		DataDir:   w.data,
		// Shared with `make run`: the apps are the same binaries.
		BuildDir:     filepath.Join(repo, ".data", "build"),
		Stdout:       io.Discard,
		ReadyTimeout: 4 * time.Minute,
		ExtraEnv: map[string]string{
			"STORAGE_EMULATOR_HOST": fmt.Sprintf("127.0.0.1:%d", gcsPort),
			"APP_API_TOKEN":         w.appToken,
			"DAPR_API_TOKEN":        w.daprToken,
		},
	})
	return s, err
}

func (s *system) close(repo string) {
	if s.launch != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := s.launch.Stop(ctx); err != nil && !errors.Is(err, launch.ErrKilled) {
			fmt.Fprintln(os.Stderr, "e2e: stop:", err)
		}
		cancel()
	}
	// Keep the logs of the last run where a developer can read them.
	keep := filepath.Join(repo, ".data", "e2e-logs")
	_ = os.RemoveAll(keep)
	_ = os.MkdirAll(filepath.Dir(keep), 0o755)
	_ = os.Rename(filepath.Join(s.w.data, "logs"), keep)
	if s.probe != nil {
		s.probe.close()
	}
	if s.smtp != nil {
		_ = s.smtp.Stop()
	}
	if s.gcs != nil {
		s.gcs.Stop()
	}
	s.w.close()
}

// sidecarCall is call with the sidecars' API token: what an app may do
// through its own sidecar.
func sidecarCall(t *testing.T, method, url string, body any, headers ...string) response {
	t.Helper()
	return call(t, method, url, body, append(headers, "dapr-api-token", sys.w.daprToken)...)
}

// daprURL is the HTTP API of an app's sidecar.
func (s *system) daprURL(t *testing.T, appID string) string {
	t.Helper()
	a, ok := s.launch.App(appID)
	if !ok {
		t.Fatalf("no app %s", appID)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", a.DaprHTTPPort)
}

// gatewayURL is where users reach the system.
func (s *system) gatewayURL(t *testing.T) string {
	t.Helper()
	a, ok := s.launch.App("gateway")
	if !ok {
		t.Fatal("no gateway")
	}
	return fmt.Sprintf("http://127.0.0.1:%d", a.AppPort)
}

func repoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the repository")
	}
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	if _, err := os.Stat(filepath.Join(root, "dapr.yaml")); err != nil {
		return "", fmt.Errorf("no dapr.yaml in %s", root)
	}
	return root, nil
}
