//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/launch"
	"github.com/lettertomyself/ltm/tools/internal/runfile"
	"github.com/lettertomyself/ltm/tools/internal/world"
)

// sys is the running system every test talks to.
var sys *system

type system struct {
	*world.System
	probe *probe
}

const (
	probeID = "e2e-probe"
	// schedulerReplica is a second scheduler process on the same database:
	// two sweepers race for every due row throughout the suite.
	schedulerReplica = "scheduler-replica"
)

// Short names for the world's helpers the tests use everywhere.
var (
	randomHex = world.RandomHex
	freePort  = world.FreePort
	readDocs  = world.ReadDocs
	repoRoot  = world.RepoRoot
)

const gcsBucket = world.GCSBucket

// ownInfra, when set (the fault suite, which stops and restarts them),
// starts a Postgres and a RabbitMQ for this run alone; cleanup runs after
// the system has stopped.
var ownInfra func(ctx context.Context) (infra world.Infra, cleanup func(), err error)

// extraApps, when set (the fault suite's second notification process),
// adds processes to the system.
var extraApps func(f *runfile.File) ([]runfile.App, error)

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
	var infra world.Infra
	if ownInfra != nil {
		var cleanup func()
		infra, cleanup, err = ownInfra(ctx)
		defer cleanup()
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e: own Postgres and RabbitMQ:", err)
			return 1
		}
	}
	s, err := boot(ctx, repo, daprd, infra)
	defer s.close(repo)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: the system did not start:", err)
		return 1
	}
	fmt.Printf("e2e: system up in %s (world %s)\n", time.Since(start).Round(time.Second), s.W.ID)
	sys = s
	return m.Run()
}

func boot(ctx context.Context, repo, daprd string, infra world.Infra) (*system, error) {
	s := &system{}
	var err error
	if s.probe, err = startProbe(); err != nil {
		return s, err
	}
	s.System, err = world.Boot(ctx, world.Options{
		Repo:      repo,
		DaprdPath: daprd,
		Prefix:    "e2e",
		Patches: world.Patches{
			Scopes: map[string][]string{
				"pubsub":          {probeID, schedulerReplica},
				"secretstore":     {probeID, schedulerReplica},
				"scheduler-sweep": {schedulerReplica},
			},
			// The probe hears what it overhears and round-trips its own topic,
			// which auth-service's sidecar publishes for it (the probe itself is
			// stopped in TestPubSubSurvivesSubscriberDown). The replica is the
			// scheduler's second process: the scheduler's topics.
			Publish: map[string][]string{
				probeID:          {probeTopic},
				"auth-service":   {probeTopic},
				schedulerReplica: {"notification.requested", "outbox.probe"},
			},
			Subscribe: map[string][]string{
				probeID:          append([]string{probeTopic}, overheardTopics...),
				schedulerReplica: {"letter.created", "letter.deleted", "routine.upserted", "routine.deleted", "user.deleted"},
			},
			CronEvery: "@every 1s",
		},
		AddApps: func(w *world.World, f *runfile.File) ([]runfile.App, error) {
			probeApp, err := w.SidecarApp(probeID, s.probe.port)
			if err != nil {
				return nil, err
			}
			replica, err := world.SecondInstance(f, "scheduler-service", schedulerReplica)
			if err != nil {
				return nil, err
			}
			apps := []runfile.App{probeApp, replica}
			if extraApps != nil {
				more, err := extraApps(f)
				if err != nil {
					return nil, err
				}
				apps = append(apps, more...)
			}
			return apps, nil
		},
		Launch: launch.Options{ReadyTimeout: 4 * time.Minute},
		Infra:  infra,
	})
	return s, err
}

func (s *system) close(repo string) {
	if s.System != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// Keep the logs of the last run where a developer can read them.
		s.Close(ctx, filepath.Join(repo, ".data", "e2e-logs"))
	}
	if s.probe != nil {
		s.probe.close()
	}
}

// sidecarCall is call with the sidecars' API token: what an app may do
// through its own sidecar.
func sidecarCall(t *testing.T, method, url string, body any, headers ...string) response {
	t.Helper()
	return call(t, method, url, body, append(headers, "dapr-api-token", sys.W.DaprToken)...)
}

// daprURL is the HTTP API of an app's sidecar.
func (s *system) daprURL(t *testing.T, appID string) string {
	t.Helper()
	u, ok := s.DaprURL(appID)
	if !ok {
		t.Fatalf("no app %s", appID)
	}
	return u
}

// gatewayURL is where users reach the system.
func (s *system) gatewayURL(t *testing.T) string {
	t.Helper()
	u, ok := s.GatewayURL()
	if !ok {
		t.Fatal("no gateway")
	}
	return u
}
