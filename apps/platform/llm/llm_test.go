package llm

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"off", Config{}, true},
		{"on", Config{BaseURL: "http://127.0.0.1:11434/v1", Model: "llama3"}, true},
		{"model without URL", Config{Model: "gpt-4o-mini"}, false},
		{"URL without model", Config{BaseURL: "https://api.openai.com/v1"}, false},
		{"not a URL", Config{BaseURL: "127.0.0.1:11434", Model: "m"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// The key is read once it is needed, retried after a failure, and sent as
// the bearer token; the configured key wins over the secret store.
func TestLazyKey(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"object":"list","data":[]}`))
	}))
	defer srv.Close()

	reads := 0
	failing := true
	l := NewLazy(Config{BaseURL: srv.URL + "/", Model: "m"}, func(context.Context) (string, error) {
		reads++
		if failing {
			return "", errors.New("sidecar not up")
		}
		return "from-store", nil
	}, nil)
	if _, err := l.Client(context.Background()); err == nil {
		t.Fatal("a key read failure built a client")
	}
	failing = false
	c, err := l.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListModels(context.Background()); err != nil {
		t.Fatal(err)
	}
	if auth != "Bearer from-store" || reads != 2 {
		t.Errorf("auth %q after %d reads", auth, reads)
	}
	if c2, _ := l.Client(context.Background()); c2 != c || reads != 2 {
		t.Error("the client was built twice")
	}

	configured := NewLazy(Config{BaseURL: srv.URL, Model: "m", APIKey: "from-env"}, func(context.Context) (string, error) {
		t.Error("the store was asked although a key is configured")
		return "", nil
	}, nil)
	c, _ = configured.Client(context.Background())
	if _, err := c.ListModels(context.Background()); err != nil || auth != "Bearer from-env" {
		t.Errorf("auth %q, err %v", auth, err)
	}
}
