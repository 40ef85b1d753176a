// Package world builds isolated runs of the whole system: prefixed
// databases, a RabbitMQ vhost, a data directory, secrets, a patched copy of
// components/ and shifted ports, so a developer's `make run` can keep running
// beside them. The e2e suite and the system benchmark (tools/bench) boot
// through it.
package world

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/dbsetup"
	"github.com/lettertomyself/ltm/tools/internal/runfile"
	"github.com/lettertomyself/ltm/tools/internal/secretsfile"
)

// World is one isolated run: its own databases (prefixed), RabbitMQ vhost,
// data directory, secrets, copy of the components and ports.
type World struct {
	Repo string
	// ID prefixes the databases and names the vhost.
	ID string
	// Data is the run's data directory (logs/, images/, secrets.json).
	Data string
	// Comps is the patched copy of components/; Config its config.yaml.
	Comps     string
	Config    string
	Vhost     string
	AppToken  string // what each sidecar sends its app as dapr-api-token
	DaprToken string // what each app sends its sidecar as dapr-api-token
	// Infra is the Postgres and RabbitMQ the world uses; set it before
	// RunFile, CreateDatabases, CreateVhost and WriteSecrets.
	Infra     Infra
	adminURL  string
	databases []dbsetup.Target
	cleanups  []func()
}

// portOffset moves every port of dapr.yaml away from a running dev system.
const portOffset = 1000

// New makes the run's data directory; prefix starts its id ("e2e", "bench").
func New(repo, prefix string) (*World, error) {
	w := &World{Repo: repo, ID: prefix + "_" + RandomHex(4)}
	w.adminURL = os.Getenv("PG_ADMIN_URL")
	if w.adminURL == "" {
		w.adminURL = dbsetup.DefaultAdminURL
	}
	var err error
	if w.Data, err = os.MkdirTemp("", "ltm-"+w.ID+"-"); err != nil {
		return nil, err
	}
	w.cleanups = append(w.cleanups, func() { os.RemoveAll(w.Data) })
	w.Comps = filepath.Join(w.Data, "components")
	w.Config = filepath.Join(w.Comps, "config.yaml")
	for _, d := range []string{w.Comps, filepath.Join(w.Data, "images")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// Close undoes everything, newest first.
func (w *World) Close() {
	for i := len(w.cleanups) - 1; i >= 0; i-- {
		w.cleanups[i]()
	}
}

// RunFile loads the real dapr.yaml and points it at this world.
func (w *World) RunFile() (*runfile.File, error) {
	f, err := runfile.Load(w.Repo)
	if err != nil {
		return nil, err
	}
	if err := f.OffsetPorts(portOffset); err != nil {
		return nil, err
	}
	for i := range f.Apps {
		a := &f.Apps[i]
		a.ResourcesPaths = []string{w.Comps}
		// The patched copy of the app's own Configuration (config.yaml or
		// config-<app>.yaml, which scopes its secrets).
		a.ConfigFile = filepath.Join(w.Comps, filepath.Base(a.ConfigFile))
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

func (w *World) prefixDatabase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	u.Path = "/" + w.ID + "_" + strings.TrimPrefix(u.Path, "/")
	if w.Infra.PGPort != 0 {
		u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(w.Infra.PGPort))
	}
	return u.String(), nil
}

// CreateDatabases makes one database per app (same roles as in dev).
func (w *World) CreateDatabases(ctx context.Context, f *runfile.File) error {
	targets, err := dbsetup.FromRunFile(f)
	if err != nil {
		return err
	}
	w.databases = targets
	if w.Infra.PGPort != 0 {
		w.adminURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", w.Infra.PGPort)
	}
	if err := dbsetup.Ensure(ctx, w.adminURL, targets); err != nil {
		return err
	}
	w.cleanups = append(w.cleanups, func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := dbsetup.Drop(ctx, w.adminURL, w.databases, false); err != nil {
			fmt.Fprintln(os.Stderr, "world: drop databases:", err)
		}
	})
	return nil
}

// CreateVhost gives this run a RabbitMQ vhost of its own, so its queues
// never compete with a running dev system for messages.
func (w *World) CreateVhost() error {
	w.Vhost = w.ID
	for _, args := range [][]string{
		{"add_vhost", w.Vhost},
		{"set_permissions", "-p", w.Vhost, "guest", ".*", ".*", ".*"},
	} {
		if out, err := w.Infra.rabbitmqctl(args...).CombinedOutput(); err != nil {
			return fmt.Errorf("rabbitmqctl %s: %v: %s (is RabbitMQ running locally? `make services`)", args[0], err, out)
		}
	}
	w.cleanups = append(w.cleanups, func() {
		_ = w.Infra.rabbitmqctl("delete_vhost", w.Vhost).Run()
	})
	return nil
}

// DeadLettered lists this world's dead-letter queues holding messages
// (dlq-<app-id>-<topic> → how many): events an app never processed.
func (w *World) DeadLettered() (map[string]int, error) {
	out, err := w.Infra.rabbitmqctl("list_queues", "--no-table-headers", "-p", w.Vhost, "name", "messages").Output()
	if err != nil {
		return nil, fmt.Errorf("rabbitmqctl list_queues: %w", err)
	}
	dead := map[string]int{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || !strings.HasPrefix(f[0], "dlq-") {
			continue
		}
		if n, err := strconv.Atoi(f[1]); err == nil && n > 0 {
			dead[f[0]] = n
		}
	}
	return dead, nil
}

// WriteSecrets writes this world's secrets file: connection strings of its
// own, everything else generated as `make run` would.
func (w *World) WriteSecrets() error {
	path := filepath.Join(w.Data, "secrets.json")
	own := map[string]string{
		"rabbitmq-url":       fmt.Sprintf("amqp://guest:guest@127.0.0.1:%d/%s", w.Infra.amqpPort(), url.PathEscape(w.Vhost)),
		"emotion-state-pg":   fmt.Sprintf("host=127.0.0.1 port=%d user=ltm_emotion_store dbname=%s_ltm_emotion_store sslmode=disable", w.Infra.pgPort(), w.ID),
		"recommend-state-pg": fmt.Sprintf("host=127.0.0.1 port=%d user=ltm_recommend dbname=%s_ltm_recommend sslmode=disable", w.Infra.pgPort(), w.ID),
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
	if w.AppToken, err = secretsfile.Get(path, "app-api-token"); err != nil {
		return err
	}
	w.DaprToken, err = secretsfile.Get(path, "dapr-api-token")
	return err
}

// FreePort is a loopback port nobody listens on right now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// RandomHex is n random bytes in hex: names no other run uses.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
