// Command images builds one OCI image per app without a Docker daemon: a static
// Go binary (CGO_ENABLED=0, -trimpath) on a base layer made here from Debian's CA
// certificates and tzdata (this machine's /etc/ssl/certs and /usr/share/zoneinfo,
// installed by the ca-certificates and tzdata packages), running as the non-root
// user 65532. Each image is written as an OCI layout under -out/<app> (default
// .data/oci; .data/images already holds the letters' images of `make run`). Push
// one with `crane push .data/oci/gateway REGISTRY/ltm/gateway:TAG`; the digest
// stays the same. Layers carry no timestamps or host ownership, so a commit builds the same
// digests anywhere with the same Go toolchain and base files.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "images:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("images", flag.ContinueOnError)
	root := fs.String("root", ".", "repository root (with go.work)")
	out := fs.String("out", ".data/oci", "where the OCI layouts go, one directory per app")
	arch := fs.String("arch", runtime.GOARCH, "GOARCH of the images")
	only := fs.String("apps", "", "comma-separated app directories (default: every apps/* but platform)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	apps, err := appDirs(*root, *only)
	if err != nil {
		return err
	}
	base, err := baseLayer(hostFiles{certs: "/etc/ssl/certs/ca-certificates.crt", zoneinfo: "/usr/share/zoneinfo"})
	if err != nil {
		return err
	}
	bin, err := os.MkdirTemp("", "ltm-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	var digests []string
	for _, app := range apps {
		exe := filepath.Join(bin, app)
		if err := goBuild(*root, app, *arch, exe); err != nil {
			return err
		}
		img, err := appImage(base, exe, *arch, app)
		if err != nil {
			return fmt.Errorf("%s: %w", app, err)
		}
		digest, err := writeLayout(filepath.Join(*out, app), img, "ltm/"+app)
		if err != nil {
			return fmt.Errorf("%s: %w", app, err)
		}
		fmt.Fprintf(stdout, "%-15s %s\n", app, digest)
		digests = append(digests, fmt.Sprintf("ltm-%s %s", app, digest))
	}
	return os.WriteFile(filepath.Join(*out, "digests.txt"), []byte(strings.Join(digests, "\n")+"\n"), 0o644)
}

// appDirs lists the apps to build.
func appDirs(root, only string) ([]string, error) {
	if only != "" {
		return strings.Split(only, ","), nil
	}
	entries, err := os.ReadDir(filepath.Join(root, "apps"))
	if err != nil {
		return nil, err
	}
	var apps []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "platform" {
			if _, err := os.Stat(filepath.Join(root, "apps", e.Name(), "main.go")); err == nil {
				apps = append(apps, e.Name())
			}
		}
	}
	if len(apps) == 0 {
		return nil, errors.New("no apps under " + filepath.Join(root, "apps"))
	}
	sort.Strings(apps)
	return apps, nil
}

// goBuild builds apps/<app> as a static Linux binary, in the repository's
// workspace (go.work), with the same flags the images always use.
func goBuild(root, app, arch, out string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", out, "./apps/"+app)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOWORK="+filepath.Join(absOr(root), "go.work"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./apps/%s: %w", app, err)
	}
	return nil
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
