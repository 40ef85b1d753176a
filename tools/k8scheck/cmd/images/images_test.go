package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

var host = hostFiles{certs: "/etc/ssl/certs/ca-certificates.crt", zoneinfo: "/usr/share/zoneinfo"}

// files reads a layer or a flattened image into name -> (header, content).
func files(t *testing.T, r io.Reader) map[string]fileEntry {
	t.Helper()
	out := map[string]fileEntry{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimPrefix(h.Name, "/")] = fileEntry{h, b}
	}
}

type fileEntry struct {
	h    *tar.Header
	data []byte
}

// The base layer has what a Go service needs from an OS, and nothing of this
// machine's identity (owners, times), so it is the same on every build.
func TestBaseLayer(t *testing.T) {
	l, err := baseLayer(host)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	fs := files(t, rc)
	checkOSFiles(t, fs)
	for name, f := range fs {
		if f.h.Uid != 0 || f.h.Gid != 0 || !f.h.ModTime.Equal(time.Unix(0, 0)) {
			t.Errorf("%s: uid %d gid %d mtime %s, want 0 0 epoch", name, f.h.Uid, f.h.Gid, f.h.ModTime)
		}
	}
	again, err := baseLayer(host)
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := l.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("two builds of the base layer differ: %s, %s", d1, d2)
	}
}

func checkOSFiles(t *testing.T, fs map[string]fileEntry) {
	t.Helper()
	if f := fs["etc/ssl/certs/ca-certificates.crt"]; f.h == nil || bytes.Count(f.data, []byte("BEGIN CERTIFICATE")) < 50 {
		t.Error("no CA bundle with the Debian roots at /etc/ssl/certs/ca-certificates.crt")
	}
	seoul := fs["usr/share/zoneinfo/Asia/Seoul"]
	if seoul.h == nil || (seoul.h.Typeflag == tar.TypeReg && !bytes.HasPrefix(seoul.data, []byte("TZif"))) {
		t.Error("no time zone data for Asia/Seoul at /usr/share/zoneinfo")
	}
	if f := fs["etc/passwd"]; f.h == nil || !strings.Contains(string(f.data), "nonroot:x:65532:65532") {
		t.Error("no nonroot user 65532 in /etc/passwd")
	}
	tmp := fs["tmp/"]
	if tmp.h == nil {
		tmp = fs["tmp"]
	}
	if f := tmp; f.h == nil || f.h.Mode&0o7777 != 0o1777 {
		t.Error("no world-writable sticky /tmp")
	}
}

// TestImages inspects the images `make images` built (LTM_IMAGES: the output
// directory): each runs as a non-root user, has its binary, the CA
// certificates and the time zones, and the binary runs on this machine. Without
// LTM_IMAGES (plain `go test`, make test) there is nothing to inspect.
func TestImages(t *testing.T) {
	dir := os.Getenv("LTM_IMAGES")
	if dir == "" {
		t.Skip("LTM_IMAGES not set: run through `make images`")
	}
	apps, err := appDirs(filepath.Join("..", "..", "..", ".."), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range apps {
		t.Run(app, func(t *testing.T) {
			img := readLayout(t, filepath.Join(dir, app))
			cfg, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Config.User != "65532:65532" {
				t.Errorf("user %q, want 65532:65532 (not root)", cfg.Config.User)
			}
			if strings.Join(cfg.Config.Entrypoint, " ") != "/app" || cfg.OS != "linux" {
				t.Errorf("entrypoint %v os %s, want /app on linux", cfg.Config.Entrypoint, cfg.OS)
			}
			rc := mutate.Extract(img)
			defer rc.Close()
			fs := files(t, rc)
			checkOSFiles(t, fs)
			bin := fs["app"]
			if bin.h == nil || bin.h.Mode&0o111 == 0 || len(bin.data) < 1<<20 {
				t.Fatal("no executable /app")
			}
			runExtracted(t, bin.data)
		})
	}
}

func readLayout(t *testing.T, dir string) v1.Image {
	t.Helper()
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 {
		t.Fatalf("%d manifests in %s, want 1", len(m.Manifests), dir)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// runExtracted runs the image's binary with a port that is not a number: it
// starts, reads its configuration and stops with an error naming APP_PORT,
// which proves the binary executes (static, right architecture) without
// needing a database or a sidecar.
func runExtracted(t *testing.T, exe []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(path, exe, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path)
	cmd.Env = []string{"APP_PORT=not-a-port", "DATABASE_URL=postgres://nobody@127.0.0.1:1/none"}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("binary did not fail on a bad APP_PORT (err %v): %s", err, out)
	}
	if !strings.Contains(string(out), "APP_PORT") {
		t.Errorf("exit %d without naming APP_PORT: %s", exit.ExitCode(), out)
	}
}
