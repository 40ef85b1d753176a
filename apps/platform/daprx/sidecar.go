// Package daprx is how services talk to their Dapr sidecar: a client that
// waits for the sidecar instead of failing at start, JSON publishing (for
// the outbox relay only: services publish by writing to their outbox),
// programmatic subscriptions with SUCCESS/RETRY/DROP answers, and input
// binding routes.
package daprx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/lettertomyself/ltm/apps/platform/logging"
	"github.com/lettertomyself/ltm/apps/platform/retry"
)

// PubSub is the name of the pub/sub component every service uses.
const PubSub = "pubsub"

// ErrNotReady is returned while the sidecar has not been reached yet.
var ErrNotReady = errors.New("dapr sidecar not ready yet")

// Config locates the sidecar.
type Config struct {
	Host     string
	HTTPPort int
	GRPCPort int
	// APIToken is the sidecar's DAPR_API_TOKEN: daprd refuses every API
	// call without it (health checks aside), so no other local process can
	// read secrets, publish or invoke in this app's name.
	APIToken string
}

// APITokenHeader carries the sidecar's API token on every call to it.
const APITokenHeader = "dapr-api-token"

// Sidecar is a lazily connected Dapr client. The app starts serving at once
// (the sidecar waits for the app's port) and connects in the background;
// calls made before the connection exists fail fast with ErrNotReady.
type Sidecar struct {
	cfg    Config
	log    *slog.Logger
	http   *http.Client // health checks: short
	invoke *http.Client // calls to other services
	pool   *http.Transport

	mu     sync.RWMutex
	client dapr.Client
	ready  chan struct{}
}

// New returns a sidecar handle; call Connect to reach it.
func New(cfg Config, log *slog.Logger) *Sidecar {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	// The SDK logs to stdout in plain text; keep the stream JSON.
	dapr.SetLogger(slog.NewLogLogger(log.Handler(), slog.LevelDebug))
	s := &Sidecar{cfg: cfg, log: log, ready: make(chan struct{}), pool: sidecarPool()}
	s.http = &http.Client{Timeout: 2 * time.Second, Transport: s.Transport(nil)}
	s.invoke = &http.Client{Timeout: 20 * time.Second, Transport: s.Transport(nil)}
	return s
}

// sidecarPool is the connection pool to the sidecar, one host.
// http.DefaultTransport keeps only two idle connections per host, so with
// more than two calls in flight (any service under load) most calls
// opened a new TCP connection to the sidecar and closed it afterwards
// (issue 17: docs/performance.md).
func sidecarPool() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 128
	t.MaxIdleConnsPerHost = 64
	return t
}

// Transport wraps base (nil: the sidecar's shared connection pool) so
// that every request carries the sidecar's API token: for code that
// speaks to the sidecar's HTTP API itself (the gateway's proxy, the images
// binding).
func (s *Sidecar) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = s.pool
	}
	if s.cfg.APIToken == "" {
		return base
	}
	return tokenTransport{base: base, token: s.cfg.APIToken}
}

type tokenTransport struct {
	base  http.RoundTripper
	token string
}

func (t tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	// A RoundTripper must not modify the caller's request.
	r = r.Clone(r.Context())
	r.Header.Set(APITokenHeader, t.token)
	return t.base.RoundTrip(r)
}

// HTTPEndpoint is the sidecar's HTTP API base, e.g. http://127.0.0.1:3500.
func (s *Sidecar) HTTPEndpoint() string {
	return "http://" + net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.HTTPPort))
}

// Connect waits until the sidecar's outbound side is healthy, then opens
// the gRPC client. It retries until ctx is done. The outbound health
// endpoint does not depend on this app, so there is no start-up deadlock.
func (s *Sidecar) Connect(ctx context.Context) error {
	start := time.Now()
	warned := false
	// Short waits: a sidecar usually comes within seconds of its app.
	policy := retry.Policy{First: 250 * time.Millisecond, Max: 2 * time.Second, Jitter: 0.2}
	err := retry.Do(ctx, policy, func(ctx context.Context) error {
		if err := s.Ready(ctx); err != nil {
			if !warned && time.Since(start) > 5*time.Second {
				s.log.Warn("waiting for dapr sidecar", "endpoint", s.HTTPEndpoint(), "err", err)
				warned = true
			}
			return err
		}
		c, err := dapr.NewClientWithAddressContext(ctx, net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.GRPCPort)))
		if err != nil {
			s.log.Warn("dapr grpc connect failed; retrying", "err", err)
			return err
		}
		if s.cfg.APIToken != "" {
			c.WithAuthToken(s.cfg.APIToken)
		}
		s.mu.Lock()
		s.client = c
		s.mu.Unlock()
		close(s.ready)
		return nil
	}, nil)
	if err != nil {
		return fmt.Errorf("dapr sidecar not reached: %w", err)
	}
	s.log.Info("connected to dapr sidecar", "after", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// Ready reports whether the sidecar answers its outbound health check.
func (s *Sidecar) Ready(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.HTTPEndpoint()+"/v1.0/healthz/outbound", nil)
	if err != nil {
		return err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("dapr sidecar unreachable: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("dapr sidecar not healthy: status %d", resp.StatusCode)
	}
	return nil
}

// Connected is closed once Connect has succeeded.
func (s *Sidecar) Connected() <-chan struct{} { return s.ready }

// Client returns the connected client or ErrNotReady.
func (s *Sidecar) Client() (dapr.Client, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.client == nil {
		return nil, ErrNotReady
	}
	return s.client, nil
}

// Close releases the gRPC connection.
func (s *Sidecar) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		s.client.Close()
		s.client = nil
	}
}

// PublishEvent sends JSON data on topic with a chosen CloudEvent id, so a
// republished event is recognisable downstream (Dapr's cloudevent.id
// metadata override).
func (s *Sidecar) PublishEvent(ctx context.Context, topic, id string, data []byte) error {
	c, err := s.Client()
	if err != nil {
		return err
	}
	err = c.PublishEvent(ctx, PubSub, topic, data,
		dapr.PublishEventWithContentType("application/json"),
		dapr.PublishEventWithMetadata(map[string]string{"cloudevent.id": id}))
	if err != nil {
		return fmt.Errorf("publish %s: %w", topic, err)
	}
	return nil
}

// SecretStore is the name of the secret store component.
const SecretStore = "secretstore"

// Secret reads one value from the secret store.
func (s *Sidecar) Secret(ctx context.Context, key string) (string, error) {
	c, err := s.Client()
	if err != nil {
		return "", err
	}
	m, err := c.GetSecret(ctx, SecretStore, key, nil)
	if err != nil {
		return "", fmt.Errorf("secret %s: %w", key, err)
	}
	v, ok := m[key]
	if !ok {
		return "", fmt.Errorf("secret %s: %w", key, ErrSecretNotFound)
	}
	return v, nil
}

// OptionalSecret reads a secret that may legitimately be absent (an API
// key a keyless local model does not need, a previous key before the first
// rotation): "" and no error when the store has no such secret. Any other
// failure (store unreachable, access denied) is an error, never "absent".
func (s *Sidecar) OptionalSecret(ctx context.Context, key string) (string, error) {
	v, err := s.Secret(ctx, key)
	if err != nil && SecretNotFound(err) {
		return "", nil
	}
	return v, err
}

// SecretNotFound reports whether err says the secret store has no such
// secret. Dapr passes the store's own words through a gRPC Unknown status:
// local.file says "secret <key> not found", kubernetes `secrets "<key>" not
// found`.
func SecretNotFound(err error) bool {
	return errors.Is(err, ErrSecretNotFound) || (err != nil && strings.Contains(err.Error(), "not found"))
}

// ErrSecretNotFound: the store answered without the key asked for.
var ErrSecretNotFound = errors.New("not in the secret store")

// StatusError is a non-2xx answer from another service.
type StatusError struct {
	App    string
	Path   string
	Status int
	Body   []byte
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: status %d", e.App, e.Path, e.Status)
}

// Get calls GET path on app through service invocation and returns the
// body of a 2xx answer; other answers are a *StatusError. The request id
// travels along for the logs.
func (s *Sidecar) Get(ctx context.Context, app, path string) ([]byte, error) {
	return s.Invoke(ctx, http.MethodGet, app, path, nil)
}

// Post sends body as JSON to path on app through service invocation.
func (s *Sidecar) Post(ctx context.Context, app, path string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("invoke %s %s: encode: %w", app, path, err)
	}
	return s.Invoke(ctx, http.MethodPost, app, path, b)
}

// Invoke calls method path on app through the sidecar's invocation API.
func (s *Sidecar) Invoke(ctx context.Context, method, app, path string, body []byte) ([]byte, error) {
	url := s.HTTPEndpoint() + "/v1.0/invoke/" + app + "/method/" + strings.TrimPrefix(path, "/")
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if id := logging.RequestID(ctx); id != "" {
		req.Header.Set("X-Request-ID", id)
	}
	resp, err := s.invoke.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke %s %s: %w", app, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("invoke %s %s: %w", app, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &StatusError{App: app, Path: path, Status: resp.StatusCode, Body: out}
	}
	return out, nil
}

// InvokeBinding calls an output binding.
func (s *Sidecar) InvokeBinding(ctx context.Context, name, operation string, data []byte, meta map[string]string) (*dapr.BindingEvent, error) {
	c, err := s.Client()
	if err != nil {
		return nil, err
	}
	out, err := c.InvokeBinding(ctx, &dapr.InvokeBindingRequest{Name: name, Operation: operation, Data: data, Metadata: meta})
	if err != nil {
		return nil, fmt.Errorf("binding %s %s: %w", name, operation, err)
	}
	return out, nil
}
