// Package llm is the connection to an OpenAI-compatible chat model
// (OpenAI, Azure, Ollama, vLLM: a base URL, a model name, a key) that
// emotion-ml and recommend may use: the settings both read, and a client
// built on first use, once the key is known. What to ask and how to check
// the answer stays in each service.
package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	openai "github.com/sashabaranov/go-openai"

	"github.com/lettertomyself/ltm/apps/platform/config"
)

// Config is the model's settings. The model is off unless both the base
// URL and the model name are set.
type Config struct {
	BaseURL string        `env:"OPENAI_BASE_URL"`
	Model   string        `env:"OPENAI_MODEL"`
	APIKey  config.Secret `env:"OPENAI_API_KEY"`
}

// Enabled reports whether a model is configured.
func (c Config) Enabled() bool { return c.BaseURL != "" && c.Model != "" }

// Validate checks the settings: both or neither, and a URL.
func (c Config) Validate() error {
	if !c.Enabled() {
		if c.BaseURL != "" || c.Model != "" {
			return errors.New("OPENAI_BASE_URL and OPENAI_MODEL go together: set both or neither")
		}
		return nil
	}
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return errors.New("OPENAI_BASE_URL must be an http(s) URL")
	}
	return nil
}

// KeySource reads the API key from the secret store; "" with a nil error
// means no key (a local server such as Ollama needs none).
type KeySource func(ctx context.Context) (string, error)

// Lazy builds the client on first use: the key may come from the secret
// store, which is not reachable until the sidecar is up.
type Lazy struct {
	cfg  Config
	key  KeySource
	http *http.Client

	mu  sync.Mutex
	api *openai.Client
}

// NewLazy returns a lazily built client for cfg; hc bounds its calls
// (nil: no bound beyond the caller's context).
func NewLazy(cfg Config, key KeySource, hc *http.Client) *Lazy {
	if hc == nil {
		hc = &http.Client{}
	}
	return &Lazy{cfg: cfg, key: key, http: hc}
}

// Client returns the client, building it the first time. A failure to
// read the key is returned and tried again on the next call.
func (l *Lazy) Client(ctx context.Context) (*openai.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.api != nil {
		return l.api, nil
	}
	key := l.cfg.APIKey.Reveal()
	if key == "" && l.key != nil {
		k, err := l.key(ctx)
		if err != nil {
			return nil, fmt.Errorf("model api key: %w", err)
		}
		key = k
	}
	oc := openai.DefaultConfig(key)
	oc.BaseURL = strings.TrimSuffix(l.cfg.BaseURL, "/")
	oc.HTTPClient = l.http
	l.api = openai.NewClientWithConfig(oc)
	return l.api, nil
}

// Model is the configured model name.
func (l *Lazy) Model() string { return l.cfg.Model }
