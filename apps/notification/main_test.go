package main

import (
	"os"
	"regexp"
	"slices"
	"strconv"
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
	// 21 = components/resiliency.yaml mailEventRetry maxRetries (20) + the first delivery.
	if cfg.MaxAttempts != 21 || !slices.Equal(cfg.MailBindings, []string{"mail", "mail-2", "mail-3", "mail-4"}) || cfg.PublicBaseURL != "http://127.0.0.1:8080" ||
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

// The attempts the history counts are the deliveries the sidecar makes:
// mail requests arrive through pubsub-notification-requested, whose inbound
// retry policy is mailEventRetry, and MAX_ATTEMPTS is its retries + 1.
func TestMaxAttemptsFollowsTheMailRetryPolicy(t *testing.T) {
	b, err := os.ReadFile("../../components/resiliency.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	target := regexp.MustCompile(`(?m)^\s+pubsub-notification-requested:\n\s+inbound:\n(?:\s+.*\n)*?\s+retry: (\S+)`).FindStringSubmatch(src)
	if target == nil || target[1] != "mailEventRetry" {
		t.Fatalf("pubsub-notification-requested's inbound retry is %v, want mailEventRetry", target)
	}
	policy := regexp.MustCompile(`(?m)^\s+mailEventRetry:\n(?:\s+.*\n)*?\s+maxRetries: (\d+)`).FindStringSubmatch(src)
	if policy == nil {
		t.Fatal("no mailEventRetry.maxRetries in components/resiliency.yaml")
	}
	retries, _ := strconv.Atoi(policy[1])
	env := map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1/notification"}
	cfg, err := config.Load[Config](func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxAttempts != retries+1 {
		t.Errorf("MAX_ATTEMPTS default %d, mailEventRetry maxRetries %d: want retries + 1", cfg.MaxAttempts, retries)
	}
}
