//go:build e2e

package e2e

import (
	"encoding/json"
	"net"
	"net/http"
	"sync"

	"github.com/lettertomyself/ltm/tools/internal/runfile"
)

// probe is a test app served from this process, beside a real daprd of its
// own: a subscriber we can take down and bring back.
type probe struct {
	srv  *http.Server
	port int

	mu       sync.Mutex
	received map[string]int // nonce → deliveries
}

const probeTopic = "e2e.roundtrip"

func startProbe() (*probe, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &probe{port: l.Addr().(*net.TCPAddr).Port, received: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dapr/config", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("{}")) })
	mux.HandleFunc("GET /dapr/subscribe", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode([]map[string]string{{"pubsubname": "pubsub", "topic": probeTopic, "route": "/events/roundtrip"}})
	})
	mux.HandleFunc("POST /events/roundtrip", func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Data struct {
				Nonce string `json:"nonce"`
			} `json:"data"`
		}
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			_, _ = w.Write([]byte(`{"status":"DROP"}`))
			return
		}
		p.mu.Lock()
		p.received[ev.Data.Nonce]++
		p.mu.Unlock()
		_, _ = w.Write([]byte(`{"status":"SUCCESS"}`))
	})
	p.srv = &http.Server{Handler: mux}
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}

// deliveries says how often the event carrying nonce arrived.
func (p *probe) deliveries(nonce string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.received[nonce]
}

func (p *probe) close() { _ = p.srv.Close() }

// app is the probe's entry in the run file: no command (the app is this
// process), its own sidecar on fresh ports.
func (p *probe) app(w *world) (runfile.App, error) {
	var ports [3]int
	for i := range ports {
		var err error
		if ports[i], err = freePort(); err != nil {
			return runfile.App{}, err
		}
	}
	return runfile.App{
		ID:                  probeID,
		Dir:                 w.data,
		AppPort:             p.port,
		AppProtocol:         "http",
		DaprHTTPPort:        ports[0],
		DaprGRPCPort:        ports[1],
		MetricsPort:         ports[2],
		ResourcesPaths:      []string{w.comps},
		ConfigFile:          w.config,
		APIListenAddresses:  "127.0.0.1",
		LogLevel:            "info",
		DaprdLogDestination: runfile.LogToFile,
		AppLogDestination:   runfile.LogToFile,
	}, nil
}
