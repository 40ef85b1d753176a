package infra

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

// Local returns Postgres and RabbitMQ as installed by Debian packages.
func Local() []Service {
	return []Service{
		{
			Name:      "postgres",
			Addr:      "127.0.0.1:5432",
			Packages:  []string{"postgresql"},
			Installed: func() bool { return len(pgClusters()) > 0 && lookPath("pg_ctlcluster") != "" },
			Start:     startPostgres,
		},
		{
			Name:      "rabbitmq",
			Addr:      "127.0.0.1:5672",
			Packages:  []string{"rabbitmq-server"},
			Installed: func() bool { return lookPath("rabbitmq-server") != "" },
			Start: func(ctx context.Context) error {
				return run(ctx, lookPath("rabbitmq-server"), "-detached")
			},
		},
	}
}

// AptInstall returns an installer when this process may use apt-get, or nil.
func AptInstall() func(ctx context.Context, packages []string) error {
	apt := lookPath("apt-get")
	if os.Geteuid() != 0 || apt == "" {
		return nil
	}
	return func(ctx context.Context, packages []string) error {
		if err := run(ctx, apt, "update"); err != nil {
			return err
		}
		return run(ctx, apt, append([]string{"install", "-y", "--no-install-recommends"}, packages...)...)
	}
}

// pgClusters lists (version, cluster) pairs under /etc/postgresql. Only the
// main cluster is started, as the Debian packages create it.
func pgClusters() []string {
	dirs, _ := filepath.Glob("/etc/postgresql/*/main")
	var versions []string
	for _, d := range dirs {
		versions = append(versions, filepath.Base(filepath.Dir(d)))
	}
	slices.Sort(versions)
	return versions
}

// startPostgres uses pg_ctlcluster directly: containers have no systemd to
// redirect to, and pg_ctlcluster waits until the server accepts connections.
func startPostgres(ctx context.Context) error {
	for _, v := range pgClusters() {
		if err := run(ctx, lookPath("pg_ctlcluster"), "--skip-systemctl-redirect", v, "main", "start"); err != nil {
			return err
		}
	}
	return nil
}

// lookPath also searches the sbin directories, which a non-login root shell
// may lack and where rabbitmq-server lives.
func lookPath(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && info.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

func run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %v: %w\n%s", filepath.Base(name), args, err, out.String())
	}
	return nil
}
