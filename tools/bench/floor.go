package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/lettertomyself/ltm/tools/internal/launch"
	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

// floorConfig is the least a sidecar needs on this machine: the sqlite
// name resolver (no multicast here), tuned as in components/config.yaml
// (docs/security.md, finding 9), nothing else.
const floorConfig = `apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: floor
spec:
  nameResolution:
    component: sqlite
    version: v1
    configuration:
      connectionString: %s
      updateInterval: 30s
      timeout: 10s
      busyTimeout: 5s
  tracing:
    samplingRate: "0"
`

// floor measures what Dapr itself costs here: a caller's sidecar invoking
// a 1 KB echo app through its sidecar, at rate and saturated. Every figure
// of the system is read against it.
func floor(ctx context.Context, daprd string, rate int, d time.Duration) (atRate, saturated load, err error) {
	dir, err := os.MkdirTemp("", "ltm-bench-floor-")
	if err != nil {
		return
	}
	defer os.RemoveAll(dir)
	comps := filepath.Join(dir, "components")
	if err = os.MkdirAll(comps, 0o700); err != nil {
		return
	}
	config := filepath.Join(dir, "config.yaml")
	if err = os.WriteFile(config, fmt.Appendf(nil, floorConfig, filepath.Join(dir, "names.db")), 0o600); err != nil {
		return
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return
	}
	echo := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/echo" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = io.Copy(w, r.Body)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = echo.Serve(l) }()
	defer echo.Close()

	app := func(id string, appPort int) runfile.App {
		return runfile.App{
			ID: id, Dir: dir, AppPort: appPort, AppProtocol: "http",
			ResourcesPaths: []string{comps}, ConfigFile: config, LogLevel: "warn",
			DaprdLogDestination: runfile.LogToFile, AppLogDestination: runfile.LogToFile,
		}
	}
	sys, err := launch.Start(ctx, launch.Options{
		RunFile: &runfile.File{Path: filepath.Join(dir, "dapr.yaml"), Dir: dir, Apps: []runfile.App{
			app("echo", l.Addr().(*net.TCPAddr).Port),
			app("caller", 0),
		}},
		DaprdPath:    daprd,
		DataDir:      dir,
		ReadyTimeout: time.Minute,
	})
	if err != nil {
		return atRate, saturated, fmt.Errorf("floor sidecars: %w", err)
	}
	defer func() {
		stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = sys.Stop(stop)
	}()
	caller, _ := sys.App("caller")
	url := fmt.Sprintf("http://127.0.0.1:%d/v1.0/invoke/echo/method/echo", caller.DaprHTTPPort)
	target := []vegeta.Target{{Method: http.MethodPost, URL: url, Body: bytes.Repeat([]byte("x"), 1024),
		Header: http.Header{"Content-Type": {"application/octet-stream"}}}}
	// Warm the connections and the resolver's cache before measuring.
	attack("floor-warm", target, rate, 2*time.Second, 0)
	cpu := startCPU(sys.PIDs())
	atRate = attack("floor", target, rate, d, 0)
	cpu.report("floor at rate", atRate.Requests-atRate.Errors)
	cpu = startCPU(sys.PIDs())
	saturated = attack("floor-saturated", target, 0, d, saturatedWorkers)
	cpu.report("floor saturated", saturated.Requests-saturated.Errors)
	return atRate, saturated, nil
}
