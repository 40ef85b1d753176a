package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/outbox/outboxtest"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/problem"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/auth/internal/account"
	"github.com/lettertomyself/ltm/apps/auth/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/auth/internal/password"
	"github.com/lettertomyself/ltm/apps/auth/internal/postgres"
	"github.com/lettertomyself/ltm/apps/auth/internal/throttle"
	"github.com/lettertomyself/ltm/apps/auth/internal/token"
)

const appToken = "test-app-token"

type harness struct {
	t     *testing.T
	srv   *httptest.Server
	pool  *pgxpool.Pool
	clock *clock.Fake
	keys  *token.Keyring
}

// newHarness wires the service the way main does, on the router the
// platform builds, with cheap argon2id parameters and a fake clock.
func newHarness(t *testing.T, keys *token.Keyring) *harness {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pool := pgtest.New(t, service.Migrations(postgres.Migrations())...)
	fake := clock.NewFake(time.Now())
	hasher, err := password.NewHasher(password.Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, 4)
	if err != nil {
		t.Fatal(err)
	}
	policy := throttle.Policy{MaxFailures: 5, Window: 15 * time.Minute, BaseLock: time.Minute, MaxLock: time.Hour}
	addrPolicy := policy
	addrPolicy.MaxFailures = 20
	api := &httpapi.API{
		Accounts: &account.Service{
			Store:      postgres.New(pool),
			Hasher:     hasher,
			Minter:     token.NewMinter(keys, 15*time.Minute),
			Throttle:   throttle.New(postgres.NewThrottleStore(pool), fake, policy, addrPolicy),
			Clock:      fake,
			RefreshTTL: 30 * 24 * time.Hour,
			Log:        log,
		},
		Keys: keys,
		Log:  log,
	}
	router := httpx.NewRouter(log)
	api.Mount(router, router.Group("/internal", authn.RequireAppToken(appToken)), authn.NewVerifier(keys, fake))
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	return &harness{t: t, srv: srv, pool: pool, clock: fake, keys: keys}
}

type response struct {
	status int
	header http.Header
	body   map[string]any
}

func (h *harness) do(method, path, bearer string, body any, headers ...string) response {
	h.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, r)
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{status: resp.StatusCode, header: resp.Header}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			h.t.Fatalf("%s %s: body %q is not a JSON object", method, path, raw)
		}
	}
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != problem.ContentType {
		h.t.Fatalf("%s %s: error %d is not problem+json", method, path, resp.StatusCode)
	}
	return out
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
	h := newHarness(t, token.NewKeyringWith(token.GenerateKey("k1"), nil))
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

func TestRepeatedFailuresAreThrottled(t *testing.T) {
	h := newHarness(t, token.NewKeyringWith(token.GenerateKey("k1"), nil))
	h.expect(h.do("POST", "/api/auth/signup", "", map[string]string{"username": "alice", "email": "alice@example.org", "password": "paper-lantern-47"}), 201, "signup")
	bad := map[string]string{"username": "alice", "password": "not-it-at-all"}
	for i := range 5 {
		h.expect(h.do("POST", "/api/auth/login", "", bad, "X-Forwarded-For", "203.0.113.9"), 401, "failure "+string(rune('1'+i)))
	}
	// Locked even with the right password, by username or email, from anywhere.
	r := h.expect(h.do("POST", "/api/auth/login", "", map[string]string{"username": "alice@example.org", "password": "paper-lantern-47"}, "X-Forwarded-For", "198.51.100.4"), 429, "locked")
	if r.header.Get("Retry-After") != "60" {
		t.Errorf("Retry-After = %q, want 60", r.header.Get("Retry-After"))
	}
	h.clock.Advance(time.Minute)
	h.login("alice", "paper-lantern-47")
	// Success reset the account: four more misses do not lock it.
	for range 4 {
		h.expect(h.do("POST", "/api/auth/login", "", bad), 401, "failure after reset")
	}
	h.login("alice", "paper-lantern-47")
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

	prev := token.GenerateKey("old")
	keys.Set(token.GenerateKey("new"), &prev)
	r = h.expect(h.do("GET", "/api/auth/jwks", "", nil), 200, "jwks")
	ks, _ := r.body["keys"].([]any)
	if len(ks) != 2 || ks[0].(map[string]any)["kid"] != "new" || ks[0].(map[string]any)["d"] != nil {
		t.Fatalf("jwks = %v", r.body)
	}
	h.expect(h.do("GET", service.JWKSPath, "", nil), 401, "internal jwks without the app token")
	r = h.expect(h.do("GET", service.JWKSPath, "", nil, authn.AppTokenHeader, appToken), 200, "internal jwks")
	if ks, _ := r.body["keys"].([]any); len(ks) != 2 {
		t.Fatalf("internal jwks = %v", r.body)
	}
	h.login("alice", "paper-lantern-47")
}
