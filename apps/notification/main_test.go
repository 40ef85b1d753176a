package main

import (
	"strings"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/config"
)

func TestConfigDefaults(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1/notification"}
	cfg, err := config.Load[Config](func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	// 11 = components/resiliency.yaml eventRetry maxRetries (10) + the first delivery.
	if cfg.MaxAttempts != 11 || cfg.MailBinding != "mail" || cfg.PublicBaseURL != "http://127.0.0.1:8080" ||
		cfg.ClaimLease != 2*time.Minute || cfg.SendTimeout != 40*time.Second {
		t.Errorf("defaults = %+v", cfg.Mail)
	}
}

func TestConfigNeedsTheDatabase(t *testing.T) {
	_, err := config.Load[Config](func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("err = %v, want DATABASE_URL named", err)
	}
}
