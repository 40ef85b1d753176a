// Command bench measures the whole system against the bare Dapr floor in
// the same run (issue 17): two bare sidecars invoking an echo app, then the
// product's paths through the gateway of an isolated system it boots (or of
// a running one with -target). It prints one table and writes
// .data/bench/latest.json. Run it under the e2e lock: it boots sidecars on
// shifted ports, as the e2e suite does.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/launch"
	"github.com/lettertomyself/ltm/tools/internal/world"
)

// size is how much a run does: quick (under 5 minutes) or full.
type size struct {
	window                          time.Duration // each attack at a fixed rate
	saturate                        time.Duration // each saturated attack
	listUsers, postUsers, openUsers int
	openPer, moodSamples            int
}

var (
	quick = size{window: 30 * time.Second, saturate: 10 * time.Second,
		listUsers: 30, postUsers: 10, openUsers: 100, openPer: 10, moodSamples: 20}
	full = size{window: 30 * time.Second, saturate: 30 * time.Second,
		listUsers: 100, postUsers: 20, openUsers: 1000, openPer: 10, moodSamples: 100}
)

const (
	listRate    = 300 // P1 and the floor
	recRate     = 100 // P0
	lettersEach = 20  // P1's users
	postWorkers = 16  // P2, as measured in the issue
)

func main() {
	fullRun := flag.Bool("full", false, "P3 with 10,000 letters (1,000 users), longer saturated attacks")
	target := flag.String("target", "", "gateway of a running system (`make run`: http://127.0.0.1:8080) instead of booting one; P3 and P5 are skipped")
	out := flag.String("out", "", "JSON result (default <repo>/.data/bench/latest.json)")
	profile := flag.String("profile", "", "comma-separated app ids: CPU profiles of them during P0, P1 at rate and P2, in .data/bench/profiles as <app>-<phase>.pprof (booted system only)")
	flag.Parse()
	repo, err := world.RepoRoot()
	if err != nil {
		fatal(err)
	}
	if *out == "" {
		*out = filepath.Join(repo, ".data", "bench", "latest.json")
	}
	sz := quick
	if *fullRun {
		sz = full
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	var apps []string
	if *profile != "" {
		apps = strings.Split(*profile, ",")
	}
	say("load average before: %s", loadAverage())
	r, rows, err := run(ctx, repo, *target, sz, apps)
	rows = append(rows, row{what: "load average (1, 5, 15 min) at the end", value: loadAverage()})
	table(os.Stdout, rows)
	if werr := writeJSON(*out, r); werr != nil {
		fatal(werr)
	}
	fmt.Println("written", *out)
	if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// run measures everything it can and returns what it measured with the
// first error; the figures before an error are still worth printing.
func run(ctx context.Context, repo, target string, sz size, profiled []string) (result, []row, error) {
	var r result
	var rows []row
	daprd := filepath.Join(repo, "bin", "daprd")

	// The analyzer first, on a quiet machine.
	say("P4 analyzer on one core")
	lps, err := analyzerSpeed(ctx, repo)
	if err != nil {
		return r, rows, err
	}
	r.P4LettersPerS = num(lps)

	say("floor: two bare sidecars, 1 KB echo")
	fl, flSat, err := floor(ctx, daprd, listRate, sz.window)
	if err != nil {
		return r, rows, err
	}
	r.FloorP99Ms, r.FloorRPS = num(ms(fl.P99)), num(flSat.RPS)
	rows = append(rows,
		row{what: fmt.Sprintf("floor p50 / p99 at %d/s", listRate), value: fmt.Sprintf("%.1f / %.1f ms", ms(fl.P50), ms(fl.P99)), floor: "—"},
		row{what: "floor saturated", value: fmt.Sprintf("%.0f req/s", flSat.RPS), floor: "—"})

	gw := target
	var sys *world.System
	pids := map[string]int{} // the booted system's processes, for CPU per request
	var profiles map[string]int
	if target == "" {
		say("booting an isolated system")
		// All of the tool's users come from one address.
		env := map[string]map[string]string{"gateway": {"AUTH_RATE_PER_MINUTE": "1000000", "AUTH_RATE_BURST": "10000"}}
		if profiles, err = pprofPorts(env, profiled); err != nil {
			return r, rows, err
		}
		start := time.Now()
		sys, err = world.Boot(ctx, world.Options{
			Repo: repo, DaprdPath: daprd, Prefix: "bench",
			Env:    env,
			Launch: launch.Options{ReadyTimeout: 4 * time.Minute},
		})
		if sys != nil {
			defer func() {
				stop, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				sys.Close(stop, filepath.Join(repo, ".data", "bench", "logs"))
			}()
		}
		if err != nil {
			return r, rows, fmt.Errorf("boot: %w", err)
		}
		boot := time.Since(start).Seconds()
		// Idle: give the apps a moment after their first health checks.
		time.Sleep(5 * time.Second)
		apps, sidecars, err := idleRSS(sys.Launch.PIDs())
		if err != nil {
			return r, rows, err
		}
		r.P5BootS, r.P5RSSMB = num(boot), num(apps)
		rows = append(rows,
			row{what: "P5 warm boot, every sidecar healthy", value: fmt.Sprintf("%.1f s", boot), target: "≤ 30 s"},
			row{what: "P5 idle RSS apps (sidecars)", value: fmt.Sprintf("%.0f MB (%.0f MB)", apps, sidecars), target: "apps ≤ 300 MB"})
		gw, _ = sys.GatewayURL()
		pids = sys.Launch.PIDs()
	}

	say("signing up users")
	listers, err := newUsers(ctx, gw, "list", sz.listUsers)
	if err != nil {
		return r, rows, err
	}
	posters, err := newUsers(ctx, gw, "post", sz.postUsers)
	if err != nil {
		return r, rows, err
	}
	say("writing %d letters each for %d users", lettersEach, len(listers))
	if _, err := writeLetters(ctx, gw, listers, lettersEach, time.Now().AddDate(1, 0, 0)); err != nil {
		// Seeding is not measured; the refusals are a finding worth showing.
		say("P1 seeding: %v", err)
	}

	profDir := filepath.Join(repo, ".data", "bench", "profiles")
	if sys != nil {
		// The seeding's events (analyses, mood records) would otherwise
		// still be running during P0 and P1.
		if d, err := drained(sys.W.Vhost, 2*time.Minute); err != nil {
			say("seeding's events: %v", err)
		} else {
			say("seeding's events drained %.1f s after", d.Seconds())
		}
	}
	say("P0 recommendations at %d/s", recRate)
	done := cpuProfiles(profDir, "p0", profiles, sz.saturate/2)
	cpu := startCPU(pids)
	p0 := attack("p0", bearerTargets(http.MethodGet, gw+"/api/recommendations", nil, tokens(listers)), recRate, sz.saturate, 0)
	cpu.report("P0", p0.Requests-p0.Errors)
	if err := done(); err != nil {
		return r, rows, err
	}
	r.RecP50Ms, r.RecP99Ms = num(ms(p0.P50)), num(ms(p0.P99))
	rows = append(rows, row{what: fmt.Sprintf("P0 GET /api/recommendations p50 / p99 at %d/s", recRate),
		value: fmt.Sprintf("%.1f / %.1f ms (%d errors)", ms(p0.P50), ms(p0.P99), p0.Errors), floor: fmt.Sprintf("%.1f ms", ms(fl.P99)), ratio: ratio(ms(p0.P99), ms(fl.P99))})

	say("P1 letter list at %d/s and saturated", listRate)
	list := bearerTargets(http.MethodGet, gw+"/api/letters", nil, tokens(listers))
	done = cpuProfiles(profDir, "p1", profiles, sz.window/2)
	cpu = startCPU(pids)
	p1 := attack("p1", list, listRate, sz.window, 0)
	cpu.report("P1 at rate", p1.Requests-p1.Errors)
	if err := done(); err != nil {
		return r, rows, err
	}
	cpu = startCPU(pids)
	p1Sat := attack("p1-saturated", list, 0, sz.saturate, saturatedWorkers)
	cpu.report("P1 saturated", p1Sat.Requests-p1Sat.Errors)
	r.P1P50Ms, r.P1P99Ms, r.P1Errors, r.P1RPS = num(ms(p1.P50)), num(ms(p1.P99)), num(float64(p1.Errors)), num(p1Sat.RPS)
	rows = append(rows,
		row{what: fmt.Sprintf("P1 GET /api/letters p50 at %d/s", listRate), value: fmt.Sprintf("%.1f ms", ms(p1.P50)), floor: fmt.Sprintf("%.1f ms", ms(fl.P50)), ratio: ratio(ms(p1.P50), ms(fl.P50))},
		row{what: fmt.Sprintf("P1 GET /api/letters p99 at %d/s", listRate), value: fmt.Sprintf("%.1f ms (%d errors)", ms(p1.P99), p1.Errors), floor: fmt.Sprintf("%.1f ms", ms(fl.P99)), ratio: ratio(ms(p1.P99), ms(fl.P99)), target: "≤ 2× floor, 0 errors"},
		row{what: "P1 saturated", value: fmt.Sprintf("%.0f req/s", p1Sat.RPS), floor: fmt.Sprintf("%.0f req/s", flSat.RPS), ratio: ratio(p1Sat.RPS, flSat.RPS), target: "≥ 0.5× floor"})

	say("P2 letter writes, %d at a time", postWorkers)
	post := bearerTargets(http.MethodPost, gw+"/api/letters",
		mustJSON(letterBody("내년의 나에게", "오늘은 조금 지쳤지만 그래도 고마운 하루였어.", time.Now().AddDate(1, 0, 0))), tokens(posters))
	done = cpuProfiles(profDir, "p2", profiles, sz.saturate/2)
	cpu = startCPU(pids)
	p2 := attack("p2", post, 0, sz.saturate, postWorkers)
	cpu.report("P2 (the writes alone)", p2.Requests-p2.Errors)
	if err := done(); err != nil {
		return r, rows, err
	}
	r.P2RPS = num(p2.RPS)
	drain := "not checked (running system)"
	if sys != nil {
		d, err := drained(sys.W.Vhost, time.Minute)
		if err != nil {
			drain = err.Error()
		} else {
			drain = fmt.Sprintf("events drained %.1f s after", d.Seconds())
		}
		cpu.report("P2 with the events it caused, until drained", p2.Requests-p2.Errors)
	}
	rows = append(rows,
		row{what: "P2 POST /api/letters saturated", value: fmt.Sprintf("%.0f req/s (%d errors)", p2.RPS, p2.Errors), floor: fmt.Sprintf("%.0f req/s", flSat.RPS), ratio: ratio(p2.RPS, flSat.RPS), target: "≥ 0.15× floor"},
		row{what: "P2 p99; " + drain, value: fmt.Sprintf("%.1f ms", ms(p2.P99)), floor: fmt.Sprintf("%.1f ms", ms(fl.P99)), ratio: ratio(ms(p2.P99), ms(fl.P99)), target: "≤ 10× floor, drained ≤ 60 s"})

	say("P4 time to mood, %d letters", sz.moodSamples)
	vis, err := moodVisible(ctx, gw, posters[0], sz.moodSamples)
	if err != nil {
		return r, rows, err
	}
	r.P4VisibleP95Ms = num(ms(percentile(vis, 0.95)))
	rows = append(rows,
		row{what: "P4 analyzer, one core (slowest evaluation part)", value: fmt.Sprintf("%.0f letters/s", lps), target: "≥ 5,000"},
		row{what: "P4 mood visible p50 / p95", value: fmt.Sprintf("%.0f / %.0f ms", ms(percentile(vis, 0.5)), ms(percentile(vis, 0.95))), target: "p95 ≤ 2,000 ms"})

	if sys == nil {
		say("P3 and P5 need the tool's own system: skipped with -target")
		return r, rows, nil
	}
	say("P3: %d users", sz.openUsers)
	openers, err := newUsers(ctx, gw, "open", sz.openUsers)
	if err != nil {
		return r, rows, err
	}
	secs, dups, err := opened(ctx, gw, sys.SMTP, openers, sz.openPer, 5*time.Minute)
	r.P3Duplicates = num(float64(dups))
	if err != nil {
		return r, rows, err
	}
	r.P3Seconds = num(secs)
	rows = append(rows, row{what: fmt.Sprintf("P3 %d letters opening in one minute: all mailed", sz.openUsers*sz.openPer),
		value: fmt.Sprintf("%.1f s, %d duplicates", secs, dups), target: "≤ 30 s per 10,000, 0 duplicates"})
	return r, rows, nil
}

func ratio(v, floor float64) float64 {
	if floor == 0 {
		return 0
	}
	return v / floor
}

// analyzerSpeed runs the analyzer's own benchmark on one core; the tool
// imports nothing of the apps.
func analyzerSpeed(ctx context.Context, repo string) (float64, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "BenchmarkAnalyze", "-cpu", "1", "./apps/emotion-ml/internal/analyzer")
	cmd.Dir = repo
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("analyzer benchmark: %w: %s", err, out.Bytes())
	}
	return lettersPerSecond(&out)
}

// loadAverage is /proc/loadavg's first three figures: the machine is
// shared, and the ratios to the floor are read with it in mind.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
