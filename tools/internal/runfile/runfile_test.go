package runfile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// tree makes dirs under a temp root and returns the root.
func tree(t *testing.T, dirs ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestParseMerge(t *testing.T) {
	root := tree(t, "apps/a", "apps/b", "apps/c")
	src := `
version: 1
common:
  resourcesPaths: [../../components]
  configFilePath: ../../components/config.yaml
  enableAppHealthCheck: true
  appHealthCheckPath: /healthz
  logLevel: info
  maxBodySize: 4Mi
  env:
    LOG_LEVEL: info
    SHARED: common
apps:
  - appID: a
    appDirPath: apps/a
    appPort: 8001
    command: [go, run, .]
  - appID: b
    appDirPath: ./apps/b/
    logLevel: debug
    enableAppHealthCheck: false
    maxBodySize: 16Mi
    resourcesPaths: [./res, /abs/res]
    env:
      SHARED: app
      ONLY_B: "1"
  - appID: c
    appDirPath: apps/c
    resourcesPath: legacy
`
	f, err := Parse([]byte(src), root)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	a, _ := f.App("a")
	b, _ := f.App("b")
	c, _ := f.App("c")

	tests := []struct {
		name      string
		got, want any
	}{
		{"a dir absolute", a.Dir, filepath.Join(root, "apps/a")},
		{"b dir cleaned", b.Dir, filepath.Join(root, "apps/b")},
		{"a inherits resources, relative to app dir", a.ResourcesPaths, []string{filepath.Join(root, "components")}},
		{"b own resources replace common", b.ResourcesPaths, []string{filepath.Join(root, "apps/b/res"), "/abs/res"}},
		{"c deprecated resourcesPath replaces common", c.ResourcesPaths, []string{filepath.Join(root, "apps/c/legacy")}},
		{"a config inherited", a.ConfigFile, filepath.Join(root, "components/config.yaml")},
		{"a log level inherited", a.LogLevel, "info"},
		{"b log level overrides", b.LogLevel, "debug"},
		{"a health check inherited", a.EnableAppHealthCheck, true},
		{"b false overrides common true", b.EnableAppHealthCheck, false},
		{"a body size inherited", a.MaxBodySize, "4Mi"},
		{"b body size overrides", b.MaxBodySize, "16Mi"},
		{"a env from common", a.Env, map[string]string{"LOG_LEVEL": "info", "SHARED": "common"}},
		{"b env merged, app wins", b.Env, map[string]string{"LOG_LEVEL": "info", "SHARED": "app", "ONLY_B": "1"}},
		{"a command", a.Command, []string{"go", "run", "."}},
		{"default app protocol", a.AppProtocol, "http"},
		{"default daprd log destination", a.DaprdLogDestination, LogToFile},
		{"default app log destination", a.AppLogDestination, LogToFileAndConsole},
		{"unset port stays zero", b.AppPort, 0},
		{"file dir", f.Dir, root},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

func TestParseMergeDoesNotShareEnv(t *testing.T) {
	root := tree(t, "a", "b")
	src := "version: 1\ncommon:\n  env: {K: v}\napps:\n  - {appID: a, appDirPath: a}\n  - {appID: b, appDirPath: b}\n"
	f, err := Parse([]byte(src), root)
	if err != nil {
		t.Fatal(err)
	}
	f.Apps[0].Env["K"] = "changed"
	if got := f.Apps[1].Env["K"]; got != "v" {
		t.Errorf("b env K = %q after changing a's, want v", got)
	}
}

func TestParseValidation(t *testing.T) {
	root := tree(t, "apps/a", "apps/b")
	tests := []struct {
		name string
		src  string
		want []string // every one must appear in the error
	}{
		{
			name: "all problems at once",
			src: `
version: 2
apps:
  - appDirPath: apps/a
    appPort: 8000
  - appID: b
  - appID: b
    appDirPath: apps/missing
    daprHTTPPort: 8000
  - appID: d
    appDirPath: apps/b
    metricsPort: 9090
    daprGRPCPort: 9090
`,
			want: []string{
				"version: 2 is not supported",
				"apps[0]: appID is required",
				"apps[1] (b): appDirPath is required",
				`appID "b" is used by more than one app`,
				"apps[2] (b): app directory " + filepath.Join(root, "apps/missing"),
				"port 8000 is used twice: apps[0] appPort and b daprHTTPPort",
				"port 9090 is used twice: d daprGRPCPort and d metricsPort",
			},
		},
		{
			name: "missing version",
			src:  "apps:\n  - {appID: a, appDirPath: apps/a}\n",
			want: []string{"version: missing"},
		},
		{
			name: "no apps",
			src:  "version: 1\n",
			want: []string{"apps: none defined"},
		},
		{
			name: "app-only keys in common",
			src:  "version: 1\ncommon:\n  appPort: 1\n  command: [x]\napps:\n  - {appID: a, appDirPath: apps/a}\n",
			want: []string{"common: appPort, command may only be set per app"},
		},
		{
			name: "port out of range and bad log destination",
			src:  "version: 1\napps:\n  - {appID: a, appDirPath: apps/a, appPort: 70000, appLogDestination: stdout}\n",
			want: []string{"appPort 70000 is out of range", `appLogDestination "stdout"`},
		},
		{
			name: "sizes are quantities",
			src:  "version: 1\napps:\n  - {appID: a, appDirPath: apps/a, maxBodySize: 16 MB, readBufferSize: 4 KB}\n",
			want: []string{`maxBodySize "16 MB" is not a size`, `readBufferSize "4 KB" is not a size`},
		},
		{
			name: "the CLI's removed daprHTTPMaxRequestSize",
			src:  "version: 1\napps:\n  - {appID: a, appDirPath: apps/a, daprHTTPMaxRequestSize: 16}\n",
			want: []string{"field daprHTTPMaxRequestSize not found"},
		},
		{
			name: "unknown key",
			src:  "version: 1\napps:\n  - {appID: a, appDirPath: apps/a, appPorts: 1}\n",
			want: []string{"field appPorts not found"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), root)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestParseValidationErrorType(t *testing.T) {
	root := tree(t)
	_, err := Parse([]byte("version: 3\napps:\n  - {appID: a}\n"), root)
	var inv *InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("error %v is not an *InvalidError", err)
	}
	if got, want := len(inv.Problems), 2; got != want {
		t.Errorf("got %d problems, want %d: %v", got, want, inv.Problems)
	}
}

func TestOffsetPorts(t *testing.T) {
	root := tree(t, "a", "b")
	src := "version: 1\napps:\n  - {appID: a, appDirPath: a, appPort: 8000, daprHTTPPort: 3500, daprGRPCPort: 50001, daprInternalGRPCPort: 50500, metricsPort: 9090}\n  - {appID: b, appDirPath: b}\n"
	f, err := Parse([]byte(src), root)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.OffsetPorts(100); err != nil {
		t.Fatal(err)
	}
	a, b := f.Apps[0], f.Apps[1]
	got := []int{a.AppPort, a.DaprHTTPPort, a.DaprGRPCPort, a.DaprInternalGRPCPort, a.MetricsPort, b.AppPort, b.DaprHTTPPort, b.MetricsPort}
	want := []int{8100, 3600, 50101, 50600, 9190, 0, 0, 0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ports after offset = %v, want %v", got, want)
	}
	if err := f.OffsetPorts(20000); err == nil {
		t.Error("OffsetPorts past 65535 succeeded, want an error")
	}
	if f.Apps[0].DaprGRPCPort != 50101 {
		t.Errorf("failed offset changed ports: %d", f.Apps[0].DaprGRPCPort)
	}
}

func TestLoadDirectory(t *testing.T) {
	root := tree(t, "a")
	if err := os.WriteFile(filepath.Join(root, "dapr.yaml"), []byte("version: 1\napps:\n  - {appID: a, appDirPath: a}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{root, filepath.Join(root, "dapr.yaml")} {
		f, err := Load(p)
		if err != nil {
			t.Fatalf("Load(%s): %v", p, err)
		}
		if f.Path != filepath.Join(root, "dapr.yaml") || f.Dir != root {
			t.Errorf("Load(%s): Path %s Dir %s", p, f.Path, f.Dir)
		}
	}
	if _, err := Load(filepath.Join(root, "a")); err == nil || !strings.Contains(err.Error(), "no dapr.yaml") {
		t.Errorf("Load(dir without dapr.yaml) = %v, want a no dapr.yaml error", err)
	}
}

// TestRepoRunFile parses the project's own dapr.yaml. It is copied beside
// empty app directories so the test checks the file, not which services
// happen to exist in the tree yet.
func TestRepoRunFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "dapr.yaml"))
	if err != nil {
		t.Fatalf("read the repository run file: %v", err)
	}
	var raw rawConfig
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, a := range raw.Apps {
		if err := os.MkdirAll(filepath.Join(root, deref(a.AppDirPath)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	f, err := Parse(data, root)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(f.Apps), 11; got != want {
		t.Errorf("got %d apps, want %d", got, want)
	}
	seen := map[int]string{}
	for _, a := range f.Apps {
		if a.AppPort == 0 || a.DaprHTTPPort == 0 || a.DaprGRPCPort == 0 || a.MetricsPort == 0 {
			t.Errorf("%s: a port is unset: %+v", a.ID, a)
		}
		for _, p := range []int{a.AppPort, a.DaprHTTPPort, a.DaprGRPCPort, a.MetricsPort} {
			if prev, dup := seen[p]; dup {
				t.Errorf("port %d used by %s and %s", p, prev, a.ID)
			}
			seen[p] = a.ID
		}
		if want := []string{filepath.Join(root, "components")}; !reflect.DeepEqual(a.ResourcesPaths, want) {
			t.Errorf("%s: resources %v, want %v", a.ID, a.ResourcesPaths, want)
		}
		if a.Env["DATABASE_URL"] == "" && a.ID != "gateway" {
			t.Errorf("%s: no DATABASE_URL", a.ID)
		}
	}
	if gw, ok := f.App("gateway"); !ok || gw.MaxBodySize != "16Mi" {
		t.Errorf("gateway: found %v, max body size %q, want 16Mi", ok, gw.MaxBodySize)
	}
}
