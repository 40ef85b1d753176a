package authn_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
)

type keyPair struct {
	kid  string
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

func newKey(t *testing.T, kid string) keyPair {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{kid, pub, priv}
}

// staticKeys is a KeySource over fixed keys.
type staticKeys map[string]ed25519.PublicKey

func (s staticKeys) Key(_ context.Context, kid string) (ed25519.PublicKey, error) {
	if k, ok := s[kid]; ok {
		return k, nil
	}
	return nil, errors.New("unknown kid")
}

var (
	t0   = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	user = uuid.NewString()
)

func mint(t *testing.T, k keyPair, mutate func(*jwt.RegisteredClaims)) string {
	t.Helper()
	c := jwt.RegisteredClaims{
		Issuer: authn.Issuer, Audience: jwt.ClaimStrings{authn.Audience}, Subject: user,
		IssuedAt: jwt.NewNumericDate(t0), ExpiresAt: jwt.NewNumericDate(t0.Add(15 * time.Minute)), ID: uuid.NewString(),
	}
	if mutate != nil {
		mutate(&c)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = k.kid
	s, err := tok.SignedString(k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerify(t *testing.T) {
	good, foreign := newKey(t, "k1"), newKey(t, "k1") // same kid, other key
	keys := staticKeys{"k1": good.pub}

	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{Issuer: authn.Issuer, Subject: user, Audience: jwt.ClaimStrings{authn.Audience}, ExpiresAt: jwt.NewNumericDate(t0.Add(time.Hour))})
	hs.Header["kid"] = "k1"
	hsToken, _ := hs.SignedString([]byte(good.pub)) // the classic alg-confusion attack

	tests := []struct {
		name  string
		token string
		now   time.Time
		ok    bool
	}{
		{"valid", mint(t, good, nil), t0.Add(time.Minute), true},
		{"expired", mint(t, good, nil), t0.Add(16 * time.Minute), false},
		{"signed by a foreign key", mint(t, foreign, nil), t0, false},
		{"unknown kid", mint(t, newKey(t, "k9"), nil), t0, false},
		{"wrong audience", mint(t, good, func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"other"} }), t0, false},
		{"wrong issuer", mint(t, good, func(c *jwt.RegisteredClaims) { c.Issuer = "someone" }), t0, false},
		{"no expiry", mint(t, good, func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil }), t0, false},
		{"subject not a user id", mint(t, good, func(c *jwt.RegisteredClaims) { c.Subject = "admin" }), t0, false},
		{"issued in the future", mint(t, good, func(c *jwt.RegisteredClaims) { c.IssuedAt = jwt.NewNumericDate(t0.Add(time.Hour)) }), t0, false},
		{"HS256 with the public key", hsToken, t0, false},
		{"tampered payload", mint(t, good, nil)[:40] + "x" + mint(t, good, nil)[41:], t0, false},
		{"garbage", "not.a.token", t0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := authn.NewVerifier(keys, clock.NewFake(tt.now))
			c, err := v.Verify(context.Background(), tt.token)
			if tt.ok {
				if err != nil || c.UserID != user {
					t.Fatalf("Verify = %+v, %v; want user %s", c, err, user)
				}
				return
			}
			if !errors.Is(err, authn.ErrInvalidToken) {
				t.Fatalf("Verify = %+v, %v; want ErrInvalidToken", c, err)
			}
		})
	}
}

func TestRequirePutsTheUserInTheContext(t *testing.T) {
	k := newKey(t, "k1")
	v := authn.NewVerifier(staticKeys{"k1": k.pub}, clock.NewFake(t0))
	r := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.GET("/me", v.Require(), func(c *gin.Context) { c.String(http.StatusOK, authn.UserID(c)) })

	tests := []struct {
		name, header string
		want         int
	}{
		{"valid bearer", "Bearer " + mint(t, k, nil), http.StatusOK},
		{"lower-case scheme", "bearer " + mint(t, k, nil), http.StatusOK},
		{"no header", "", http.StatusUnauthorized},
		{"basic auth", "Basic dXNlcjpwYXNz", http.StatusUnauthorized},
		{"bad token", "Bearer abc", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/me", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d", rec.Code, tt.want)
			}
			if tt.want == http.StatusOK && rec.Body.String() != user {
				t.Errorf("user in context = %q", rec.Body)
			}
			if tt.want == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without a WWW-Authenticate challenge")
			}
		})
	}
}

func TestCallerFailsClosedOutsideRequire(t *testing.T) {
	k := newKey(t, "k1")
	v := authn.NewVerifier(staticKeys{"k1": k.pub}, clock.NewFake(t0))
	r := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	who := func(c *gin.Context) {
		if id, ok := authn.Caller(c); ok {
			c.String(http.StatusOK, id.String())
		}
	}
	r.GET("/guarded", v.Require(), who)
	r.GET("/unguarded", who)
	for _, tt := range []struct {
		path string
		want int
	}{{"/guarded", http.StatusOK}, {"/unguarded", http.StatusUnauthorized}} {
		req := httptest.NewRequest(http.MethodGet, tt.path, nil)
		req.Header.Set("Authorization", "Bearer "+mint(t, k, nil))
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code != tt.want || (tt.want == http.StatusOK && rec.Body.String() != user) {
			t.Errorf("%s: %d %q, want %d", tt.path, rec.Code, rec.Body, tt.want)
		}
	}
}

func TestRemoteKeysCachesAndRefetchesOnUnknownKid(t *testing.T) {
	k1, k2 := newKey(t, "k1"), newKey(t, "k2")
	published := authn.JWKS{Keys: []authn.JWK{authn.PublicJWK("k1", k1.pub)}}
	var mu sync.Mutex // the fetch may run in the background
	fetches := 0
	fail := false
	fetch := func(context.Context) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		fetches++
		if fail {
			return nil, errors.New("auth-service down")
		}
		return json.Marshal(published)
	}
	clk := clock.NewFake(t0)
	keys := authn.NewRemoteKeys(fetch, clk, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()

	if _, err := keys.Key(ctx, "k1"); err != nil || fetches != 1 {
		t.Fatalf("first lookup: err %v, fetches %d", err, fetches)
	}
	if _, err := keys.Key(ctx, "k1"); err != nil || fetches != 1 {
		t.Fatalf("cached lookup: err %v, fetches %d (want no new fetch)", err, fetches)
	}

	// A rotated-in key is picked up at once, without waiting for MaxAge.
	mu.Lock()
	published.Keys = append(published.Keys, authn.PublicJWK("k2", k2.pub))
	mu.Unlock()
	clk.Advance(keys.MinRefetch)
	if got, err := keys.Key(ctx, "k2"); err != nil || !got.Equal(k2.pub) || fetches != 2 {
		t.Fatalf("new kid: err %v, fetches %d", err, fetches)
	}

	// Unknown kids cannot make us hammer auth-service.
	for range 5 {
		_, _ = keys.Key(ctx, "bogus")
	}
	if fetches > 3 {
		t.Errorf("unknown kids caused %d fetches; refetch must be rate-limited", fetches)
	}

	// auth-service down after MaxAge: known keys keep verifying.
	mu.Lock()
	fail = true
	mu.Unlock()
	clk.Advance(keys.MaxAge + time.Minute)
	if _, err := keys.Key(ctx, "k1"); err != nil {
		t.Errorf("stale set not used while auth is down: %v", err)
	}
}

// At a cold start the set is empty and every request names an unknown
// kid: those arriving while the first fetch is in flight wait for it,
// not refuse valid tokens (tools/bench saw 401s when letter-service
// took its first burst).
func TestRemoteKeysColdStartJoinsTheFirstFetch(t *testing.T) {
	k1 := newKey(t, "k1")
	set, _ := json.Marshal(authn.JWKS{Keys: []authn.JWK{authn.PublicJWK("k1", k1.pub)}})
	var fetches atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	fetch := func(ctx context.Context) ([]byte, error) {
		if fetches.Add(1) == 1 {
			close(started)
			<-release
		}
		return set, nil
	}
	keys := authn.NewRemoteKeys(fetch, clock.NewFake(t0), slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan error, 2)
	lookup := func() {
		_, err := keys.Key(context.Background(), "k1")
		done <- err
	}
	go lookup()
	<-started
	go lookup()
	// The second lookup either joined the flight (and waits) or refused.
	select {
	case err := <-done:
		t.Fatalf("a lookup during the first fetch answered before it: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("lookup during the first fetch: %v", err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

// A slow auth-service must not queue the process behind one fetch: known
// keys answer at once from the cache while a stale set is refetched, a
// request for an unknown kid waits no longer than its own context, and
// however many requests want the set, one fetch runs.
func TestRemoteKeysNeverWaitOnASlowFetchForAKnownKey(t *testing.T) {
	k1 := newKey(t, "k1")
	set, _ := json.Marshal(authn.JWKS{Keys: []authn.JWK{authn.PublicJWK("k1", k1.pub)}})
	var fetches atomic.Int32
	release := make(chan struct{})
	slow := atomic.Bool{}
	fetch := func(ctx context.Context) ([]byte, error) {
		fetches.Add(1)
		if slow.Load() {
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return set, nil
	}
	clk := clock.NewFake(t0)
	keys := authn.NewRemoteKeys(fetch, clk, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := keys.Key(context.Background(), "k1"); err != nil {
		t.Fatal(err)
	}

	slow.Store(true)
	clk.Advance(keys.MaxAge + time.Minute)
	done := make(chan error, 50)
	for range 50 {
		go func() {
			_, err := keys.Key(context.Background(), "k1")
			done <- err
		}()
	}
	for range 50 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("known key during a slow refresh: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a known key waited for the slow fetch")
		}
	}

	// An unknown kid joins the fetch in flight and gives up with its context.
	clk.Advance(keys.MinRefetch)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := keys.Key(ctx, "k9"); !errors.Is(err, context.Canceled) {
		t.Errorf("unknown kid during a slow fetch: %v, want its own context's end", err)
	}
	close(release)
	if n := fetches.Load(); n != 2 {
		t.Errorf("%d fetches, want 2 (the first, then one shared background refresh)", n)
	}
}

func TestRequireAppToken(t *testing.T) {
	tests := []struct {
		name, configured, sent string
		want                   int
	}{
		{"matching token", "s3cret", "s3cret", http.StatusOK},
		{"no token sent", "s3cret", "", http.StatusUnauthorized},
		{"wrong token", "s3cret", "guess", http.StatusUnauthorized},
		{"nothing configured fails closed", "", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
			r.GET("/internal/x", authn.RequireAppToken(tt.configured), func(c *gin.Context) { c.Status(http.StatusOK) })
			req := httptest.NewRequest(http.MethodGet, "/internal/x", nil)
			if tt.sent != "" {
				req.Header.Set(authn.AppTokenHeader, tt.sent)
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status = %d, want %d", rec.Code, tt.want)
			}
		})
	}
}
