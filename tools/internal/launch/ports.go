package launch

import (
	"fmt"
	"net"

	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

// assignPorts fills the sidecar ports left unset in the run file with free
// ones, as the CLI does; daprd needs to know them up front so the app can be
// told. Ports named anywhere in the file are never handed out.
func assignPorts(all, apps []runfile.App) error {
	taken := map[int]bool{}
	for _, a := range all {
		for _, p := range []int{a.AppPort, a.DaprHTTPPort, a.DaprGRPCPort, a.DaprInternalGRPCPort, a.MetricsPort} {
			taken[p] = true
		}
	}
	for i := range apps {
		for _, p := range []*int{&apps[i].DaprHTTPPort, &apps[i].DaprGRPCPort, &apps[i].MetricsPort} {
			if *p > 0 {
				continue
			}
			port, err := freePort(taken)
			if err != nil {
				return fmt.Errorf("pick a free port for %s: %w", apps[i].ID, err)
			}
			*p = port
		}
	}
	return nil
}

func freePort(taken map[int]bool) (int, error) {
	for range 50 {
		l, err := net.Listen("tcp", loopback+":0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		if err := l.Close(); err != nil {
			return 0, err
		}
		if !taken[port] {
			taken[port] = true
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free port found")
}
