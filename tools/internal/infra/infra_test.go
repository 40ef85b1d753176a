package infra

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// machine fakes the world: which addresses answer, what is installed.
type machine struct {
	answering map[string]bool
	installed map[string]bool
	started   []string
	installs  [][]string
	startErr  error
	// answersAfterStart is false for a service that starts but never answers.
	answersAfterStart bool
}

func (m *machine) service(name, addr, pkg string) Service {
	return Service{
		Name: name, Addr: addr, Packages: []string{pkg},
		Installed: func() bool { return m.installed[name] },
		Start: func(context.Context) error {
			m.started = append(m.started, name)
			if m.answersAfterStart {
				m.answering[addr] = true
			}
			return m.startErr
		},
	}
}

func (m *machine) env(out *bytes.Buffer, canInstall bool) Env {
	e := Env{
		Out:      out,
		Probe:    func(_ context.Context, addr string) bool { return m.answering[addr] },
		Wait:     50 * time.Millisecond,
		Interval: time.Millisecond,
	}
	if canInstall {
		e.Install = func(_ context.Context, pkgs []string) error {
			m.installs = append(m.installs, pkgs)
			for _, p := range pkgs {
				m.installed[strings.TrimSuffix(p, "-pkg")] = true
			}
			return nil
		}
	}
	return e
}

func TestEnsure(t *testing.T) {
	tests := []struct {
		name        string
		answering   []string
		installed   []string
		canInstall  bool
		neverAnswer bool
		wantStarted []string
		wantInstall [][]string
		wantOut     []string
		wantErr     []string
	}{
		{
			name:      "already running",
			answering: []string{"pg:1", "mq:2"},
			wantOut:   []string{"pg: already answering on pg:1", "mq: already answering on mq:2"},
		},
		{
			name:        "installed but stopped",
			answering:   []string{"mq:2"},
			installed:   []string{"pg"},
			wantStarted: []string{"pg"},
			wantOut:     []string{"pg: started, answering on pg:1", "mq: already answering"},
		},
		{
			name:        "missing and installable",
			canInstall:  true,
			installed:   []string{"mq"},
			wantStarted: []string{"mq", "pg"},
			wantInstall: [][]string{{"pg-pkg"}},
			wantOut:     []string{"mq: started", "pg: installed and started"},
		},
		{
			name:    "missing and not installable",
			wantErr: []string{"[pg mq] not installed", "install [pg-pkg mq-pkg]"},
		},
		{
			name:        "starts but never answers",
			installed:   []string{"pg", "mq"},
			neverAnswer: true,
			wantStarted: []string{"pg", "mq"},
			wantErr:     []string{"pg: started but pg:1 did not answer", "mq: started but mq:2 did not answer"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &machine{answering: map[string]bool{}, installed: map[string]bool{}, answersAfterStart: !tt.neverAnswer}
			for _, a := range tt.answering {
				m.answering[a] = true
			}
			for _, i := range tt.installed {
				m.installed[i] = true
			}
			var out bytes.Buffer
			err := Ensure(context.Background(), m.env(&out, tt.canInstall),
				[]Service{m.service("pg", "pg:1", "pg-pkg"), m.service("mq", "mq:2", "mq-pkg")})
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("Ensure: %v", err)
			}
			for _, w := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v lacks %q", err, w)
				}
			}
			if strings.Join(m.started, ",") != strings.Join(tt.wantStarted, ",") {
				t.Errorf("started %v, want %v", m.started, tt.wantStarted)
			}
			if len(m.installs) != len(tt.wantInstall) || (len(m.installs) > 0 && strings.Join(m.installs[0], ",") != strings.Join(tt.wantInstall[0], ",")) {
				t.Errorf("installs %v, want %v", m.installs, tt.wantInstall)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestEnsureStartError(t *testing.T) {
	m := &machine{answering: map[string]bool{}, installed: map[string]bool{"pg": true}, startErr: errors.New("no cluster")}
	var out bytes.Buffer
	err := Ensure(context.Background(), m.env(&out, false), []Service{m.service("pg", "pg:1", "pg-pkg")})
	if err == nil || !strings.Contains(err.Error(), "pg: start: no cluster") {
		t.Errorf("Ensure = %v", err)
	}
}

func TestTCPProbe(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if !TCPProbe(context.Background(), addr) {
		t.Error("listening address does not answer")
	}
	l.Close()
	if TCPProbe(context.Background(), addr) {
		t.Error("closed address answers")
	}
}
