//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/dbsetup"
	"github.com/lettertomyself/ltm/tools/internal/runfile"
	"github.com/lettertomyself/ltm/tools/internal/secretsfile"
)

// world is one isolated run: its own databases (prefixed), RabbitMQ vhost,
// data directory, secrets, copy of the components and ports, so a
// developer's `make run` can keep running beside the tests.
type world struct {
	repo      string
	id        string
	data      string
	comps     string
	config    string
	vhost     string
	appToken  string // what each sidecar sends its app as dapr-api-token
	daprToken string // what each app sends its sidecar as dapr-api-token
	adminURL  string
	databases []dbsetup.Target
	cleanups  []func()
}

// portOffset moves every port of dapr.yaml away from a running dev system.
const portOffset = 1000

func newWorld(repo string) (*world, error) {
	w := &world{repo: repo, id: "e2e_" + randomHex(4)}
	w.adminURL = os.Getenv("PG_ADMIN_URL")
	if w.adminURL == "" {
		w.adminURL = dbsetup.DefaultAdminURL
	}
	var err error
	if w.data, err = os.MkdirTemp("", "ltm-"+w.id+"-"); err != nil {
		return nil, err
	}
	w.cleanups = append(w.cleanups, func() { os.RemoveAll(w.data) })
	w.comps = filepath.Join(w.data, "components")
	w.config = filepath.Join(w.comps, "config.yaml")
	for _, d := range []string{w.comps, filepath.Join(w.data, "images")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// close undoes everything, newest first.
func (w *world) close() {
	for i := len(w.cleanups) - 1; i >= 0; i-- {
		w.cleanups[i]()
	}
}

// runFile loads the real dapr.yaml and points it at this world.
func (w *world) runFile() (*runfile.File, error) {
	f, err := runfile.Load(w.repo)
	if err != nil {
		return nil, err
	}
	if err := f.OffsetPorts(portOffset); err != nil {
		return nil, err
	}
	for i := range f.Apps {
		a := &f.Apps[i]
		a.ResourcesPaths = []string{w.comps}
		// The patched copy of the app's own Configuration (config.yaml or
		// config-<app>.yaml, which scopes its secrets).
		a.ConfigFile = filepath.Join(w.comps, filepath.Base(a.ConfigFile))
		a.DaprdLogDestination = runfile.LogToFile
		a.AppLogDestination = runfile.LogToFile
		if raw, ok := a.Env["DATABASE_URL"]; ok {
			if a.Env["DATABASE_URL"], err = w.prefixDatabase(raw); err != nil {
				return nil, fmt.Errorf("%s: %w", a.ID, err)
			}
		}
	}
	return f, nil
}

func (w *world) prefixDatabase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	u.Path = "/" + w.id + "_" + strings.TrimPrefix(u.Path, "/")
	return u.String(), nil
}

// createDatabases makes one database per app (same roles as in dev).
func (w *world) createDatabases(ctx context.Context, f *runfile.File) error {
	targets, err := dbsetup.FromRunFile(f)
	if err != nil {
		return err
	}
	w.databases = targets
	if err := dbsetup.Ensure(ctx, w.adminURL, targets); err != nil {
		return err
	}
	w.cleanups = append(w.cleanups, func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := dbsetup.Drop(ctx, w.adminURL, w.databases, false); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: drop databases:", err)
		}
	})
	return nil
}

// createVhost gives this run a RabbitMQ vhost of its own, so its queues
// never compete with a running dev system for messages.
func (w *world) createVhost() error {
	w.vhost = w.id
	for _, args := range [][]string{
		{"add_vhost", w.vhost},
		{"set_permissions", "-p", w.vhost, "guest", ".*", ".*", ".*"},
	} {
		if out, err := exec.Command("rabbitmqctl", append([]string{"-q"}, args...)...).CombinedOutput(); err != nil {
			return fmt.Errorf("rabbitmqctl %s: %v: %s (is RabbitMQ running locally? `make services`)", args[0], err, out)
		}
	}
	w.cleanups = append(w.cleanups, func() {
		_ = exec.Command("rabbitmqctl", "-q", "delete_vhost", w.vhost).Run()
	})
	return nil
}

// writeSecrets writes this world's secrets file: connection strings of its
// own, everything else generated as `make run` would.
func (w *world) writeSecrets() error {
	path := filepath.Join(w.data, "secrets.json")
	own := map[string]string{
		"rabbitmq-url":       "amqp://guest:guest@127.0.0.1:5672/" + url.PathEscape(w.vhost),
		"emotion-state-pg":   "host=127.0.0.1 port=5432 user=ltm_emotion_store dbname=" + w.id + "_ltm_emotion_store sslmode=disable",
		"recommend-state-pg": "host=127.0.0.1 port=5432 user=ltm_recommend dbname=" + w.id + "_ltm_recommend sslmode=disable",
	}
	b, err := json.Marshal(own)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return err
	}
	if _, err = secretsfile.Ensure(path, secretsfile.Keys, rand.Reader); err != nil {
		return err
	}
	if w.appToken, err = secretsfile.Get(path, "app-api-token"); err != nil {
		return err
	}
	w.daprToken, err = secretsfile.Get(path, "dapr-api-token")
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
