// Package archcheck enforces the import rule of docs/architecture.md: in
// every service, only the postgres adapter (and its own tests) imports that
// service's internal/postgres. Domain, use cases, HTTP and events depend on
// ports the domain declares; main wires the adapter in.
package archcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// Violation is one package importing its service's postgres adapter.
type Violation struct {
	Service string // the app directory, e.g. letter
	Package string
	Imports string
	Test    bool // through a _test.go file
}

func (v Violation) String() string {
	via := ""
	if v.Test {
		via = " (in a test)"
	}
	return fmt.Sprintf("%s imports %s%s", v.Package, v.Imports, via)
}

type listed struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Error        *struct{ Err string }
}

// Violations lists the packages matching patterns (run from dir with go
// list, so dir's go.work or go.mod decides what they are) that break the
// rule, sorted.
func Violations(dir string, env []string, patterns ...string) ([]Violation, error) {
	args := append([]string{"list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports,Error"}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w: %s", err, stderr.String())
	}
	var found []Violation
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		if p.Error != nil {
			return nil, fmt.Errorf("%s: %s", p.ImportPath, p.Error.Err)
		}
		svc, adapter, ok := serviceOf(p.ImportPath)
		if !ok || within(p.ImportPath, adapter) {
			continue
		}
		for _, imp := range p.Imports {
			if within(imp, adapter) {
				found = append(found, Violation{Service: svc, Package: p.ImportPath, Imports: imp})
			}
		}
		for _, imp := range append(p.TestImports, p.XTestImports...) {
			if within(imp, adapter) {
				found = append(found, Violation{Service: svc, Package: p.ImportPath, Imports: imp, Test: true})
			}
		}
	}
	slices.SortFunc(found, func(a, b Violation) int { return strings.Compare(a.String(), b.String()) })
	return slices.CompactFunc(found, func(a, b Violation) bool { return a == b }), nil
}

// serviceOf reads …/apps/<svc>/internal/… from an import path and returns
// the service and its adapter's import path.
func serviceOf(path string) (svc, adapter string, ok bool) {
	i := strings.Index(path, "/apps/")
	if i < 0 {
		return "", "", false
	}
	rest := path[i+len("/apps/"):]
	svc, tail, _ := strings.Cut(rest, "/")
	if tail != "internal" && !strings.HasPrefix(tail, "internal/") {
		return "", "", false
	}
	return svc, path[:i] + "/apps/" + svc + "/internal/postgres", true
}

func within(path, root string) bool { return path == root || strings.HasPrefix(path, root+"/") }
