package launch

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

func TestParseGoRun(t *testing.T) {
	tests := []struct {
		name    string
		command []string
		ok      bool
		pkgDir  string
		args    []string
	}{
		{"dot", []string{"go", "run", "."}, true, "/r/apps/a", []string{}},
		{"subpackage with args", []string{"go", "run", "./cmd/server", "-v"}, true, "/r/apps/a/cmd/server", []string{"-v"}},
		{"build flags run as written", []string{"go", "run", "-race", "."}, false, "", nil},
		{"remote package runs as written", []string{"go", "run", "example.com/x@latest"}, false, "", nil},
		{"other command", []string{"node", "index.js"}, false, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := parseGoRun(runfile.App{ID: "a", Dir: "/r/apps/a", Command: tt.command})
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok && (r.pkgDir != tt.pkgDir || !reflect.DeepEqual(r.args, tt.args)) {
				t.Errorf("got %+v, want dir %s args %q", r, tt.pkgDir, tt.args)
			}
		})
	}
}

// TestBuildGoApps builds two tiny commands of one module in a single go
// build and runs the results.
func TestBuildGoApps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	root := t.TempDir()
	files := map[string]string{
		"go.mod":            "module example.com/m\n\ngo 1.22\n",
		"apps/one/main.go":  "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Print(\"one\") }\n",
		"apps/two/main.go":  "package main\n\nimport (\"fmt\"; \"os\")\n\nfunc main() { fmt.Print(\"two\", os.Args[1:]) }\n",
		"apps/lib/lib.go":   "package lib\n",
		"apps/ver/v2/go.go": "package main\n\nfunc main() {}\n",
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GOWORK", "off")
	runs := []goRun{
		{appID: "one-service", pkgDir: filepath.Join(root, "apps/one")},
		{appID: "two-service", pkgDir: filepath.Join(root, "apps/two"), args: []string{"x"}},
		{appID: "ver", pkgDir: filepath.Join(root, "apps/ver/v2")},
	}
	buildDir := filepath.Join(root, "bin")
	var out bytes.Buffer
	bins, err := buildGoApps(context.Background(), root, buildDir, runs, &out)
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out.String())
	}
	want := map[string]string{
		"one-service": filepath.Join(buildDir, "one"),
		"two-service": filepath.Join(buildDir, "two"),
		"ver":         filepath.Join(buildDir, "ver"),
	}
	if !reflect.DeepEqual(bins, want) {
		t.Fatalf("binaries = %v, want %v", bins, want)
	}
	got, err := exec.Command(bins["two-service"], "x").Output()
	if err != nil || string(got) != "two[x]" {
		t.Errorf("two printed %q, %v", got, err)
	}
	start := time.Now()
	if _, err := buildGoApps(context.Background(), root, buildDir, runs, &out); err != nil {
		t.Fatal(err)
	}
	t.Logf("cached rebuild took %s", time.Since(start))

	_, err = buildGoApps(context.Background(), root, buildDir, []goRun{{appID: "lib", pkgDir: filepath.Join(root, "apps/lib")}}, &out)
	if err == nil {
		t.Error("building a non-main package succeeded")
	}
}
