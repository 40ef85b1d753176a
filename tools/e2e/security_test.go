//go:build e2e

package e2e

import (
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Issue 15, finding 1: each request below went through on a sidecar's
// loopback port without any credential. Now a sidecar answers nobody
// without its API token, and with it an app can do only what its own role
// needs.
func TestSidecarAPIsRefuseCallersWithoutTheToken(t *testing.T) {
	tests := []struct {
		name, app, method, path string
		body                    any
	}{
		{"read the signing key id", "auth-service", http.MethodGet, "/v1.0/secrets/secretstore/jwt-signing-kid", nil},
		{"read the letter key", "letter-service", http.MethodGet, "/v1.0/secrets/secretstore/letter-encryption-key", nil},
		{"unseal a letter's images", "gateway", http.MethodPost, "/v1.0/invoke/letter-storage-service/method/internal/images/detach", map[string]string{"letter_id": "00000000-0000-0000-0000-000000000000"}},
		{"list stored images", "letter-storage-service", http.MethodPost, "/v1.0/bindings/images", map[string]any{"operation": "list"}},
		{"look up anyone's contact", "notification-service", http.MethodGet, "/v1.0/invoke/user-service/method/internal/users/00000000-0000-0000-0000-000000000000/contact", nil},
		{"forge user.deleted", "routine-service", http.MethodPost, "/v1.0/publish/pubsub/user.deleted", map[string]string{"user_id": "00000000-0000-0000-0000-000000000000"}},
		{"forge emotion.analyzed", "emotion-ml-service", http.MethodPost, "/v1.0/publish/pubsub/emotion.analyzed", map[string]string{"letter_id": "x"}},
		{"read the state store", "emotion-store-service", http.MethodGet, "/v1.0/state/emotion-state/anything", nil},
		{"send mail", "notification-service", http.MethodPost, "/v1.0/bindings/mail", map[string]any{"operation": "create", "data": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := sys.daprURL(t, tt.app) + tt.path
			expect(t, call(t, tt.method, url, tt.body), http.StatusUnauthorized, "without a token")
			expect(t, call(t, tt.method, url, tt.body, "dapr-api-token", "guess"), http.StatusUnauthorized, "with a wrong token")
		})
	}
	// Health checks stay open: the launcher and probes need no secret.
	expect(t, call(t, http.MethodGet, sys.daprURL(t, "gateway")+"/v1.0/healthz", nil), http.StatusNoContent, "sidecar health")
}

// Each app reads only its own secrets through the secrets API; the others
// read none (their sidecars still resolve their components' references).
func TestSecretsAreScopedPerApp(t *testing.T) {
	tests := []struct {
		name, app, key string
		want           int
	}{
		{"auth reads its signing key id", "auth-service", "jwt-signing-kid", http.StatusOK},
		{"auth may not read the letter key", "auth-service", "letter-encryption-key", http.StatusForbidden},
		{"auth may not read the app token", "auth-service", "app-api-token", http.StatusForbidden},
		{"letter reads its key id", "letter-service", "letter-encryption-kid", http.StatusOK},
		{"letter may not read the signing key", "letter-service", "jwt-signing-key", http.StatusForbidden},
		{"user-service may not read the signing key", "user-service", "jwt-signing-key", http.StatusForbidden},
		{"user-service may not read the broker's password", "user-service", "rabbitmq-url", http.StatusForbidden},
		{"emotion-ml may not read the letter key", "emotion-ml-service", "letter-encryption-key", http.StatusForbidden},
		{"recommend may not read the signing key", "recommend-service", "jwt-signing-key", http.StatusForbidden},
		{"letter-storage may not read the letter key", "letter-storage-service", "letter-encryption-key", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sidecarCall(t, http.MethodGet, sys.daprURL(t, tt.app)+"/v1.0/secrets/secretstore/"+tt.key, nil)
			expect(t, r, tt.want, tt.app+" reads "+tt.key)
		})
	}
	// The gateway has no secret store at all.
	r := sidecarCall(t, http.MethodGet, sys.daprURL(t, "gateway")+"/v1.0/secrets/secretstore/jwt-signing-key", nil)
	if r.Status == http.StatusOK {
		t.Fatalf("the gateway read the signing key: %d", r.Status)
	}
}

// The per-app Configurations are config.yaml plus their secrets: nothing
// else may drift between them.
func TestConfigurationsDifferOnlyInSecrets(t *testing.T) {
	read := func(name string) map[string]any {
		docs, err := readDocs(filepath.Join(sys.W.Repo, "components", name))
		if err != nil || len(docs) != 1 {
			t.Fatalf("%s: %d documents, %v", name, len(docs), err)
		}
		d := docs[0]
		delete(d["metadata"].(map[string]any), "name")
		delete(d["spec"].(map[string]any), "secrets")
		return d
	}
	want := read("config.yaml")
	own, err := filepath.Glob(filepath.Join(sys.W.Repo, "components", "config-*.yaml"))
	if err != nil || len(own) == 0 {
		t.Fatalf("no per-app Configuration: %v", err)
	}
	for _, f := range own {
		if got := read(filepath.Base(f)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s differs from config.yaml beyond secrets:\n%v\nwant\n%v", filepath.Base(f), got, want)
		}
	}
}

// Only each topic's producer may publish it, even with the token.
func TestTopicsArePublishedOnlyByTheirProducer(t *testing.T) {
	tests := []struct{ app, topic string }{
		{"letter-service", "user.deleted"},
		{"user-service", "user.deleted"},
		{"letter-service", "emotion.analyzed"},
		{"emotion-store-service", "emotion.analyzed"},
		{"auth-service", "letter.deleted"},
		{"routine-service", "notification.requested"},
		{"emotion-ml-service", "routine.deleted"},
		{"notification-service", "user.registered"},
	}
	for _, tt := range tests {
		t.Run(tt.app+" "+tt.topic, func(t *testing.T) {
			r := sidecarCall(t, http.MethodPost, sys.daprURL(t, tt.app)+"/v1.0/publish/pubsub/"+tt.topic, map[string]string{"user_id": "00000000-0000-0000-0000-000000000000"})
			expect(t, r, http.StatusForbidden, tt.app+" publishes "+tt.topic)
		})
	}
}

// An internal endpoint answers its caller only, even through Dapr with
// every token: detaching a sealed letter's images was the attack.
func TestInternalEndpointsAnswerOnlyTheirCaller(t *testing.T) {
	tests := []struct{ from, app, method, path string }{
		{probeID, "letter-storage-service", http.MethodPost, "/internal/images/detach"},
		{"gateway", "letter-storage-service", http.MethodPost, "/internal/images/attach"},
		{"gateway", "user-service", http.MethodGet, "/internal/users/00000000-0000-0000-0000-000000000000/contact"},
		{probeID, "letter-service", http.MethodGet, "/internal/letters/00000000-0000-0000-0000-000000000000/text"},
		{"gateway", "emotion-store-service", http.MethodGet, "/internal/users/00000000-0000-0000-0000-000000000000/mood"},
		{"gateway", "emotion-ml-service", http.MethodPost, "/internal/analyze"},
	}
	for _, tt := range tests {
		t.Run(tt.from+" → "+tt.app+tt.path, func(t *testing.T) {
			url := sys.daprURL(t, tt.from) + "/v1.0/invoke/" + tt.app + "/method" + tt.path
			eventually(t, 30*time.Second, "refused", func() error {
				r := sidecarCall(t, tt.method, url, map[string]string{"letter_id": "00000000-0000-0000-0000-000000000000"})
				if r.Status >= 200 && r.Status < 300 {
					t.Fatalf("answered %d: %s", r.Status, r.Body)
				}
				if r.Status != http.StatusForbidden || !strings.Contains(r.Header.Get("Content-Type"), "problem+json") {
					return fmt.Errorf("%d %s", r.Status, r.Body)
				}
				return nil
			})
		})
	}
}

// Finding 2: apps, sidecars and metrics listened on every interface. Now
// nothing of the system answers on this machine's other addresses.
func TestNothingListensBeyondLoopback(t *testing.T) {
	var addrs []string
	ifaces, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ifaces {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
			addrs = append(addrs, ipn.IP.String())
		}
	}
	if len(addrs) == 0 {
		t.Skip("this machine has no address but loopback")
	}
	for _, id := range append([]string{"gateway"}, services...) {
		a, ok := sys.Launch.App(id)
		if !ok {
			t.Fatalf("no app %s", id)
		}
		ports := map[string]int{"app": a.AppPort, "sidecar http": a.DaprHTTPPort, "sidecar grpc": a.DaprGRPCPort, "metrics": a.MetricsPort}
		for what, port := range ports {
			// The port answers on loopback: the check below means something.
			c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 2*time.Second)
			if err != nil {
				t.Errorf("%s %s: nothing on 127.0.0.1:%d: %v", id, what, port, err)
				continue
			}
			c.Close()
			for _, ip := range addrs {
				if c, err := net.DialTimeout("tcp", net.JoinHostPort(ip, strconv.Itoa(port)), 2*time.Second); err == nil {
					c.Close()
					t.Errorf("%s %s answers on %s:%d", id, what, ip, port)
				}
			}
		}
	}
}

// Finding 5: NUL in a login name, a letter's title or content answered 500
// (Postgres refuses NUL). Now every field refuses it with a 400 naming it,
// and nothing is stored.
func TestControlCharactersAreRefusedWithTheirField(t *testing.T) {
	problemFor := func(t *testing.T, r response, field string) {
		t.Helper()
		expect(t, r, http.StatusBadRequest, "request with a control character")
		var p struct{ Errors map[string]string }
		r.json(t, &p)
		if p.Errors[field] == "" {
			t.Errorf("no message for %s: %s", field, r.Body)
		}
	}
	gw := sys.gatewayURL(t)
	problemFor(t, call(t, http.MethodPost, gw+"/api/auth/login", map[string]string{"username": "a\x00b", "password": "x"}), "username")
	problemFor(t, call(t, http.MethodPost, gw+"/api/auth/signup", map[string]string{"username": "e2e_\x00", "email": "x@example.com", "password": "paper-moon-42"}), "username")

	w := newWriter(t)
	letter := func(title, content string) map[string]any {
		return map[string]any{"title": title, "content": content, "open_date": time.Now().AddDate(0, 0, 2).Format(time.DateOnly)}
	}
	problemFor(t, w.call(t, http.MethodPost, "/api/letters", letter("제목\x00", "내용")), "title")
	problemFor(t, w.call(t, http.MethodPost, "/api/letters", letter("제목", "내용\x00")), "content")
	problemFor(t, w.call(t, http.MethodPost, "/api/letters", letter("a\u202eb", "내용")), "title")
	problemFor(t, w.call(t, http.MethodPost, "/api/letters", letter("\u200b\u200b", "내용")), "title")
	problemFor(t, w.call(t, http.MethodPatch, "/api/users/me", map[string]string{"nickname": "\x00"}), "nickname")
	problemFor(t, w.call(t, http.MethodPost, "/api/routines", map[string]any{"title": "\x00", "kind": "weekly", "weekday": "monday", "time": "09:00"}), "title")
	problemFor(t, w.call(t, http.MethodPost, "/api/special-dates", map[string]any{"name": "생일\u202e", "date": "2026-05-05", "yearly": true}), "name")

	// Line breaks, tabs and emoji with joiners are text, not attacks.
	expect(t, w.call(t, http.MethodPost, "/api/letters", letter("우리 👩\u200d👩\u200d👧 ❤\ufe0f", "첫 줄\r\n\t둘째 줄")), http.StatusCreated, "a letter with emoji and line breaks")
}

// Finding 7: the sidecar's own errors reached the client ("ERR_DIRECT_INVOKE
// … invalid control character in URL"), CONNECT answered 502.
func TestTheEdgeNamesNothingInternal(t *testing.T) {
	w := newWriter(t)
	gw := sys.gatewayURL(t)
	tests := []struct {
		name, method, path string
		want               int
	}{
		{"NUL in a letter id", http.MethodGet, "/api/letters/%00", http.StatusBadRequest},
		{"escape in a query", http.MethodGet, "/api/letters?category=%1b", http.StatusBadRequest},
		{"CONNECT", http.MethodConnect, "/api/letters", http.StatusMethodNotAllowed},
		{"TRACE", http.MethodTrace, "/api/letters", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, tt.method, gw+tt.path, nil, bearer(w.token)...)
			expect(t, r, tt.want, tt.method+" "+tt.path)
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("answer is %q, want a problem", r.Header.Get("Content-Type"))
			}
			for _, leak := range []string{"ERR_", "dapr", "Dapr", "sqlite", "invoke"} {
				if strings.Contains(string(r.Body), leak) {
					t.Errorf("answer names %q: %s", leak, r.Body)
				}
			}
		})
	}
	if r := call(t, http.MethodGet, gw+"/", nil); r.Header.Get("Permissions-Policy") == "" {
		t.Error("the web client is served without a Permissions-Policy")
	}
}
