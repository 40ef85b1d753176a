//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var services = []string{
	"auth-service", "user-service", "routine-service", "scheduler-service",
	"notification-service", "letter-service", "letter-storage-service",
	"emotion-ml-service", "emotion-store-service", "recommend-service",
}

// The gateway reaches every service by service invocation, and each
// service has its database and sidecar.
func TestGatewayReachesEveryServiceByInvocation(t *testing.T) {
	var health struct{ Services map[string]string }
	r := call(t, http.MethodGet, sys.gatewayURL(t)+"/healthz/services", nil)
	expect(t, r, http.StatusOK, "gateway /healthz/services")
	r.json(t, &health)
	for _, app := range services {
		if health.Services[app] != "ok" {
			t.Errorf("%s: %q through the gateway, want ok", app, health.Services[app])
		}
	}

	gw := sys.daprURL(t, "gateway")
	for _, app := range services {
		var ready struct{ Checks map[string]string }
		r := sidecarCall(t, http.MethodGet, gw+"/v1.0/invoke/"+app+"/method/readyz", nil)
		expect(t, r, http.StatusOK, app+" /readyz")
		r.json(t, &ready)
		if ready.Checks["database"] != "ok" || ready.Checks["sidecar"] != "ok" {
			t.Errorf("%s readyz checks = %v, want database and sidecar ok", app, ready.Checks)
		}
	}
}

// The edge answers problems for what it does not route, /internal/ included.
func TestGatewayRoutesOnlyThePublicAPI(t *testing.T) {
	for _, path := range []string{"/api/nothing-here", "/internal/status", "/api/internal/status", "/api/users/../internal/x"} {
		r := call(t, http.MethodGet, sys.gatewayURL(t)+path, nil)
		if r.Status != http.StatusNotFound || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("GET %s = %d %s, want a 404 problem", path, r.Status, r.Header.Get("Content-Type"))
		}
	}
	r := call(t, http.MethodGet, sys.gatewayURL(t)+"/", nil)
	expect(t, r, http.StatusOK, "web client")
	if r.Header.Get("Content-Security-Policy") == "" {
		t.Error("web client served without a Content-Security-Policy")
	}
}

// A message published while its subscriber is down is delivered when the
// subscriber comes back: the queue is durable and outlives its consumer.
func TestPubSubSurvivesSubscriberDown(t *testing.T) {
	publisher := sys.daprURL(t, "auth-service")
	publish := func(nonce string) {
		r := sidecarCall(t, http.MethodPost, publisher+"/v1.0/publish/pubsub/"+probeTopic, map[string]string{"nonce": nonce})
		expect(t, r, http.StatusNoContent, "publish")
	}
	delivered := func(nonce string) func() error {
		return func() error {
			if n := sys.probe.deliveries(nonce); n == 0 {
				return errors.New("not delivered yet")
			}
			return nil
		}
	}

	first := "up-" + randomHex(4)
	publish(first)
	eventually(t, 30*time.Second, "delivery to a running subscriber", delivered(first))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := sys.Launch.StopApp(ctx, probeID); err != nil {
		t.Fatalf("stop subscriber: %v", err)
	}
	second := "down-" + randomHex(4)
	publish(second)
	if n := sys.probe.deliveries(second); n != 0 {
		t.Fatalf("delivered %d times while the subscriber was down", n)
	}
	if err := sys.Launch.StartApp(ctx, probeID); err != nil {
		t.Fatalf("start subscriber: %v", err)
	}
	eventually(t, 60*time.Second, "delivery after the subscriber came back", delivered(second))
}

// The Postgres state store keeps values and refuses a stale ETag.
func TestStateStoreETagConflict(t *testing.T) {
	base := sys.daprURL(t, "emotion-store-service") + "/v1.0/state/emotion-state"
	key := "e2e-" + randomHex(4)

	expect(t, sidecarCall(t, http.MethodPost, base, []map[string]any{{"key": key, "value": map[string]int{"n": 1}}}), http.StatusNoContent, "first save")
	got := sidecarCall(t, http.MethodGet, base+"/"+key, nil)
	expect(t, got, http.StatusOK, "get")
	etag := got.Header.Get("ETag")
	if etag == "" || value(t, got) != 1 {
		t.Fatalf("get = %s with ETag %q", got.Body, etag)
	}

	stale := sidecarCall(t, http.MethodPost, base, []map[string]any{{"key": key, "value": map[string]int{"n": 2}, "etag": "999999", "options": map[string]string{"concurrency": "first-write"}}})
	expect(t, stale, http.StatusConflict, "save with a stale ETag")

	fresh := sidecarCall(t, http.MethodPost, base, []map[string]any{{"key": key, "value": map[string]int{"n": 3}, "etag": etag, "options": map[string]string{"concurrency": "first-write"}}})
	expect(t, fresh, http.StatusNoContent, "save with the current ETag")
	got = sidecarCall(t, http.MethodGet, base+"/"+key, nil)
	if value(t, got) != 3 || got.Header.Get("ETag") == etag {
		t.Errorf("after update: %s with ETag %q (was %q)", got.Body, got.Header.Get("ETag"), etag)
	}
	expect(t, sidecarCall(t, http.MethodDelete, base+"/"+key, nil), http.StatusNoContent, "delete")
}

func value(t *testing.T, r response) int {
	var v struct{ N int }
	r.json(t, &v)
	return v.N
}

// Images round-trip through the images binding, byte for byte, on the
// local default and on the gcp.bucket variant against a GCS emulator.
func TestImagesBinding(t *testing.T) {
	tests := []struct {
		name, binding string
		stored        func(key string) ([]byte, error)
	}{
		{"localstorage", "images", func(key string) ([]byte, error) {
			return os.ReadFile(filepath.Join(sys.W.Data, "images", key))
		}},
		{"gcp.bucket", "images-gcs", func(key string) ([]byte, error) {
			obj, err := sys.GCS.GetObject(gcsBucket, key)
			return obj.Content, err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := sys.daprURL(t, "letter-storage-service") + "/v1.0/bindings/" + tt.binding
			img := make([]byte, 64<<10)
			_, _ = rand.Read(img)
			copy(img, "\x89PNG\r\n\x1a\n")
			key := "users/e2e/" + randomHex(8)
			meta := map[string]string{"key": key, "fileName": key}

			expect(t, sidecarCall(t, http.MethodPost, url, map[string]any{
				"operation": "create", "data": base64.StdEncoding.EncodeToString(img), "metadata": meta,
			}), http.StatusOK, "create")
			stored, err := tt.stored(key)
			if err != nil || !bytes.Equal(stored, img) {
				t.Fatalf("stored object: %d bytes, err %v; want the %d bytes sent", len(stored), err, len(img))
			}

			got := sidecarCall(t, http.MethodPost, url, map[string]any{"operation": "get", "metadata": meta})
			expect(t, got, http.StatusOK, "get")
			if !bytes.Equal(got.Body, img) {
				t.Fatalf("read back %d bytes, not the %d written", len(got.Body), len(img))
			}

			expect(t, sidecarCall(t, http.MethodPost, url, map[string]any{"operation": "delete", "metadata": meta}), http.StatusNoContent, "delete")
			if _, err := tt.stored(key); err == nil {
				t.Error("object still stored after delete")
			}
		})
	}
}

// A mail sent through the smtp binding reaches an SMTP server.
func TestMailThroughSMTPBinding(t *testing.T) {
	subject := "e2e " + randomHex(4)
	url := sys.daprURL(t, "notification-service") + "/v1.0/bindings/mail"
	r := sidecarCall(t, http.MethodPost, url, map[string]any{
		"operation": "create",
		"data":      "<p>편지가 열렸어요 · your letter is open</p>",
		"metadata":  map[string]string{"emailTo": "writer@example.com", "subject": subject},
	})
	expectOK(t, r, "send mail")
	eventually(t, 30*time.Second, "mail at the SMTP server", func() error {
		for _, m := range sys.SMTP.Messages() {
			if strings.Contains(m.MsgRequest(), subject) {
				rcpt := fmt.Sprint(m.RcpttoRequestResponse())
				if !strings.Contains(rcpt, "writer@example.com") {
					return fmt.Errorf("mail went to %s", rcpt)
				}
				return nil
			}
		}
		return errors.New("no mail with the subject yet")
	})
}

// The cron binding drives the scheduler's sweep.
func TestCronBindingFires(t *testing.T) {
	url := sys.daprURL(t, probeID) + "/v1.0/invoke/scheduler-service/method/internal/status"
	var before struct{ Sweeps int64 }
	r := sidecarCall(t, http.MethodGet, url, nil)
	expect(t, r, http.StatusOK, "scheduler status")
	r.json(t, &before)
	eventually(t, 30*time.Second, "two more sweeps", func() error {
		var now struct{ Sweeps int64 }
		sidecarCall(t, http.MethodGet, url, nil).json(t, &now)
		if now.Sweeps < before.Sweeps+2 {
			return fmt.Errorf("sweeps %d → %d", before.Sweeps, now.Sweeps)
		}
		return nil
	})
}
