//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// The browser suite drives the web client in Debian's Chromium (headless)
// against the same booted system as every other e2e test. Every page it
// visits is screenshotted under .data/screenshots/<test>/, checked with
// axe-core (no serious or critical violation) and watched for uncaught
// exceptions and Content-Security-Policy refusals. `make test` installs
// Chromium (`devenv browser`) and axe-core (`npm ci` in tools/e2e/browser)
// before the suite runs.

// tab is one browser (its own profile, so its own cookies) with one tab.
type tab struct {
	t         *testing.T
	ctx       context.Context
	base      string // the gateway, as the browser reaches it
	shots     string // where this test's screenshots go
	downloads string
	n         int // screenshots taken, for ordered file names

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
	checked int // console messages already judged
}

// wait bounds every single step: generous for a 2-core machine running
// eleven services, small enough that a missing hook fails in seconds.
const wait = 20 * time.Second

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript is axe-core as npm installed it from the pinned lockfile.
func axeScript(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		repo, err := repoRoot()
		if err != nil {
			axeErr = err
			return
		}
		b, err := os.ReadFile(filepath.Join(repo, "tools", "e2e", "browser", "node_modules", "axe-core", "axe.min.js"))
		if err != nil {
			axeErr = fmt.Errorf("%w: run `npm ci --prefix tools/e2e/browser` (make test does)", err)
			return
		}
		axeSource = string(b)
	})
	if axeErr != nil {
		t.Fatal(axeErr)
	}
	return axeSource
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium on PATH: run `bin/devenv browser` (make test does), or `apt-get install chromium`")
	return ""
}

// openTab starts a headless Chromium with a window of width×height CSS px.
func openTab(t *testing.T, width, height int) *tab {
	t.Helper()
	repo, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b := &tab{
		t:         t,
		base:      sys.gatewayURL(t),
		shots:     filepath.Join(repo, ".data", "screenshots", sanitize(t.Name())),
		downloads: t.TempDir(),
	}
	// Each run leaves exactly this run's pictures behind.
	if err := os.RemoveAll(b.shots); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.WindowSize(width, height),
		chromedp.UserDataDir(t.TempDir()),
		// The suite runs as root in CI, where Chromium refuses its sandbox.
		chromedp.NoSandbox,
		chromedp.Flag("lang", "ko-KR"),
		chromedp.Flag("hide-scrollbars", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	b.ctx = ctx
	// The first Run starts the browser; it must carry no timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior:      browser.SetDownloadBehaviorBehaviorAllowAndName,
		DownloadPath:  b.downloads,
		EventsEnabled: new(true),
	}); err != nil {
		t.Fatalf("download behaviour: %v", err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			b.screenshot("failed")
			b.mu.Lock()
			for _, m := range b.console {
				t.Logf("console %s (%s:%d)", m, m.URL, m.Line+1)
			}
			b.mu.Unlock()
		}
	})
	return b
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

func sanitize(s string) string { return unsafeName.ReplaceAllString(s, "_") }

// step runs actions, each bounded by wait; a failure stops the test.
func (b *tab) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, wait)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// evalJS evaluates expr in the page. Runtime.evaluate comes from DevTools,
// so it works under the page's strict CSP (chromedp's Poll does not: it
// compiles its predicate with new Function, which the CSP refuses).
func evalJS[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, wait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %.80q: %v", expr, err)
	}
	return v
}

// waitFor polls expr (a boolean JavaScript expression) until it is true.
func (b *tab) waitFor(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, wait)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("Boolean("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: not within %s (last error: %v)", what, wait, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// visit opens path and waits until the page has rendered (docs/web.md's
// hooks): its heading or the not-found page is there and no loading state
// is left.
func (b *tab) visit(path string) {
	b.t.Helper()
	b.step("open "+path, chromedp.Navigate(b.base+path))
	b.settle(path)
}

func (b *tab) settle(what string) {
	b.t.Helper()
	b.waitFor(what+" renders", `document.readyState === "complete" &&
		document.querySelector("#main > :not([data-e2e-left])") !== null &&
		document.querySelector("#page-title, #not-found") !== null &&
		document.querySelector("[data-testid=loading], [aria-busy=true]") === null`)
}

// moving runs act (a click, a submit) that takes the client to another
// page without a reload, and waits until that page has rendered at a path
// matching the regular expression path. The page being left is marked
// first, so its heading cannot pass for the new page's.
func (b *tab) moving(path string, act func()) {
	b.t.Helper()
	evalJS[chromedp.Void](b, `for (const el of document.querySelectorAll("#main > *")) el.dataset.e2eLeft = "1"`)
	act()
	b.waitFor("arrive at "+path, "new RegExp("+jsString(path)+").test(location.pathname)")
	b.settle(path)
}

// navigate moves to path inside the client as its own links do (history and
// popstate, no reload: the session lives in memory).
func (b *tab) navigate(path string) {
	b.t.Helper()
	b.moving("^"+regexp.QuoteMeta(strings.SplitN(path, "?", 2)[0])+"$", func() {
		evalJS[chromedp.Void](b, `history.pushState(null, "", `+jsString(path)+`); dispatchEvent(new PopStateEvent("popstate"))`)
	})
}

// click clicks the first element matching the CSS selector, as a mouse does.
func (b *tab) click(sel string) {
	b.t.Helper()
	b.step("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// fill sets the named fields of the form (text, date, time, select; "true"
// or "false" for a checkbox) and fires the events a person's typing would.
func (b *tab) fill(form string, values map[string]string) {
	b.t.Helper()
	enc, err := json.Marshal(values)
	if err != nil {
		b.t.Fatal(err)
	}
	missing := evalJS[[]string](b, `(() => {
		const form = document.querySelector(`+jsString(form)+`);
		if (!form) return ["the form itself"];
		const missing = [];
		for (const [name, value] of Object.entries(`+string(enc)+`)) {
			const el = form.elements.namedItem(name);
			if (!el) { missing.push(name); continue; }
			if (el.type === "checkbox") el.checked = value === "true";
			else el.value = value;
			el.dispatchEvent(new Event("input", {bubbles: true}));
			el.dispatchEvent(new Event("change", {bubbles: true}));
		}
		return missing;
	})()`)
	if len(missing) > 0 {
		b.t.Fatalf("%s lacks %v", form, missing)
	}
}

// text is the rendered text of the first element matching sel ("" when none).
func (b *tab) text(sel string) string {
	b.t.Helper()
	return evalJS[string](b, `(document.querySelector(`+jsString(sel)+`) || {innerText: ""}).innerText`)
}

// upload chooses file in the file input sel, as the file picker would.
func (b *tab) upload(sel, file string) {
	b.t.Helper()
	b.step("choose "+filepath.Base(file), chromedp.SetUploadFiles(chromedp.CSS(sel), []string{file}, chromedp.NodeReady))
}

// count is the number of elements matching sel.
func (b *tab) count(sel string) int {
	b.t.Helper()
	return evalJS[int](b, `document.querySelectorAll(`+jsString(sel)+`).length`)
}

// attr is an attribute of the first element matching sel ("" when none).
func (b *tab) attr(sel, name string) string {
	b.t.Helper()
	return evalJS[string](b, `(document.querySelector(`+jsString(sel)+`)?.getAttribute(`+jsString(name)+`)) ?? ""`)
}

// html is the whole document as it is now.
func (b *tab) html() string {
	b.t.Helper()
	return evalJS[string](b, `document.documentElement.outerHTML`)
}

func jsString(s string) string {
	enc, _ := json.Marshal(s)
	return string(enc)
}

// screenshot saves the whole page as the next numbered PNG.
func (b *tab) screenshot(label string) {
	b.n++
	ctx, cancel := context.WithTimeout(b.ctx, wait)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", label, err)
		return
	}
	name := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, sanitize(label)))
	if err := os.WriteFile(name, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", label, err)
	}
}

// check is what every page gets: a screenshot, axe-core, and a clean console.
func (b *tab) check(label string) {
	b.t.Helper()
	b.screenshot(label)
	b.cleanConsole(label)
	b.axe(label)
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// axe runs axe-core's default rule set on the page as it is now and fails
// on any serious or critical violation.
func (b *tab) axe(label string) {
	b.t.Helper()
	if !evalJS[bool](b, `typeof window.axe === "object"`) {
		evalJS[chromedp.Void](b, axeScript(b.t)+"\n;undefined")
	}
	raw := evalJS[[]byte](b, `axe.run(document, {resultTypes: ["violations"], preload: false}).then(r => JSON.stringify(r.violations))`)
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		b.t.Fatalf("axe on %s: %v: %s", label, err, raw)
	}
	var violations []axeViolation
	if err := json.Unmarshal([]byte(s), &violations); err != nil {
		b.t.Fatalf("axe on %s: %v", label, err)
	}
	for _, v := range violations {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for i, n := range v.Nodes {
			if i == 3 {
				where = append(where, fmt.Sprintf("… %d more", len(v.Nodes)-3))
				break
			}
			where = append(where, fmt.Sprintf("%v %.120s", n.Target, n.HTML))
		}
		b.t.Errorf("axe on %s: %s (%s): %s\n\t%s", label, v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
	}
}

// cleanConsole fails on what the page got wrong since the last check:
// uncaught exceptions, CSP refusals and its own files (/assets/, /fonts/)
// failing to load. Refused API calls are the client's business (a
// 401 before sign-in is expected); messages without a URL come from what
// the test evaluated itself (axe-core), not from the page.
func (b *tab) cleanConsole(label string) {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console[b.checked:] {
		if pageFault(m, b.base) {
			b.t.Errorf("console on %s: %s (%s:%d)", label, m, m.URL, m.Line+1)
		}
	}
	b.checked = len(b.console)
}

func pageFault(m chromedp.ConsoleMessage, base string) bool {
	if m.URL == "" {
		return false
	}
	if m.IsException() || strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "MIME type") {
		return true
	}
	// The client's own files; a page URL may answer 404 on purpose (the
	// not-found page), and Chromium asks for /favicon.ico by itself.
	own := strings.HasPrefix(m.URL, base+"/assets/") || strings.HasPrefix(m.URL, base+"/fonts/")
	return m.Source == "network" && own
}

// noHorizontalScroll fails when the page is wider than the window.
func (b *tab) noHorizontalScroll(label string) {
	b.t.Helper()
	var size struct{ Scroll, Inner int }
	raw := evalJS[[]byte](b, `JSON.stringify({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth})`)
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		err = json.Unmarshal([]byte(s), &size)
	}
	if size.Inner == 0 {
		b.t.Fatalf("%s: cannot read the page width: %s", label, raw)
	}
	if size.Scroll > size.Inner {
		b.t.Errorf("%s scrolls sideways at %d px: the page is %d px wide", label, size.Inner, size.Scroll)
	}
}

// download waits for the next finished download and returns its bytes.
func (b *tab) download(what string, trigger ...chromedp.Action[chromedp.Void]) []byte {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, wait)
	defer cancel()
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, trigger...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("%s: no finished download: %v", what, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			data, err := os.ReadFile(filepath.Join(b.downloads, ev.GUID))
			if err != nil {
				b.t.Fatalf("%s: %v", what, err)
			}
			return data
		case browser.DownloadProgressStateCanceled:
			b.t.Fatalf("%s: the download was cancelled", what)
		}
	}
	b.t.Fatalf("%s: no download", what)
	return nil
}

// TestBrowserHome is the harness on the page every visitor sees first.
func TestBrowserHome(t *testing.T) {
	b := openTab(t, 1280, 900)
	b.visit("/")
	b.check("home")
	b.noHorizontalScroll("home")
}
