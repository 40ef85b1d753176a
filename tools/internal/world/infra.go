package world

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Infra names the Postgres and RabbitMQ a world uses. The zero value is
// the machine's own (`make services`); the fault-injection suite starts
// instances of its own (StartPostgres, StartRabbitMQ) so it can stop and
// restart them without disturbing anything else on the machine.
type Infra struct {
	PGPort   int // 0: 5432
	AMQPPort int // 0: 5672
	// RabbitNode and RabbitCtl are how rabbitmqctl reaches the broker;
	// empty: the default node through the rabbitmqctl on PATH.
	RabbitNode string
	RabbitCtl  string
}

func (i Infra) pgPort() int {
	if i.PGPort == 0 {
		return 5432
	}
	return i.PGPort
}

func (i Infra) amqpPort() int {
	if i.AMQPPort == 0 {
		return 5672
	}
	return i.AMQPPort
}

func (i Infra) rabbitmqctl(args ...string) *exec.Cmd {
	ctl := i.RabbitCtl
	if ctl == "" {
		ctl = "rabbitmqctl"
	}
	if i.RabbitNode != "" {
		args = append([]string{"-n", i.RabbitNode}, args...)
	}
	return exec.Command(ctl, append([]string{"-q"}, args...)...)
}

const pgBin = "/usr/lib/postgresql/15/bin"

// Postgres is a throwaway cluster in a temporary directory, trusting
// loopback connections, listening on 127.0.0.1 only.
type Postgres struct {
	Dir  string
	Port int
}

// StartPostgres initialises a cluster with the machine's Postgres 15
// binaries and starts it on a free port.
func StartPostgres(ctx context.Context) (*Postgres, error) {
	dir, err := os.MkdirTemp("", "ltm-pg-")
	if err != nil {
		return nil, err
	}
	p := &Postgres{Dir: dir}
	if p.Port, err = FreePort(); err != nil {
		p.Close()
		return nil, err
	}
	if err := chownToPostgres(dir); err != nil {
		p.Close()
		return nil, err
	}
	if out, err := p.cmd(ctx, "initdb", "-D", p.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		p.Close()
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	if err := p.Start(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Postgres) data() string { return filepath.Join(p.Dir, "data") }

// cmd runs a Postgres binary as the postgres user when we are root: the
// server refuses to run as root.
func (p *Postgres) cmd(ctx context.Context, name string, args ...string) *exec.Cmd {
	bin := filepath.Join(pgBin, name)
	if os.Geteuid() == 0 {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	}
	return exec.CommandContext(ctx, bin, args...)
}

// Start starts the cluster and waits until it accepts connections.
func (p *Postgres) Start(ctx context.Context) error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300", p.Port, p.Dir)
	out, err := p.cmd(ctx, "pg_ctl", "-D", p.data(), "-l", filepath.Join(p.Dir, "log"), "-w", "-t", "60", "-o", opts, "start").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl start: %v: %s", err, out)
	}
	return nil
}

// Stop stops the cluster the fast way: sessions are cut, nothing
// committed is lost.
func (p *Postgres) Stop(ctx context.Context) error {
	out, err := p.cmd(ctx, "pg_ctl", "-D", p.data(), "-m", "fast", "-w", "-t", "60", "stop").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

// Close stops the cluster, if running, and removes it.
func (p *Postgres) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := os.Stat(filepath.Join(p.data(), "postmaster.pid")); err == nil {
		_ = p.Stop(ctx)
	}
	_ = os.RemoveAll(p.Dir)
}

func chownToPostgres(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("chown postgres %s: %v: %s", dir, err, out)
	}
	return nil
}

const rabbitBin = "/usr/lib/rabbitmq/bin"

// RabbitMQ is a broker node of its own (name, ports, data and logs in a
// temporary directory) beside the machine's.
type RabbitMQ struct {
	Dir            string
	Node           string
	Port, DistPort int
	cmd            *exec.Cmd
	exited         chan struct{}
}

// StartRabbitMQ starts a node on free ports and waits until it runs.
func StartRabbitMQ(ctx context.Context) (*RabbitMQ, error) {
	dir, err := os.MkdirTemp("", "ltm-rabbitmq-")
	if err != nil {
		return nil, err
	}
	r := &RabbitMQ{Dir: dir, Node: "ltm" + RandomHex(4) + "@localhost"}
	for _, p := range []*int{&r.Port, &r.DistPort} {
		if *p, err = FreePort(); err != nil {
			r.Close()
			return nil, err
		}
	}
	if err := r.Start(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Infra is what a world needs to use this node.
func (r *RabbitMQ) Infra() Infra {
	return Infra{AMQPPort: r.Port, RabbitNode: r.Node, RabbitCtl: filepath.Join(rabbitBin, "rabbitmqctl")}
}

// Start starts the node (again, after Stop, with the same data) and waits
// until its applications run.
func (r *RabbitMQ) Start(ctx context.Context) error {
	cmd := exec.Command(filepath.Join(rabbitBin, "rabbitmq-server"))
	cmd.Env = append(os.Environ(),
		"RABBITMQ_NODENAME="+r.Node,
		"RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
		"RABBITMQ_NODE_PORT="+strconv.Itoa(r.Port),
		"RABBITMQ_DIST_PORT="+strconv.Itoa(r.DistPort),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(r.Dir, "mnesia"),
		"RABBITMQ_LOG_BASE="+filepath.Join(r.Dir, "log"),
		"RABBITMQ_PID_FILE="+r.pidFile(),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(r.Dir, "enabled_plugins"),
		"RABBITMQ_ENABLED_PLUGINS=",
		"RABBITMQ_CONFIG_FILE="+filepath.Join(r.Dir, "rabbitmq"),
	)
	out, err := os.Create(filepath.Join(r.Dir, "server.out"))
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("rabbitmq-server: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); out.Close(); close(exited) }()
	r.cmd, r.exited = cmd, exited
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	wait := exec.CommandContext(wctx, filepath.Join(rabbitBin, "rabbitmqctl"), "-n", r.Node, "wait", "--timeout", "120", r.pidFile())
	if b, err := wait.CombinedOutput(); err != nil {
		return fmt.Errorf("rabbitmq node %s did not start: %v: %s", r.Node, err, b)
	}
	return nil
}

func (r *RabbitMQ) pidFile() string { return filepath.Join(r.Dir, "pid") }

// Stop halts the node and waits until its process is gone.
func (r *RabbitMQ) Stop(ctx context.Context) error {
	if r.cmd == nil {
		return nil
	}
	if b, err := exec.CommandContext(ctx, filepath.Join(rabbitBin, "rabbitmqctl"), "-n", r.Node, "stop").CombinedOutput(); err != nil {
		_ = r.cmd.Process.Kill()
		<-r.exited
		r.cmd = nil
		return fmt.Errorf("rabbitmqctl stop: %v: %s", err, b)
	}
	select {
	case <-r.exited:
	case <-time.After(time.Minute):
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
	r.cmd = nil
	return nil
}

// Close stops the node, if running, and removes its directory.
func (r *RabbitMQ) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = r.Stop(ctx)
	_ = os.RemoveAll(r.Dir)
}
