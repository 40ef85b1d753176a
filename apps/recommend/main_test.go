package main

import (
	"strings"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/config"
)

func load(t *testing.T, env map[string]string) Config {
	t.Helper()
	env["DATABASE_URL"] = "postgres://x@127.0.0.1/recommend"
	cfg, err := config.Load[Config](func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestConfigDefaults(t *testing.T) {
	cfg := load(t, map[string]string{})
	if cfg.StateStore != "recommend-state" || cfg.MoodTimeout != time.Second || cfg.Wait != 2*time.Second || cfg.Timeout != 20*time.Second {
		t.Errorf("defaults = %+v", cfg.Config)
	}
	if cfg.Config.Config.Enabled() || cfg.Config.Config.Validate() != nil {
		t.Errorf("the model is on or invalid without settings: %+v", cfg.Config.Config)
	}
}

func TestModelSettings(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		enabled bool
		wantErr string
	}{
		{"both set", map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1", "OPENAI_MODEL": "llama3"}, true, ""},
		{"model without URL", map[string]string{"OPENAI_MODEL": "gpt-4o-mini"}, false, "go together"},
		{"not a URL", map[string]string{"OPENAI_BASE_URL": "localhost:11434", "OPENAI_MODEL": "llama3"}, true, "http(s) URL"},
		{"wait longer than the call", map[string]string{"OPENAI_BASE_URL": "https://api.example/v1", "OPENAI_MODEL": "m", "MODEL_WAIT": "30s"}, true, "MODEL_WAIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := load(t, tt.env).Config.Config
			err := m.Validate()
			if m.Enabled() != tt.enabled || (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("enabled %v, err %v; want %v, %q", m.Enabled(), err, tt.enabled, tt.wantErr)
			}
		})
	}
}

func TestTheKeyIsNeverPrinted(t *testing.T) {
	cfg := load(t, map[string]string{"OPENAI_API_KEY": "sk-very-secret"})
	if s := cfg.APIKey.String(); strings.Contains(s, "sk-very-secret") {
		t.Errorf("the key prints as %q", s)
	}
}
