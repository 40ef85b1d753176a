// Package web serves the web client embedded in the gateway binary: one
// HTML shell for every page URL (the browser renders the page from
// /assets/*.js), the static assets and the self-hosted fonts.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/problem"
)

//go:embed static
var files embed.FS

// pages are the client's URLs (architecture.md, "Web client"). Each
// answers the shell with 200; any other path outside /api/ answers the
// same shell with 404, and the client shows its not-found page.
var pages = map[string]bool{
	"/": true, "/signup": true, "/login": true, "/write": true, "/letters": true,
	"/routines": true, "/me": true, "/settings": true, "/notifications": true,
}

// letterPage is /letters/{id}; anything deeper is not a page.
var letterPage = regexp.MustCompile(`^/letters/[0-9A-Za-z-]{1,64}$`)

// IsPage reports whether p is one of the client's page URLs.
func IsPage(p string) bool {
	return pages[p] || letterPage.MatchString(p)
}

type asset struct {
	body []byte
	etag string
}

// Handler serves the client. The assets are ES modules loaded without a
// build step, so their names carry no version: they are revalidated on
// every load (cheap, by ETag) so that a release never mixes old and new
// modules. Fonts do not change between releases and may be cached.
func Handler() http.Handler {
	root, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory exists
	}
	assets := map[string]asset{}
	err = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		assets["/"+p] = asset{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		panic(err) // embedded files are readable by construction
	}
	shell := assets["/index.html"]

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if strings.HasPrefix(p, "/api/") || p == "/api" || strings.HasPrefix(p, "/internal/") || p == "/internal" {
			// The router sends /api/* to the services and never routes
			// /internal/*; this guard keeps both from answering with a page,
			// so a machine client always gets a problem.
			problem.Write(w, problem.New(http.StatusNotFound, "There is nothing at "+p+"."))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			problem.Write(w, problem.New(http.StatusMethodNotAllowed, r.Method+" is not allowed on "+p+"."))
			return
		}
		h := w.Header()
		if a, ok := assets[p]; ok && (strings.HasPrefix(p, "/assets/") || strings.HasPrefix(p, "/fonts/")) {
			if strings.HasPrefix(p, "/fonts/") {
				h.Set("Cache-Control", "public, max-age=604800")
			} else {
				h.Set("Cache-Control", "no-cache")
			}
			h.Set("ETag", a.etag)
			serve(w, r, path.Base(p), a)
			return
		}
		if trimmed := strings.TrimSuffix(p, "/"); trimmed != p && trimmed != "" && IsPage(trimmed) {
			// /letters/ is /letters typed with a slash: one URL per page.
			http.Redirect(w, r, trimmed, http.StatusMovedPermanently)
			return
		}
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Type", "text/html; charset=utf-8")
		if !IsPage(p) {
			w.WriteHeader(http.StatusNotFound)
			if r.Method == http.MethodGet {
				_, _ = w.Write(shell.body)
			}
			return
		}
		h.Set("ETag", shell.etag)
		serve(w, r, "index.html", shell)
	})
}

// serve answers a, with conditional requests (If-None-Match → 304).
// ServeContent writes its status itself, over the 404 the router presets
// for paths it has no route for.
func serve(w http.ResponseWriter, r *http.Request, name string, a asset) {
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}
