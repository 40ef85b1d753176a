package main

import (
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/config"
)

func TestConfigDefaults(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "postgres://x", "ARGON2_MEMORY_KIB": "19456"}
	cfg, err := config.Load[Config](func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AccessTokenTTL != 15*time.Minute || cfg.RefreshTokenTTL != 30*24*time.Hour || cfg.Argon2MemoryKiB != 19456 ||
		cfg.ThrottleAccountFailures != 5 || cfg.ThrottleMaxLock != time.Hour {
		t.Errorf("config = %+v", cfg)
	}
}
