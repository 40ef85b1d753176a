// Command devenv prepares a machine to run and test the system locally:
//
//	go run ./tools/devenv infra      # Postgres and RabbitMQ answering
//	go run ./tools/devenv browser    # Chromium for the browser tests
//	go run ./tools/devenv databases  # a role and database per app [-prefix e2e_]
//	go run ./tools/devenv secrets    # .data/secrets.json, adding missing keys
//
// Run it from the repository root; every subcommand is safe to repeat.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/dbsetup"
	"github.com/lettertomyself/ltm/tools/internal/infra"
	"github.com/lettertomyself/ltm/tools/internal/runfile"
	"github.com/lettertomyself/ltm/tools/internal/secretsfile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "devenv:", err)
		os.Exit(1)
	}
}

const usage = "usage: devenv infra | browser | databases [-f .] [-prefix p] | secrets [-o .data/secrets.json] | secret [-f .data/secrets.json] KEY"

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "infra":
		return runInfra(ctx, out)
	case "browser":
		return infra.EnsureProgram(ctx, infra.Env{Out: out, Install: infra.AptInstall()}, infra.Chromium(), infra.LookPath)
	case "databases":
		return runDatabases(ctx, args[1:], out)
	case "secrets":
		return runSecrets(args[1:], out)
	case "secret":
		return runSecret(args[1:], out)
	default:
		return fmt.Errorf("unknown subcommand %q\n%s", args[0], usage)
	}
}

func runInfra(ctx context.Context, out io.Writer) error {
	return infra.Ensure(ctx, infra.Env{
		Out:      out,
		Probe:    infra.TCPProbe,
		Install:  infra.AptInstall(),
		Wait:     60 * time.Second,
		Interval: 500 * time.Millisecond,
	}, infra.Local())
}

func runDatabases(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("databases", flag.ContinueOnError)
	file := fs.String("f", ".", "run file, or a directory holding dapr.yaml")
	prefix := fs.String("prefix", "", "create <prefix><database> instead, owned by the same roles")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rf, err := runfile.Load(*file)
	if err != nil {
		return err
	}
	targets, err := dbsetup.FromRunFile(rf)
	if err != nil {
		return err
	}
	if *prefix != "" {
		targets = dbsetup.WithPrefix(targets, *prefix)
	}
	admin := os.Getenv("PG_ADMIN_URL")
	if admin == "" {
		admin = dbsetup.DefaultAdminURL
	}
	if err := dbsetup.Ensure(ctx, admin, targets); err != nil {
		return err
	}
	var names []string
	for _, t := range targets {
		names = append(names, t.Database)
	}
	fmt.Fprintf(out, "databases: %d ready (%s)\n", len(targets), strings.Join(names, ", "))
	return nil
}

func runSecrets(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("secrets", flag.ContinueOnError)
	path := fs.String("o", filepath.Join(".data", "secrets.json"), "secrets file to create or complete")
	if err := fs.Parse(args); err != nil {
		return err
	}
	added, err := secretsfile.Ensure(*path, secretsfile.Keys, rand.Reader)
	if err != nil {
		return err
	}
	// Key names only: values never reach the terminal.
	if len(added) == 0 {
		fmt.Fprintf(out, "secrets: %s has every key\n", *path)
		return nil
	}
	fmt.Fprintf(out, "secrets: %s: added %s\n", *path, strings.Join(added, ", "))
	return nil
}

// runSecret prints one secret's value, for scripts that must hand it to a
// process (the launcher passes APP_API_TOKEN to every app and sidecar).
func runSecret(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("secret", flag.ContinueOnError)
	path := fs.String("f", filepath.Join(".data", "secrets.json"), "secrets file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: devenv secret [-f file] KEY")
	}
	v, err := secretsfile.Get(*path, fs.Arg(0))
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(out, v)
	return err
}
