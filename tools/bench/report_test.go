package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The JSON carries exactly the keys issue 17 names, null where a figure
// was not measured.
func TestResultKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench", "latest.json")
	if err := writeJSON(path, result{FloorRPS: num(4495)}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := []string{"floor_p99_ms", "floor_rps", "p1_p50_ms", "p1_p99_ms", "p1_errors", "p1_rps", "p2_rps",
		"p3_seconds", "p3_duplicates", "p4_letters_per_s", "p4_visible_p95_ms", "p5_boot_s", "p5_rss_mb",
		"rec_p50_ms", "rec_p99_ms"}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	if got["floor_rps"] != 4495.0 || got["p1_rps"] != nil {
		t.Errorf("floor_rps %v, p1_rps %v: want 4495 and null", got["floor_rps"], got["p1_rps"])
	}
}

func TestLettersPerSecondTakesTheSlowestPart(t *testing.T) {
	out := `goos: linux
BenchmarkAnalyze/holdout         	   45916	     22635 ns/op	     44179 letters/s	    3249 B/op	      13 allocs/op
--- BENCH: BenchmarkAnalyze/holdout
    bench_test.go:13: holdout accuracy 0.9
BenchmarkAnalyze/tune            	   58491	     33212 ns/op	     30110 letters/s	    3117 B/op	      14 allocs/op
BenchmarkAnalyze/fresh           	   37914	     29904 ns/op	     33440 letters/s	    2942 B/op	      12 allocs/op
PASS
`
	got, err := lettersPerSecond(strings.NewReader(out))
	if err != nil || got != 30110 {
		t.Errorf("lettersPerSecond = %v, %v; want 30110", got, err)
	}
	if _, err := lettersPerSecond(strings.NewReader("PASS\n")); err == nil {
		t.Error("no benchmark lines: want an error")
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 20; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(d, 0.95); p != 19*time.Millisecond {
		t.Errorf("p95 of 1..20 ms = %s, want 19ms", p)
	}
	if p := percentile(d, 0.5); p != 10*time.Millisecond {
		t.Errorf("p50 of 1..20 ms = %s, want 10ms", p)
	}
	if p := percentile(nil, 0.5); p != 0 {
		t.Errorf("p50 of nothing = %s", p)
	}
}
