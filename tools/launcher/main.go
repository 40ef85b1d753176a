// Command launcher runs the system described by a Dapr run file, as
// `dapr run -f .` would, without the Dapr CLI: it builds the Go apps once,
// starts each with its daprd, waits until every sidecar is healthy, and on
// Ctrl-C or SIGTERM stops everything it started.
//
//	go run ./tools/launcher [-f .] [-only a,b] [-extra 'mailpit=bin/mailpit --smtp 127.0.0.1:1025']
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/launch"
	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "launcher:", err)
		os.Exit(1)
	}
}

type config struct {
	runFile string
	daprd   string
	dataDir string
	timeout time.Duration
	only    string
	extras  extraFlags
}

func run(args []string, stdout io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("launcher", flag.ContinueOnError)
	fs.StringVar(&cfg.runFile, "f", ".", "run file, or a directory holding dapr.yaml")
	fs.StringVar(&cfg.daprd, "daprd", "", "daprd binary (default bin/daprd beside the run file)")
	fs.StringVar(&cfg.dataDir, "data", ".data", "directory for logs and build output")
	fs.DurationVar(&cfg.timeout, "timeout", 3*time.Minute, "how long to wait for every sidecar to be healthy")
	fs.StringVar(&cfg.only, "only", "", "comma-separated app ids to run (default all)")
	fs.Var(&cfg.extras, "extra", "auxiliary process as 'name=command args...', started first (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	file, err := runfile.Load(cfg.runFile)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	sys, err := launch.Start(ctx, launch.Options{
		RunFile:      file,
		DaprdPath:    cfg.daprd,
		DataDir:      cfg.dataDir,
		Stdout:       stdout,
		ReadyTimeout: cfg.timeout,
		Only:         splitList(cfg.only),
		Extra:        cfg.extras,
	})
	if err != nil {
		if ctx.Err() != nil {
			// Interrupted while starting: Start already stopped what it began.
			return nil
		}
		return err
	}
	printSummary(stdout, sys)

	var failure error
	select {
	case <-ctx.Done():
	case failure = <-waitErr(sys):
	}
	// A second Ctrl-C while stopping falls back to the default handler, so
	// an impatient user can still kill the launcher; Pdeathsig takes the
	// children with it.
	stop()
	stopCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sys.Stop(stopCtx); err != nil && !errors.Is(err, launch.ErrKilled) {
		failure = errors.Join(failure, err)
	}
	return failure
}

func waitErr(sys *launch.System) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- sys.Wait() }()
	return ch
}

func printSummary(w io.Writer, sys *launch.System) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nAPP\tAPP PORT\tDAPR HTTP\tLOG")
	for _, a := range sys.Apps() {
		port := "-"
		if a.AppPort > 0 {
			port = fmt.Sprint(a.AppPort)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", a.ID, port, a.DaprHTTPPort, a.LogFile)
	}
	for _, x := range sys.Extras() {
		fmt.Fprintf(tw, "%s\t-\t-\t%s\n", x.Name, x.LogFile)
	}
	_ = tw.Flush()
	if gw, ok := sys.App("gateway"); ok && gw.AppPort > 0 {
		fmt.Fprintf(w, "\ngateway: http://127.0.0.1:%d\n", gw.AppPort)
	}
	fmt.Fprintln(w, "all sidecars healthy; Ctrl-C stops everything")
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// extraFlags collects -extra values. The command is split on spaces, not
// parsed as shell: quoting is not supported.
type extraFlags []launch.Process

func (e *extraFlags) String() string { return fmt.Sprint(len(*e), " extra processes") }

func (e *extraFlags) Set(v string) error {
	name, command, ok := strings.Cut(v, "=")
	fields := strings.Fields(command)
	if !ok || strings.TrimSpace(name) == "" || len(fields) == 0 {
		return fmt.Errorf("want name=command args..., got %q", v)
	}
	*e = append(*e, launch.Process{Name: strings.TrimSpace(name), Command: fields})
	return nil
}
