package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The user the apps run as: distroless's "nonroot", which the Deployments'
// securityContext (runAsUser 65532) expects.
const (
	uid  = 65532
	user = "65532:65532"
)

// hostFiles says where the base layer's files come from.
type hostFiles struct {
	certs    string // Debian's CA bundle (ca-certificates)
	zoneinfo string // Debian's tzdata
}

// tarWriter writes entries with fixed metadata: no timestamps, root ownership,
// so the same files always give the same digest.
type tarWriter struct {
	tw *tar.Writer
}

func (w tarWriter) dir(name string, mode int64) error {
	return w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: time.Unix(0, 0)})
}

func (w tarWriter) file(name string, mode int64, data []byte) error {
	if err := w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	_, err := w.tw.Write(data)
	return err
}

func (w tarWriter) symlink(name, target string) error {
	return w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: time.Unix(0, 0)})
}

// baseLayer builds the layer every app image shares: users, /tmp, CA
// certificates and the time zone database.
func baseLayer(src hostFiles) (v1.Layer, error) {
	var buf bytes.Buffer
	w := tarWriter{tar.NewWriter(&buf)}
	for _, d := range []string{"etc", "etc/ssl", "etc/ssl/certs", "usr", "usr/share"} {
		if err := w.dir(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := w.dir("tmp", 0o1777); err != nil {
		return nil, err
	}
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", uid, uid)
	group := fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", uid)
	if err := w.file("etc/passwd", 0o644, []byte(passwd)); err != nil {
		return nil, err
	}
	if err := w.file("etc/group", 0o644, []byte(group)); err != nil {
		return nil, err
	}
	certs, err := os.ReadFile(src.certs)
	if err != nil {
		return nil, fmt.Errorf("CA certificates (Debian package ca-certificates): %w", err)
	}
	if err := w.file("etc/ssl/certs/ca-certificates.crt", 0o644, certs); err != nil {
		return nil, err
	}
	if err := addTree(w, src.zoneinfo, "usr/share/zoneinfo"); err != nil {
		return nil, fmt.Errorf("time zones (Debian package tzdata): %w", err)
	}
	if err := w.tw.Close(); err != nil {
		return nil, err
	}
	return layerOf(buf.Bytes())
}

// addTree copies dir into the layer under name: files and symlinks as they are
// (tzdata links zones to each other), without the posix/ and right/ copies Go
// never reads.
func addTree(w tarWriter, dir, name string) error {
	if err := w.dir(name, 0o755); err != nil {
		return err
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == "." {
			return nil
		}
		if d.IsDir() && (rel == "posix" || rel == "right") {
			return filepath.SkipDir
		}
		target := name + "/" + filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			if strings.HasPrefix(link, "posix") || strings.HasPrefix(link, "right") {
				return nil
			}
			return w.symlink(target, link)
		case d.IsDir():
			return w.dir(target, 0o755)
		default:
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return w.file(target, 0o644, b)
		}
	})
}

func layerOf(data []byte) (v1.Layer, error) {
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// appImage puts the binary exe at /app on base.
func appImage(base v1.Layer, exe, arch, app string) (v1.Image, error) {
	b, err := os.ReadFile(exe)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := tarWriter{tar.NewWriter(&buf)}
	if err := w.file("app", 0o755, b); err != nil {
		return nil, err
	}
	if err := w.tw.Close(); err != nil {
		return nil, err
	}
	appLayer, err := layerOf(buf.Bytes())
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.ConfigFile(img, &v1.ConfigFile{
		Architecture: arch,
		OS:           "linux",
		Config: v1.Config{
			User:       user,
			Entrypoint: []string{"/app"},
			WorkingDir: "/",
			Env:        []string{"PATH=/", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"},
			Labels: map[string]string{
				"org.opencontainers.image.title": "ltm/" + app,
			},
		},
		RootFS: v1.RootFS{Type: "layers"},
	})
	if err != nil {
		return nil, err
	}
	return mutate.AppendLayers(img, base, appLayer)
}

// writeLayout replaces dir with an OCI layout holding img, and returns the
// image's digest.
func writeLayout(dir string, img v1.Image, ref string) (string, error) {
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return "", err
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": ref})); err != nil {
		return "", err
	}
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	return d.String(), nil
}
