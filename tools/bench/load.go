package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// load is what one attack measured.
type load struct {
	P50, P95, P99 time.Duration
	RPS           float64 // successful requests per second
	Requests      uint64
	Errors        uint64 // non-2xx answers and transport errors
}

// saturatedWorkers is the fixed concurrency of every saturated attack, the
// floor's included, so their ratio compares like with like.
const saturatedWorkers = 32

// attack sends targets round-robin at rate per second for d; rate 0 means
// as fast as workers allow.
func attack(name string, targets []vegeta.Target, rate int, d time.Duration, workers uint64) load {
	opts := []func(*vegeta.Attacker){
		vegeta.KeepAlive(true),
		vegeta.Timeout(30 * time.Second),
		vegeta.Connections(int(max(workers, 64))),
	}
	r := vegeta.Rate{Freq: rate, Per: time.Second}
	if rate == 0 {
		opts = append(opts, vegeta.Workers(workers), vegeta.MaxWorkers(workers))
	}
	a := vegeta.NewAttacker(opts...)
	var m vegeta.Metrics
	for res := range a.Attack(vegeta.NewStaticTargeter(targets...), r, d, name) {
		m.Add(res)
	}
	m.Close()
	var errs uint64
	for code, n := range m.StatusCodes {
		if c, _ := strconv.Atoi(code); c < 200 || c > 299 {
			errs += uint64(n)
		}
	}
	first := m.Errors
	if len(first) > 3 {
		first = first[:3]
	}
	if errs > 0 {
		say("%s: %d of %d requests failed %v: %s", name, errs, m.Requests, m.StatusCodes, strings.Join(first, "; "))
	}
	return load{
		P50: m.Latencies.P50, P95: m.Latencies.P95, P99: m.Latencies.P99,
		RPS: m.Throughput, Requests: m.Requests, Errors: errs,
	}
}

// bearerTargets is one target per token, so an attack cycles through users.
func bearerTargets(method, url string, body []byte, tokens []string) []vegeta.Target {
	out := make([]vegeta.Target, len(tokens))
	for i, tok := range tokens {
		h := http.Header{"Authorization": {"Bearer " + tok}}
		if body != nil {
			h.Set("Content-Type", "application/json")
		}
		out[i] = vegeta.Target{Method: method, URL: url, Body: body, Header: h}
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
