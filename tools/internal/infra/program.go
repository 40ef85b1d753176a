package infra

import (
	"context"
	"fmt"
)

// Program is a command the tests need on the machine (not a service: nothing
// to start, only something to find), with the apt packages that provide it.
type Program struct {
	Name string
	// Names are the executables that will do, best first.
	Names    []string
	Packages []string
}

// Chromium is the browser the browser suite drives. Debian names the
// executable chromium, Ubuntu's transitional package chromium-browser; the
// CJK fonts are there so Korean pages render (and screenshot) as text, not
// boxes.
func Chromium() Program {
	return Program{
		Name:     "chromium",
		Names:    []string{"chromium", "chromium-browser"},
		Packages: []string{"chromium", "fonts-noto-cjk"},
	}
}

// EnsureProgram finds p, installing its packages with env.Install when it is
// missing, and prints where it is. find returns the path of an executable
// or "" (exec.LookPath in production, a fake in tests).
func EnsureProgram(ctx context.Context, env Env, p Program, find func(string) string) error {
	if path := findAny(p, find); path != "" {
		fmt.Fprintf(env.Out, "%s: %s\n", p.Name, path)
		return nil
	}
	if env.Install == nil {
		return fmt.Errorf("%s not installed and cannot install here (need root and apt-get): install %v", p.Name, p.Packages)
	}
	if err := env.Install(ctx, p.Packages); err != nil {
		return fmt.Errorf("install %v: %w", p.Packages, err)
	}
	path := findAny(p, find)
	if path == "" {
		return fmt.Errorf("%s: none of %v on PATH after installing %v", p.Name, p.Names, p.Packages)
	}
	fmt.Fprintf(env.Out, "%s: installed, %s\n", p.Name, path)
	return nil
}

func findAny(p Program, find func(string) string) string {
	for _, n := range p.Names {
		if path := find(n); path != "" {
			return path
		}
	}
	return ""
}

// LookPath is the production find for EnsureProgram.
func LookPath(name string) string { return lookPath(name) }
