package main

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat times
// (100 on every Linux this runs on).
const clockTicks = 100

// cpuSnap is the CPU seconds (user + system) each process has used.
type cpuSnap map[string]float64

// cpuTimes reads every process's CPU time so far; a process that is gone
// is left out.
func cpuTimes(pids map[string]int) cpuSnap {
	out := cpuSnap{}
	for name, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// The command name (field 2) may hold spaces; the fields after
		// its closing parenthesis start at field 3.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 13 {
			continue
		}
		utime, err1 := strconv.ParseFloat(f[11], 64)
		stime, err2 := strconv.ParseFloat(f[12], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out[name] = (utime + stime) / clockTicks
	}
	return out
}

// machineBusy is the CPU seconds every process of the machine has used
// (all cores), from /proc/stat: user, nice, system, irq, softirq, steal.
func machineBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	total := 0.0
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, _ := strconv.ParseFloat(f[i], 64)
		total += v
	}
	return total / clockTicks
}

// cpuMeter measures where one attack's CPU went: the system's processes
// (apps and sidecars apart, the busiest named), against everything the
// machine ran meanwhile (Postgres, RabbitMQ, other people's work).
type cpuMeter struct {
	pids    map[string]int
	before  cpuSnap
	machine float64
}

func startCPU(pids map[string]int) *cpuMeter {
	if len(pids) == 0 {
		return nil
	}
	return &cpuMeter{pids: pids, before: cpuTimes(pids), machine: machineBusy()}
}

// report says, per successful request, how many CPU milliseconds each
// part of the system used.
func (m *cpuMeter) report(phase string, requests uint64) {
	if m == nil || requests == 0 {
		return
	}
	after := cpuTimes(m.pids)
	machine := machineBusy() - m.machine
	type use struct {
		name string
		ms   float64
	}
	var uses []use
	var apps, sidecars float64
	for name, t := range after {
		ms := (t - m.before[name]) * 1000 / float64(requests)
		uses = append(uses, use{name, ms})
		if strings.HasSuffix(name, " daprd") {
			sidecars += ms
		} else {
			apps += ms
		}
	}
	slices.SortFunc(uses, func(a, b use) int { return cmp.Compare(b.ms, a.ms) })
	var top []string
	for _, u := range uses[:min(len(uses), 8)] {
		top = append(top, fmt.Sprintf("%s %.2f", u.name, u.ms))
	}
	say("%s CPU ms per request: sidecars %.2f, apps %.2f, rest of the machine %.2f (Postgres, RabbitMQ, the tool, others); busiest: %s",
		phase, sidecars, apps, machine*1000/float64(requests)-sidecars-apps, strings.Join(top, ", "))
}
