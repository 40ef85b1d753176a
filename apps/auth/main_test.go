package main

import (
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/outbox/outboxtest"
	"github.com/lettertomyself/ltm/apps/platform/problem"
	"github.com/lettertomyself/ltm/apps/platform/service"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"

	"github.com/lettertomyself/ltm/apps/auth/internal/token"
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

// generateKey makes a fresh signing key; the service's come from the
// secret store.
func generateKey(kid string) token.Key {
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		panic(err)
	}
	return token.Key{ID: kid, Private: priv}
}

func keyring(current token.Key) *token.Keyring {
	k := token.NewKeyring()
	k.Set(current, nil)
	return k
}

type harness struct {
	t     *testing.T
	srv   *servicetest.Server
	pool  *pgxpool.Pool
	clock *clock.Fake
	keys  *token.Keyring
}

// newHarness builds auth-service as main does (spec), with cheap argon2id
// parameters, a fresh database and a fake clock.
func newHarness(t *testing.T, keys *token.Keyring) *harness {
	t.Helper()
	env := map[string]string{"DATABASE_URL": "postgres://unused", "ARGON2_MEMORY_KIB": "64", "ARGON2_ITERATIONS": "1", "ARGON2_PARALLELISM": "1"}
	cfg, err := config.Load[Config](func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = *servicetest.Database(t)
	fake := clock.NewFake(time.Now())
	s := spec(cfg, keys)
	s.Clock = fake
	srv := servicetest.Start(t, s, nil)
	return &harness{t: t, srv: srv, pool: srv.DB, clock: fake, keys: keys}
}

type response struct {
	status int
	header http.Header
	body   map[string]any
}

func (h *harness) do(method, path, bearer string, body any, headers ...string) response {
	h.t.Helper()
	header := map[string]string{"Content-Type": "application/json"}
	if bearer != "" {
		header["Authorization"] = "Bearer " + bearer
	}
	for i := 0; i+1 < len(headers); i += 2 {
		header[headers[i]] = headers[i+1]
	}
	r := h.srv.Do(h.t, method, path, body, header)
	if r.Raw != "" && r.Body == nil {
		h.t.Fatalf("%s %s: body %q is not a JSON object", method, path, r.Raw)
	}
	if r.Status >= 400 && r.Header.Get("Content-Type") != problem.ContentType {
		h.t.Fatalf("%s %s: error %d is not problem+json", method, path, r.Status)
	}
	return response{status: r.Status, header: r.Header, body: r.Body}
}

func (h *harness) expect(r response, status int, what string) response {
	h.t.Helper()
	if r.status != status {
		h.t.Fatalf("%s: status %d, want %d (body %v)", what, r.status, status, r.body)
	}
	return r
}

func (h *harness) login(username, pw string) (access, refresh string) {
	h.t.Helper()
	r := h.expect(h.do("POST", "/api/auth/login", "", map[string]string{"username": username, "password": pw}), 200, "login "+username)
	if r.body["token_type"] != "Bearer" || r.body["expires_in"] != float64(900) || r.header.Get("Cache-Control") != "no-store" {
		h.t.Fatalf("login response %v %v", r.body, r.header)
	}
	return r.body["access_token"].(string), r.body["refresh_token"].(string)
}

func TestAccountLifecycle(t *testing.T) {
	h := newHarness(t, keyring(generateKey("k1")))
	const pw, pw2 = "paper-lantern-47", "quiet-harbour-92"

	// Signup checks every field at once, then creates, then refuses doubles.
	r := h.expect(h.do("POST", "/api/auth/signup", "", map[string]string{"username": "a", "email": "x", "password": "password"}), 400, "invalid signup")
	if errs, _ := r.body["errors"].(map[string]any); len(errs) != 3 {
		t.Fatalf("signup errors = %v, want username, email and password", r.body["errors"])
	}
	r = h.expect(h.do("POST", "/api/auth/signup", "", map[string]string{"username": "MinJun.Kim", "email": "MinJun@Example.org", "password": pw}), 201, "signup")
	if r.body["username"] != "minjun.kim" || r.body["email"] != "MinJun@Example.org" || r.body["id"] == "" || r.body["access_token"] != nil {
		t.Fatalf("signup body = %v", r.body)
	}
	r = h.expect(h.do("POST", "/api/auth/signup", "", map[string]string{"username": "minjun.kim", "email": "minjun@example.ORG", "password": pw}), 409, "double signup")
	if errs, _ := r.body["errors"].(map[string]any); errs["username"] == nil || errs["email"] == nil {
		t.Fatalf("409 errors = %v, want both fields", r.body["errors"])
	}

	// Login, refresh, and theft detection.
	h.expect(h.do("POST", "/api/auth/login", "", map[string]string{"username": "minjun.kim", "password": "wrong-password"}), 401, "wrong password")
	unknown := h.expect(h.do("POST", "/api/auth/login", "", map[string]string{"username": "nobody", "password": "wrong-password"}), 401, "unknown user")
	wrong := h.do("POST", "/api/auth/login", "", map[string]string{"username": "minjun.kim", "password": "wrong-password"})
	if unknown.body["detail"] != wrong.body["detail"] {
		t.Errorf("unknown user and wrong password answer differently: %v / %v", unknown.body, wrong.body)
	}
	_, refresh1 := h.login("minjun.kim", pw)
	r = h.expect(h.do("POST", "/api/auth/refresh", "", map[string]string{"refresh_token": refresh1}), 200, "refresh")
	refresh2 := r.body["refresh_token"].(string)
	h.expect(h.do("POST", "/api/auth/refresh", "", map[string]string{"refresh_token": refresh1}), 401, "reusing a spent token")
	h.expect(h.do("POST", "/api/auth/refresh", "", map[string]string{"refresh_token": refresh2}), 401, "the family after reuse")

	// Logout by email login; idempotent.
	_, refresh3 := h.login("MINJUN@example.org", pw)
	h.expect(h.do("POST", "/api/auth/logout", "", map[string]string{"refresh_token": refresh3}), 204, "logout")
	h.expect(h.do("POST", "/api/auth/logout", "", map[string]string{"refresh_token": refresh3}), 204, "logout again")
	h.expect(h.do("POST", "/api/auth/refresh", "", map[string]string{"refresh_token": refresh3}), 401, "refresh after logout")

	// Password change: needs the token and the current password, applies
	// the policy, and signs every session out.
	access, refresh4 := h.login("minjun.kim", pw)
	h.expect(h.do("POST", "/api/auth/password", "", map[string]string{"current_password": pw, "new_password": pw2}), 401, "password change without token")
	r = h.expect(h.do("POST", "/api/auth/password", access, map[string]string{"current_password": "nope-nope-nope", "new_password": pw2}), 400, "wrong current password")
	if errs, _ := r.body["errors"].(map[string]any); errs["current_password"] == nil {
		t.Errorf("errors = %v", r.body["errors"])
	}
	r = h.expect(h.do("POST", "/api/auth/password", access, map[string]string{"current_password": pw, "new_password": "minjunkim1"}), 400, "weak new password")
	if errs, _ := r.body["errors"].(map[string]any); errs["new_password"] == nil {
		t.Errorf("errors = %v", r.body["errors"])
	}
	h.expect(h.do("POST", "/api/auth/password", access, map[string]string{"current_password": pw, "new_password": pw2}), 204, "password change")
	h.expect(h.do("POST", "/api/auth/refresh", "", map[string]string{"refresh_token": refresh4}), 401, "refresh after password change")
	h.expect(h.do("POST", "/api/auth/login", "", map[string]string{"username": "minjun.kim", "password": pw}), 401, "old password")
	access, _ = h.login("minjun.kim", pw2)

	// Email change.
	h.expect(h.do("POST", "/api/auth/signup", "", map[string]string{"username": "other", "email": "other@example.org", "password": "silver-birch-31"}), 201, "second signup")
	h.expect(h.do("POST", "/api/auth/email", access, map[string]string{"password": pw2, "email": "OTHER@example.org"}), 409, "email taken")
	h.expect(h.do("POST", "/api/auth/email", access, map[string]string{"password": pw2, "email": "minjun@new.example"}), 204, "email change")
	h.login("minjun@new.example", pw2)

	// Deletion.
	h.expect(h.do("DELETE", "/api/auth/account", access, map[string]string{"password": pw}), 400, "delete with the old password")
	h.expect(h.do("DELETE", "/api/auth/account", access, map[string]string{"password": pw2}), 204, "delete")
	h.expect(h.do("POST", "/api/auth/login", "", map[string]string{"username": "minjun.kim", "password": pw2}), 401, "login after delete")
	h.expect(h.do("DELETE", "/api/auth/account", access, map[string]string{"password": pw2}), 401, "delete twice")

	want := "user.registered user.registered user.email_changed user.deleted"
	if got := strings.Join(outboxtest.Topics(t, h.pool), " "); got != want {
		t.Errorf("events = %s, want %s", got, want)
	}
}

// viaGateway are the headers of a call the gateway forwarded through Dapr
// for a client at addr: only then is X-Forwarded-For believed.
func viaGateway(addr string) []string {
	return []string{authn.AppTokenHeader, servicetest.AppToken, authn.CallerAppHeader, "gateway", "X-Forwarded-For", addr}
}

func TestRepeatedFailuresAreThrottled(t *testing.T) {
	h := newHarness(t, keyring(generateKey("k1")))
	h.expect(h.do("POST", "/api/auth/signup", "", map[string]string{"username": "alice", "email": "alice@example.org", "password": "paper-lantern-47"}), 201, "signup")
	bad := map[string]string{"username": "alice", "password": "not-it-at-all"}
	good := map[string]string{"username": "alice@example.org", "password": "paper-lantern-47"}
	const stranger, owner = "203.0.113.9", "198.51.100.4"
	for i := range 5 {
		h.expect(h.do("POST", "/api/auth/login", "", bad, viaGateway(stranger)...), 401, "failure "+string(rune('1'+i)))
	}
	// The stranger's address is locked out of alice, even with the right
	// password, by username or email.
	r := h.expect(h.do("POST", "/api/auth/login", "", good, viaGateway(stranger)...), 429, "locked")
	if r.header.Get("Retry-After") != "60" {
		t.Errorf("Retry-After = %q, want 60", r.header.Get("Retry-After"))
	}
	// Issue 15, finding 4: alice from her own address is not.
	h.expect(h.do("POST", "/api/auth/login", "", good, viaGateway(owner)...), 200, "the owner from her address")
	// Naming the owner's address without coming through the gateway does
	// not borrow it: a direct call counts as its own peer address.
	for range 5 {
		h.expect(h.do("POST", "/api/auth/login", "", bad, "X-Forwarded-For", owner), 401, "direct failure")
	}
	h.expect(h.do("POST", "/api/auth/login", "", good, viaGateway(owner)...), 200, "the owner, after direct failures claiming her address")

	h.clock.Advance(time.Minute)
	h.expect(h.do("POST", "/api/auth/login", "", good, viaGateway(stranger)...), 200, "the stranger's lock ran out")
	// Success reset the pair: four more misses do not lock it.
	for range 4 {
		h.expect(h.do("POST", "/api/auth/login", "", bad, viaGateway(stranger)...), 401, "failure after reset")
	}
	h.expect(h.do("POST", "/api/auth/login", "", good, viaGateway(stranger)...), 200, "login after four misses")
}

func TestKeysAndJWKS(t *testing.T) {
	keys := token.NewKeyring()
	h := newHarness(t, keys)
	h.expect(h.do("GET", "/api/auth/jwks", "", nil), 503, "jwks before keys")
	h.expect(h.do("POST", "/api/auth/signup", "", map[string]string{"username": "alice", "email": "alice@example.org", "password": "paper-lantern-47"}), 201, "signup works without keys")
	r := h.expect(h.do("POST", "/api/auth/login", "", map[string]string{"username": "alice", "password": "paper-lantern-47"}), 503, "login before keys")
	if r.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	h.expect(h.do("POST", "/api/auth/password", "some.token", map[string]string{}), 503, "signed-in route before keys")

	prev := generateKey("old")
	keys.Set(generateKey("new"), &prev)
	r = h.expect(h.do("GET", "/api/auth/jwks", "", nil), 200, "jwks")
	ks, _ := r.body["keys"].([]any)
	if len(ks) != 2 || ks[0].(map[string]any)["kid"] != "new" || ks[0].(map[string]any)["d"] != nil {
		t.Fatalf("jwks = %v", r.body)
	}
	h.expect(h.do("GET", service.JWKSPath, "", nil), 401, "internal jwks without the app token")
	r = h.expect(h.do("GET", service.JWKSPath, "", nil, authn.AppTokenHeader, servicetest.AppToken), 200, "internal jwks")
	if ks, _ := r.body["keys"].([]any); len(ks) != 2 {
		t.Fatalf("internal jwks = %v", r.body)
	}
	h.login("alice", "paper-lantern-47")
}
