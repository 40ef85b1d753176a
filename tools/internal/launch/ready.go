package launch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const pollInterval = 200 * time.Millisecond

// waitReady polls each sidecar's health endpoint, which answers 204 only once
// daprd has loaded its components and reached the app, until all are ready,
// a process dies, ReadyTimeout passes or ctx ends.
func (s *System) waitReady(ctx context.Context, runs []*appRun) error {
	deadline, cancel := context.WithTimeout(ctx, s.opts.ReadyTimeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	pending := slices.Clone(runs)
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		pending = slices.DeleteFunc(pending, func(r *appRun) bool {
			return healthy(deadline, client, r.info.DaprHTTPPort)
		})
		if len(pending) == 0 {
			return nil
		}
		select {
		case <-s.failed:
			return s.failErr
		case <-deadline.Done():
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("launch: interrupted while waiting for apps: %w", err)
			}
			return s.notReady(pending)
		case <-tick.C:
		}
	}
}

func healthy(ctx context.Context, client *http.Client, port int) bool {
	url := "http://" + net.JoinHostPort(loopback, strconv.Itoa(port)) + "/v1.0/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusNoContent
}

// notReady reports the first app still waiting, with its logs; the others
// are only named, to keep the message readable.
func (s *System) notReady(pending []*appRun) error {
	var ids []string
	for _, r := range pending {
		ids = append(ids, r.info.ID)
	}
	r := pending[0]
	logs := map[string][]string{r.daprd.name: r.daprd.tail()}
	if r.app != nil {
		logs[r.app.name] = r.app.tail()
	}
	err := fmt.Errorf("sidecar did not report healthy within %s (waiting for: %s): %w",
		s.opts.ReadyTimeout, strings.Join(ids, ", "), ErrNotReady)
	return &ProcessError{App: r.info.ID, Process: r.info.ID, Err: err, Logs: logs}
}

// waitExtra waits for an auxiliary process to accept connections on addr,
// if one is given.
func (s *System) waitExtra(ctx context.Context, p *proc, addr string) error {
	if addr == "" {
		return nil
	}
	deadline, cancel := context.WithTimeout(ctx, s.opts.ReadyTimeout)
	defer cancel()
	var d net.Dialer
	for {
		conn, err := d.DialContext(deadline, "tcp", addr)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-s.failed:
			return s.failErr
		case <-deadline.Done():
			return &ProcessError{App: p.name, Process: p.name,
				Err:  fmt.Errorf("no connection on %s: %w", addr, errors.Join(ErrNotReady, err)),
				Logs: map[string][]string{p.name: p.tail()}}
		case <-time.After(pollInterval):
		}
	}
}
