package infra

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestEnsureProgram(t *testing.T) {
	prog := Program{Name: "browser", Names: []string{"browser", "browser-alt"}, Packages: []string{"browser-pkg", "fonts-pkg"}}
	tests := []struct {
		name        string
		onPath      []string // executables present before any install
		installs    []string // executables an install brings
		canInstall  bool
		installErr  error
		wantInstall bool
		wantOut     string
		wantErr     string
	}{
		{name: "present", onPath: []string{"browser"}, wantOut: "browser: /usr/bin/browser"},
		{name: "second name will do", onPath: []string{"browser-alt"}, wantOut: "browser: /usr/bin/browser-alt"},
		{name: "missing, installed", canInstall: true, installs: []string{"browser"}, wantInstall: true, wantOut: "browser: installed, /usr/bin/browser"},
		{name: "missing, cannot install", wantErr: "install [browser-pkg fonts-pkg]"},
		{name: "install fails", canInstall: true, installErr: errors.New("no network"), wantInstall: true, wantErr: "no network"},
		{name: "install brings nothing", canInstall: true, wantInstall: true, wantErr: "none of [browser browser-alt] on PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			present := map[string]bool{}
			for _, n := range tt.onPath {
				present[n] = true
			}
			find := func(n string) string {
				if present[n] {
					return "/usr/bin/" + n
				}
				return ""
			}
			var out bytes.Buffer
			env := Env{Out: &out}
			var installed [][]string
			if tt.canInstall {
				env.Install = func(_ context.Context, pkgs []string) error {
					installed = append(installed, pkgs)
					if tt.installErr != nil {
						return tt.installErr
					}
					for _, n := range tt.installs {
						present[n] = true
					}
					return nil
				}
			}
			err := EnsureProgram(context.Background(), env, prog, find)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("EnsureProgram: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if got := len(installed) == 1 && strings.Join(installed[0], ",") == "browser-pkg,fonts-pkg"; got != tt.wantInstall {
				t.Errorf("installs %v, want an install of the packages: %v", installed, tt.wantInstall)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("output %q lacks %q", out.String(), tt.wantOut)
			}
		})
	}
}
