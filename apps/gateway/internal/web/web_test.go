package web_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lettertomyself/ltm/apps/gateway/internal/web"
)

func do(t *testing.T, method, path string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	web.Handler().ServeHTTP(rec, req)
	return rec
}

func TestPagesAnswerTheShell(t *testing.T) {
	for _, p := range []string{"/", "/signup", "/login", "/write", "/letters", "/letters/0b8f3c1e-2f7a-4f0e-9d0a-1c2b3d4e5f60", "/routines", "/me", "/settings", "/notifications"} {
		rec := do(t, http.MethodGet, p, nil)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", p, rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type %q", p, ct)
		}
		if !strings.Contains(rec.Body.String(), `<script type="module" src="/assets/app.js">`) {
			t.Errorf("GET %s: not the app shell", p)
		}
		if rec.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: the shell must be revalidated", p)
		}
	}
}

func TestUnknownPathsAnswer404(t *testing.T) {
	cases := []struct {
		name, method, path, contentType string
		status                          int
	}{
		{"unknown page", http.MethodGet, "/no-such-page", "text/html", http.StatusNotFound},
		{"below a letter", http.MethodGet, "/letters/x/y", "text/html", http.StatusNotFound},
		{"missing asset", http.MethodGet, "/assets/nope.js", "text/html", http.StatusNotFound},
		{"api path", http.MethodGet, "/api/nothing", "application/problem+json", http.StatusNotFound},
		{"api post", http.MethodPost, "/api/nothing", "application/problem+json", http.StatusNotFound},
		{"internal path", http.MethodGet, "/internal/status", "application/problem+json", http.StatusNotFound},
		{"post to a page", http.MethodPost, "/letters", "application/problem+json", http.StatusMethodNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, tc.method, tc.path, nil)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
				t.Errorf("Content-Type %q, want %s", ct, tc.contentType)
			}
		})
	}
}

func TestTrailingSlashRedirects(t *testing.T) {
	rec := do(t, http.MethodGet, "/letters/", nil)
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/letters" {
		t.Errorf("GET /letters/ = %d to %q, want 301 to /letters", rec.Code, rec.Header().Get("Location"))
	}
	if rec := do(t, http.MethodGet, "/nope/", nil); rec.Code != http.StatusNotFound {
		t.Errorf("GET /nope/ = %d, want 404", rec.Code)
	}
}

func TestAssetsAndFonts(t *testing.T) {
	cases := []struct{ path, contentType, cache string }{
		{"/assets/app.js", "text/javascript", "no-cache"},
		{"/assets/app.css", "text/css", "no-cache"},
		{"/fonts/fonts.css", "text/css", "public, max-age=604800"},
		{"/fonts/gaegu-latin-400-normal.woff2", "font/woff2", "public, max-age=604800"},
	}
	for _, tc := range cases {
		rec := do(t, http.MethodGet, tc.path, nil)
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), tc.contentType) {
			t.Errorf("GET %s = %d %q, want 200 %s", tc.path, rec.Code, rec.Header().Get("Content-Type"), tc.contentType)
		}
		if got := rec.Header().Get("Cache-Control"); got != tc.cache {
			t.Errorf("GET %s: Cache-Control %q, want %q", tc.path, got, tc.cache)
		}
		etag := rec.Header().Get("ETag")
		if etag == "" {
			t.Fatalf("GET %s: no ETag", tc.path)
		}
		again := do(t, http.MethodGet, tc.path, http.Header{"If-None-Match": {etag}})
		if again.Code != http.StatusNotModified {
			t.Errorf("GET %s with its ETag = %d, want 304", tc.path, again.Code)
		}
	}
}

// The client is plain ES modules with no build step: nothing but a browser
// would notice an import of a missing file or name, and one such import
// breaks every page. This reads the sources as the browser would link them.
var (
	importRe = regexp.MustCompile(`(?s)import\s*\{([^}]*)\}\s*from\s*"([^"]+)"`)
	exportRe = regexp.MustCompile(`export\s+(?:async\s+)?(?:function|const|let|class)\s+([A-Za-z_$][\w$]*)`)
)

func TestModulesLink(t *testing.T) {
	files, err := filepath.Glob("static/assets/*.js")
	if err != nil {
		t.Fatal(err)
	}
	pages, _ := filepath.Glob("static/assets/pages/*.js")
	files = append(files, pages...)
	if len(files) < 10 {
		t.Fatalf("found %d modules, want the whole client", len(files))
	}
	exports := map[string]map[string]bool{}
	exportsOf := func(path string) map[string]bool {
		if e, ok := exports[path]; ok {
			return e
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		e := map[string]bool{}
		for _, m := range exportRe.FindAllStringSubmatch(string(b), -1) {
			e[m[1]] = true
		}
		exports[path] = e
		return e
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range importRe.FindAllStringSubmatch(string(src), -1) {
			target := filepath.Join(filepath.Dir(f), m[2])
			e := exportsOf(target)
			if e == nil {
				t.Errorf("%s imports %s: no such module", f, m[2])
				continue
			}
			// The browser asks the gateway for it: it must be served too.
			url := "/" + strings.TrimPrefix(filepath.ToSlash(target), "static/")
			if rec := do(t, http.MethodGet, url, nil); rec.Code != http.StatusOK {
				t.Errorf("%s imports %s: GET %s = %d", f, m[2], url, rec.Code)
			}
			for _, name := range strings.Split(m[1], ",") {
				if name = strings.TrimSpace(name); name != "" && !e[name] {
					t.Errorf("%s imports %s from %s, which does not export it", f, name, m[2])
				}
			}
		}
	}
}

// Every string key the client uses must exist in both dictionaries, so no
// page mixes languages or shows a raw key.
func TestDictionariesHoldEveryKey(t *testing.T) {
	src, err := os.ReadFile("static/assets/i18n.js")
	if err != nil {
		t.Fatal(err)
	}
	ko, en := dictionary(t, string(src), "ko"), dictionary(t, string(src), "en")
	for k := range ko {
		if !en[k] {
			t.Errorf("%q is in Korean only", k)
		}
	}
	for k := range en {
		if !ko[k] {
			t.Errorf("%q is in English only", k)
		}
	}
	namespaces := map[string]bool{}
	for k := range ko {
		namespaces[k[:strings.Index(k, ".")]] = true
	}
	files, _ := filepath.Glob("static/assets/*.js")
	pages, _ := filepath.Glob("static/assets/pages/*.js")
	used := regexp.MustCompile(`"([a-zA-Z]+)\.([a-zA-Z_.]+)"`)
	prefix := regexp.MustCompile("t\\(`([a-zA-Z]+\\.[a-zA-Z_.]*)\\$\\{")
	for _, f := range append(files, pages...) {
		if strings.HasSuffix(f, "i18n.js") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if key := m[1] + "." + m[2]; namespaces[m[1]] && !strings.HasSuffix(key, ".js") && !ko[key] {
				t.Errorf("%s uses %q, which no dictionary holds", f, key)
			}
		}
		// Keys built at run time (t(`letters.tab.${name}`)): at least one
		// key must complete the prefix.
		for _, m := range prefix.FindAllStringSubmatch(string(b), -1) {
			found := false
			for k := range ko {
				found = found || strings.HasPrefix(k, m[1])
			}
			if !found {
				t.Errorf("%s builds keys under %q, which no dictionary holds", f, m[1])
			}
		}
	}
}

// dictionary reads the keys of `const name = { "key": "…", … };`.
func dictionary(t *testing.T, src, name string) map[string]bool {
	t.Helper()
	start := strings.Index(src, "const "+name+" = {")
	if start < 0 {
		t.Fatalf("no dictionary %s", name)
	}
	body := src[start:]
	body = body[:strings.Index(body, "\n};")]
	keys := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*"([^"]+)":`).FindAllStringSubmatch(body, -1) {
		keys[m[1]] = true
	}
	if len(keys) < 100 {
		t.Fatalf("dictionary %s has %d keys", name, len(keys))
	}
	return keys
}

// User text reaches the page as text, and the CSP forbids inline script and
// style: no module may parse HTML or set a style, and the shell has no
// inline script, style or handler.
func TestNoHTMLParsingOrInlineStyle(t *testing.T) {
	forbidden := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\.style\b|["']style["']|style=|new Function|\beval\(`)
	files, _ := filepath.Glob("static/assets/*.js")
	pages, _ := filepath.Glob("static/assets/pages/*.js")
	for _, f := range append(append(files, pages...), "static/index.html") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := forbidden.FindString(line); m != "" {
				t.Errorf("%s:%d uses %s", f, i+1, m)
			}
		}
	}
	shell, _ := os.ReadFile("static/index.html")
	if s := string(shell); regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]|<style|\son[a-z]+=`).MatchString(s) {
		t.Error("index.html has an inline script, style or event handler")
	}
}
