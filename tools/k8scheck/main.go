// Command k8scheck renders every kustomize overlay under k8s/ and checks, offline,
// that a cluster would accept what it describes and that it keeps the project's
// rules (docs/kubernetes.md, "What the checks enforce"):
//
//   - strict decoding of every resource into the Kubernetes and Dapr Go types (an
//     unknown field fails, as `kubectl apply --validate=strict` would);
//   - the Pod Security "restricted" evaluation of every pod after Dapr's sidecar
//     injector (v1.18.1, its own code) added daprd, at the install values
//     docs/kubernetes.md gives Helm (the chart's defaults plus its --set lines);
//   - cross-checks against the repository: selectors and ports, the environment each
//     app reads, the Secrets the documentation creates, component scopes naming real
//     app ids, the secrets each app's code reads from the secret store;
//   - the rules of issue 18 (NetworkPolicy default deny, PDBs, one ServiceAccount per
//     app, digests in prod, connection budget, ...).
//
// It lives in its own module (not in go.work) because Dapr and kustomize bring
// hundreds of dependencies the apps must not share.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "k8scheck:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("k8scheck", flag.ContinueOnError)
	root := fs.String("root", ".", "repository root")
	release := fs.Bool("release", false, "also fail on placeholders (run before applying prod)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r, err := loadRepo(*root)
	if err != nil {
		return err
	}
	dirs, err := filepath.Glob(filepath.Join(*root, "k8s", "overlays", "*"))
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		return errors.New("no overlays under k8s/overlays")
	}
	sort.Strings(dirs)
	failed := 0
	for _, dir := range dirs {
		name := filepath.Base(dir)
		findings, n, budget, err := checkOverlay(dir, r, r.install, *release && name == "prod")
		if err != nil {
			return err
		}
		for _, f := range findings {
			fmt.Fprintf(stdout, "k8s/overlays/%s: %s\n", name, f)
		}
		failed += len(findings)
		fmt.Fprintf(stdout, "k8s/overlays/%s: %s\n", name, budget)
		if name == "prod" && !*release {
			left, _, _, err := checkOverlay(dir, r, r.install, true)
			if err != nil {
				return err
			}
			n := 0
			for _, f := range left {
				if f.Rule == "placeholder" {
					n++
				}
			}
			fmt.Fprintf(stdout, "k8s/overlays/prod: %d placeholders to replace before an apply (check-k8s.sh --release)\n", n)
		}
		fmt.Fprintf(stdout, "k8s/overlays/%s: %d resources, %d findings\n", name, n, len(findings))
	}
	if failed > 0 {
		return fmt.Errorf("%d findings", failed)
	}
	return nil
}

// checkOverlay renders dir and runs every rule; n is the number of resources.
func checkOverlay(dir string, r *repo, iv installValues, release bool) (findings []finding, n int, budget string, err error) {
	objs, bad, err := render(dir)
	if err != nil {
		return nil, 0, "", err
	}
	findings, budget = check(filepath.Base(dir), objs, r, iv, release)
	return append(bad, findings...), len(objs) + len(bad), budget, nil
}
