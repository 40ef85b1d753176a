package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// result is .data/bench/latest.json: exactly the keys issue 17 names. A
// figure not measured in this run (P3 and P5 against a running system) is
// null.
type result struct {
	FloorP99Ms     *float64 `json:"floor_p99_ms"`
	FloorRPS       *float64 `json:"floor_rps"`
	P1P50Ms        *float64 `json:"p1_p50_ms"`
	P1P99Ms        *float64 `json:"p1_p99_ms"`
	P1Errors       *float64 `json:"p1_errors"`
	P1RPS          *float64 `json:"p1_rps"`
	P2RPS          *float64 `json:"p2_rps"`
	P3Seconds      *float64 `json:"p3_seconds"`
	P3Duplicates   *float64 `json:"p3_duplicates"`
	P4LettersPerS  *float64 `json:"p4_letters_per_s"`
	P4VisibleP95Ms *float64 `json:"p4_visible_p95_ms"`
	P5BootS        *float64 `json:"p5_boot_s"`
	P5RSSMB        *float64 `json:"p5_rss_mb"`
	RecP50Ms       *float64 `json:"rec_p50_ms"`
	RecP99Ms       *float64 `json:"rec_p99_ms"`
}

func num(v float64) *float64 { return &v }

// row is one line of the printed table.
type row struct {
	what, value, floor, target string
	ratio                      float64 // 0: no ratio to the floor
}

// table prints every figure with its ratio to the floor and its target.
func table(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\tfloor\tratio\ttarget")
	for _, r := range rows {
		ratio := ""
		if r.ratio > 0 {
			ratio = fmt.Sprintf("%.2f×", r.ratio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.what, r.value, r.floor, ratio, r.target)
	}
	_ = tw.Flush()
}

// writeJSON writes the result to path, creating its directory.
func writeJSON(path string, r result) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// lettersPerSecond reads the lowest "letters/s" figure of `go test -bench`
// output: the analyzer's speed on its slowest evaluation part.
func lettersPerSecond(out io.Reader) (float64, error) {
	best := 0.0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !strings.HasPrefix(f[0], "BenchmarkAnalyze") {
			continue
		}
		for i := 1; i < len(f); i++ {
			if f[i] != "letters/s" {
				continue
			}
			v, err := strconv.ParseFloat(f[i-1], 64)
			if err != nil {
				return 0, fmt.Errorf("letters/s %q: %w", f[i-1], err)
			}
			if best == 0 || v < best {
				best = v
			}
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if best == 0 {
		return 0, errors.New("no letters/s in the benchmark output")
	}
	return best, nil
}

// percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
