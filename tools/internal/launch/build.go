package launch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

// goRun is an app whose command is `go run <local package> [args...]`.
type goRun struct {
	appID  string
	pkgDir string // absolute
	args   []string
}

// parseGoRun recognises commands the launcher can prebuild. Anything else,
// including `go run` with build flags or a remote package, runs as written.
func parseGoRun(a runfile.App) (goRun, bool) {
	c := a.Command
	if len(c) < 3 || c[0] != "go" || c[1] != "run" {
		return goRun{}, false
	}
	pkg := c[2]
	if !(pkg == "." || pkg == ".." || strings.HasPrefix(pkg, "./") || strings.HasPrefix(pkg, "../") || filepath.IsAbs(pkg)) {
		return goRun{}, false
	}
	dir := pkg
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(a.Dir, pkg)
	}
	return goRun{appID: a.ID, pkgDir: filepath.Clean(dir), args: c[3:]}, true
}

// buildGoApps compiles every `go run` app with one `go build`, run from the
// run file's directory so go.work spans all modules; one invocation shares
// dependency compilation across apps, and the build cache plus go's
// up-to-date check on -o targets make a repeat start cheap. It returns the
// binary for each app id.
func buildGoApps(ctx context.Context, dir, buildDir string, runs []goRun, out io.Writer) (map[string]string, error) {
	if len(runs) == 0 {
		return map[string]string{}, nil
	}
	if err := os.MkdirAll(buildDir, 0o755); err != nil {
		return nil, fmt.Errorf("build dir: %w", err)
	}
	var dirs []string
	seen := map[string]bool{}
	for _, r := range runs {
		if !seen[r.pkgDir] {
			seen[r.pkgDir] = true
			dirs = append(dirs, r.pkgDir)
		}
	}
	names, err := binaryNames(ctx, dir, dirs)
	if err != nil {
		return nil, err
	}
	owner := map[string]string{}
	for _, d := range dirs {
		if prev, ok := owner[names[d]]; ok {
			return nil, fmt.Errorf("build: %s and %s would both produce binary %q", prev, d, names[d])
		}
		owner[names[d]] = d
	}
	args := append([]string{"build", "-o", buildDir + string(filepath.Separator)}, dirs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go build of %d apps in %s: %w", len(dirs), dir, err)
	}
	bins := map[string]string{}
	for _, r := range runs {
		bins[r.appID] = filepath.Join(buildDir, names[r.pkgDir])
	}
	return bins, nil
}

var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// binaryNames asks go list for each package's import path, because go build
// names a binary after the import path (a module's path may differ from its
// directory), dropping a trailing major version element as it does.
func binaryNames(ctx context.Context, dir string, pkgDirs []string) (map[string]string, error) {
	args := append([]string{"list", "-f", "{{.Dir}}\t{{.ImportPath}}\t{{.Name}}"}, pkgDirs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list in %s: %w\n%s", dir, err, stderr.String())
	}
	names := map[string]string{}
	for line := range strings.Lines(string(stdout)) {
		fields := strings.Split(strings.TrimSpace(line), "\t")
		if len(fields) != 3 {
			continue
		}
		if fields[2] != "main" {
			return nil, fmt.Errorf("build: %s is package %s, not a command", fields[0], fields[2])
		}
		elem := path.Base(fields[1])
		if majorVersion.MatchString(elem) && path.Dir(fields[1]) != "." {
			elem = path.Base(path.Dir(fields[1]))
		}
		names[canonical(fields[0])] = elem
	}
	out := map[string]string{}
	for _, d := range pkgDirs {
		if out[d] = names[canonical(d)]; out[d] == "" {
			return nil, fmt.Errorf("build: go list did not report %s", d)
		}
	}
	return out, nil
}

// canonical makes directories comparable when one side went through a
// symlink and the other did not.
func canonical(dir string) string {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		return real
	}
	return filepath.Clean(dir)
}
