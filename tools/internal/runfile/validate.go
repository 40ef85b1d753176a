package runfile

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
)

// quantity is the subset of Kubernetes resource quantities that daprd's
// --max-body-size and --read-buffer-size accept (e.g. 4Mi, 512Ki, 4M, 1000).
var quantity = regexp.MustCompile(`^[0-9]+(Ki|Mi|Gi|k|M|G)?$`)

func checkFile(raw rawConfig, f *File) []error {
	var problems []error
	switch {
	case raw.Version == nil:
		problems = append(problems, fmt.Errorf("version: missing (want 1)"))
	case *raw.Version != 1:
		problems = append(problems, fmt.Errorf("version: %d is not supported (want 1)", *raw.Version))
	}
	problems = append(problems, checkCommon(raw.Common)...)
	if len(raw.Apps) == 0 {
		problems = append(problems, fmt.Errorf("apps: none defined"))
	}
	problems = append(problems, checkDuplicateIDs(f.Apps)...)
	problems = append(problems, checkPorts(f.Apps)...)
	return problems
}

// checkCommon rejects app-only keys in common: the CLI ignores them there,
// and here they would give every app the same id, directory or port.
func checkCommon(c rawApp) []error {
	var set []string
	for name, isSet := range map[string]bool{
		"appID":                c.AppID != nil,
		"appDirPath":           c.AppDirPath != nil,
		"appPort":              c.AppPort != nil,
		"daprHTTPPort":         c.DaprHTTPPort != nil,
		"daprGRPCPort":         c.DaprGRPCPort != nil,
		"daprInternalGRPCPort": c.DaprInternalGRPCPort != nil,
		"metricsPort":          c.MetricsPort != nil,
		"command":              c.Command != nil,
	} {
		if isSet {
			set = append(set, name)
		}
	}
	if len(set) == 0 {
		return nil
	}
	slices.Sort(set)
	return []error{fmt.Errorf("common: %s may only be set per app", strings.Join(set, ", "))}
}

func checkApp(i int, raw rawApp, a App) []error {
	label := fmt.Sprintf("apps[%d]", i)
	if a.ID != "" {
		label = fmt.Sprintf("apps[%d] (%s)", i, a.ID)
	}
	var problems []error
	add := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf(label+": "+format, args...))
	}
	if a.ID == "" {
		add("appID is required")
	}
	if raw.AppDirPath == nil || *raw.AppDirPath == "" {
		add("appDirPath is required")
	} else if info, err := os.Stat(a.Dir); err != nil {
		add("app directory %s: %v", a.Dir, err)
	} else if !info.IsDir() {
		add("app directory %s is not a directory", a.Dir)
	}
	for _, p := range appPorts(a) {
		if p.port < 0 || p.port > 65535 {
			add("%s %d is out of range", p.kind, p.port)
		}
	}
	for _, q := range []struct{ key, value string }{{"maxBodySize", a.MaxBodySize}, {"readBufferSize", a.ReadBufferSize}} {
		if q.value != "" && !quantity.MatchString(q.value) {
			add("%s %q is not a size such as 4Mi or 512Ki", q.key, q.value)
		}
	}
	for _, d := range []struct {
		key  string
		dest LogDestination
	}{{"daprdLogDestination", a.DaprdLogDestination}, {"appLogDestination", a.AppLogDestination}} {
		if d.dest != LogToFile && d.dest != LogToConsole && d.dest != LogToFileAndConsole {
			add("%s %q is not one of file, console, fileAndConsole", d.key, d.dest)
		}
	}
	return problems
}

func checkDuplicateIDs(apps []App) []error {
	var problems []error
	seen := map[string]bool{}
	for _, a := range apps {
		if a.ID == "" {
			continue
		}
		if seen[a.ID] {
			problems = append(problems, fmt.Errorf("appID %q is used by more than one app", a.ID))
		}
		seen[a.ID] = true
	}
	return problems
}

// checkPorts finds ports claimed twice anywhere in the file, whatever their
// kind: an app port equal to another app's metrics port collides just as well.
func checkPorts(apps []App) []error {
	var problems []error
	owner := map[int]string{}
	for i, a := range apps {
		name := a.ID
		if name == "" {
			name = fmt.Sprintf("apps[%d]", i)
		}
		for _, p := range appPorts(a) {
			if p.port <= 0 {
				continue
			}
			who := fmt.Sprintf("%s %s", name, p.kind)
			if prev, ok := owner[p.port]; ok {
				problems = append(problems, fmt.Errorf("port %d is used twice: %s and %s", p.port, prev, who))
				continue
			}
			owner[p.port] = who
		}
	}
	return problems
}

type namedPort struct {
	kind string
	port int
}

func appPorts(a App) []namedPort {
	return []namedPort{
		{"appPort", a.AppPort},
		{"daprHTTPPort", a.DaprHTTPPort},
		{"daprGRPCPort", a.DaprGRPCPort},
		{"daprInternalGRPCPort", a.DaprInternalGRPCPort},
		{"metricsPort", a.MetricsPort},
	}
}
