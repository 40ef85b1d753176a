//go:build e2e

package e2e

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
)

// probe is a test app served from this process, beside a real daprd of its
// own: a subscriber we can take down and bring back.
type probe struct {
	srv  *http.Server
	port int

	mu        sync.Mutex
	received  map[string]int // nonce → deliveries
	overheard []string       // every letter.* and emotion.* event body, as delivered
}

// overheardTopics are the product's events the probe listens to as one
// more subscriber, so tests can see exactly what crosses the broker.
var overheardTopics = []string{"letter.created", "letter.deleted", "emotion.analyzed"}

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
		subs := []map[string]string{{"pubsubname": "pubsub", "topic": probeTopic, "route": "/events/roundtrip"}}
		// Each product topic through its own component, as the apps read
		// them (one component for several topics crosses its consumers
		// after a broker restart: docs/dapr-findings.md).
		for _, t := range overheardTopics {
			subs = append(subs, map[string]string{"pubsubname": "pubsub-" + strings.ReplaceAll(t, ".", "-"), "topic": t, "route": "/events/overheard"})
		}
		_ = json.NewEncoder(w).Encode(subs)
	})
	mux.HandleFunc("POST /events/overheard", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.overheard = append(p.overheard, string(body))
		p.mu.Unlock()
		_, _ = w.Write([]byte(`{"status":"SUCCESS"}`))
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

// heard returns every overheard event body so far.
func (p *probe) heard() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.overheard...)
}

func (p *probe) close() { _ = p.srv.Close() }
