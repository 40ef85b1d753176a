package config

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

type testConfig struct {
	Base
	Database
	Limit int `env:"LIMIT" envDefault:"3"`
}

func lookup(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaultsAndValues(t *testing.T) {
	cfg, err := Load[testConfig](lookup(map[string]string{
		"APP_PORT":     "8001",
		"DATABASE_URL": "postgres://u:pw@h/db",
		"LOG_LEVEL":    "debug",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := cfg.Port, 8001; got != want {
		t.Errorf("Port = %d, want %d", got, want)
	}
	if got, want := cfg.LogLevel, slog.LevelDebug; got != want {
		t.Errorf("LogLevel = %v, want %v", got, want)
	}
	if got, want := cfg.ShutdownTimeout, 4*time.Second; got != want {
		t.Errorf("ShutdownTimeout = %v, want %v", got, want)
	}
	if got, want := cfg.Limit, 3; got != want {
		t.Errorf("Limit = %d, want %d", got, want)
	}
	if got, want := cfg.DatabaseURL.Reveal(), "postgres://u:pw@h/db"; got != want {
		t.Errorf("DatabaseURL = %q, want %q", got, want)
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	_, err := Load[testConfig](lookup(map[string]string{
		"APP_PORT":         "not-a-number",
		"SHUTDOWN_TIMEOUT": "soon",
	}))
	if err == nil {
		t.Fatal("Load succeeded, want an error")
	}
	for _, name := range []string{"APP_PORT", "SHUTDOWN_TIMEOUT", "DATABASE_URL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("hunter2")
	var b strings.Builder
	logger := slog.New(slog.NewJSONHandler(&b, nil))
	logger.Info("cfg", "secret", s)
	for name, out := range map[string]string{
		"fmt %v":  fmt.Sprintf("%v", s),
		"fmt %s":  fmt.Sprintf("%s", s),
		"fmt %+v": fmt.Sprintf("%+v", struct{ S Secret }{s}),
		"slog":    b.String(),
	} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("%s leaks the secret: %s", name, out)
		}
	}
	if s.Reveal() != "hunter2" {
		t.Error("Reveal lost the value")
	}
}
