package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/world"
)

// pprofPorts gives each profiled app a PPROF_PORT (the platform serves
// profiles there, on loopback) and returns app id → port.
func pprofPorts(env map[string]map[string]string, apps []string) (map[string]int, error) {
	ports := map[string]int{}
	for _, id := range apps {
		port, err := world.FreePort()
		if err != nil {
			return nil, err
		}
		if env[id] == nil {
			env[id] = map[string]string{}
		}
		env[id]["PPROF_PORT"] = strconv.Itoa(port)
		ports[id] = port
	}
	return ports, nil
}

// cpuProfiles starts a CPU profile of d on every app at once and returns a
// wait that writes them to dir as <app>-<phase>.pprof.
func cpuProfiles(dir, phase string, ports map[string]int, d time.Duration) func() error {
	if len(ports) == 0 {
		return func() error { return nil }
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for id, port := range ports {
		wg.Go(func() {
			if err := cpuProfile(filepath.Join(dir, id+"-"+phase+".pprof"), port, d); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("profile of %s: %w", id, err))
				mu.Unlock()
			}
		})
	}
	return func() error {
		wg.Wait()
		return errors.Join(errs...)
	}
}

func cpuProfile(path string, port int, d time.Duration) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	c := &http.Client{Timeout: d + 30*time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/profile?seconds=%d", port, int(d.Seconds())))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
