// Package infra makes sure the local services the system depends on
// (Postgres, RabbitMQ) answer, starting or installing them when they do not,
// so `make run` works on a fresh Debian or Ubuntu machine.
package infra

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Service is one dependency and the ways to bring it up. The function
// fields let tests drive every path without touching the machine.
type Service struct {
	Name string
	Addr string
	// Packages are the apt packages that provide the service.
	Packages []string
	// Installed reports whether the service can be started here.
	Installed func() bool
	// Start starts the installed service without waiting for it.
	Start func(ctx context.Context) error
}

// Env is what Ensure needs from the machine.
type Env struct {
	Out io.Writer
	// Probe reports whether addr answers.
	Probe func(ctx context.Context, addr string) bool
	// Install installs apt packages; nil when that is not possible here.
	Install func(ctx context.Context, packages []string) error
	// Wait bounds how long a started service gets to answer.
	Wait     time.Duration
	Interval time.Duration
}

// Ensure brings each service up and prints one line per service saying what
// it took. Services that cannot be installed are reported together, naming
// the packages to install by hand.
func Ensure(ctx context.Context, env Env, services []Service) error {
	var missing []Service
	var errs []error
	for _, s := range services {
		if env.Probe(ctx, s.Addr) {
			fmt.Fprintf(env.Out, "%s: already answering on %s\n", s.Name, s.Addr)
			continue
		}
		if !s.Installed() {
			missing = append(missing, s)
			continue
		}
		if err := start(ctx, env, s, "started"); err != nil {
			errs = append(errs, err)
		}
	}
	if len(missing) > 0 {
		errs = append(errs, installAndStart(ctx, env, missing))
	}
	return errors.Join(errs...)
}

func installAndStart(ctx context.Context, env Env, services []Service) error {
	var pkgs, names []string
	for _, s := range services {
		pkgs = append(pkgs, s.Packages...)
		names = append(names, s.Name)
	}
	if env.Install == nil {
		return fmt.Errorf("%v not installed and cannot install here (need root and apt-get): install %v", names, pkgs)
	}
	if err := env.Install(ctx, pkgs); err != nil {
		return fmt.Errorf("install %v: %w", pkgs, err)
	}
	var errs []error
	for _, s := range services {
		if !s.Installed() {
			errs = append(errs, fmt.Errorf("%s: still not startable after installing %v", s.Name, s.Packages))
			continue
		}
		if err := start(ctx, env, s, "installed and started"); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func start(ctx context.Context, env Env, s Service, did string) error {
	if err := s.Start(ctx); err != nil {
		return fmt.Errorf("%s: start: %w", s.Name, err)
	}
	began := time.Now()
	deadline, cancel := context.WithTimeout(ctx, env.Wait)
	defer cancel()
	for !env.Probe(deadline, s.Addr) {
		select {
		case <-deadline.Done():
			return fmt.Errorf("%s: started but %s did not answer within %s", s.Name, s.Addr, env.Wait)
		case <-time.After(env.Interval):
		}
	}
	fmt.Fprintf(env.Out, "%s: %s, answering on %s after %s\n", s.Name, did, s.Addr, time.Since(began).Round(100*time.Millisecond))
	return nil
}

// TCPProbe reports whether addr accepts a TCP connection within a second.
func TCPProbe(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}
