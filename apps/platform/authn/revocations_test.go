package authn_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/problem"
)

// mintSession is mint with a sid claim.
func mintSession(t *testing.T, k keyPair, subject, sid string) string {
	t.Helper()
	c := struct {
		jwt.RegisteredClaims
		SID string `json:"sid,omitempty"`
	}{jwt.RegisteredClaims{
		Issuer: authn.Issuer, Audience: jwt.ClaimStrings{authn.Audience}, Subject: subject,
		IssuedAt: jwt.NewNumericDate(t0), ExpiresAt: jwt.NewNumericDate(t0.Add(15 * time.Minute)), ID: uuid.NewString(),
	}, sid}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = k.kid
	s, err := tok.SignedString(k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRevocationsSet(t *testing.T) {
	alice, bob := uuid.NewString(), uuid.NewString()
	s1, s2 := uuid.NewString(), uuid.NewString()
	set := authn.NewRevocations()
	until := t0.Add(16 * time.Minute)
	set.Add(t0,
		authn.Revocation{UserID: alice, SessionID: s1, ExpiresAt: until},
		authn.Revocation{UserID: bob, ExpiresAt: until},
		authn.Revocation{UserID: alice, SessionID: uuid.NewString(), ExpiresAt: t0}, // already expired: skipped
	)
	if n := set.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2 (the expired entry is not added)", n)
	}
	tests := []struct {
		name string
		c    authn.Claims
		at   time.Time
		want bool
	}{
		{"the revoked session", authn.Claims{UserID: alice, SessionID: s1}, t0, true},
		{"another session of the same user", authn.Claims{UserID: alice, SessionID: s2}, t0, false},
		{"a token without a session", authn.Claims{UserID: alice}, t0, false},
		{"any session of a user revoked whole", authn.Claims{UserID: bob, SessionID: s2}, t0, true},
		{"a user revoked whole, token without a session", authn.Claims{UserID: bob}, t0, true},
		{"someone else", authn.Claims{UserID: uuid.NewString(), SessionID: uuid.NewString()}, t0, false},
		{"the revoked session just before its entry expires", authn.Claims{UserID: alice, SessionID: s1}, until.Add(-time.Nanosecond), true},
		{"the revoked session once its entry expired", authn.Claims{UserID: alice, SessionID: s1}, until, false},
		{"the user entry once expired", authn.Claims{UserID: bob}, until, false},
	}
	for _, tt := range tests {
		if got := set.Revoked(tt.c, tt.at); got != tt.want {
			t.Errorf("%s: Revoked = %v, want %v", tt.name, got, tt.want)
		}
	}

	// A later entry for the same key extends it; an earlier one does not shorten it.
	set.Add(t0, authn.Revocation{UserID: bob, ExpiresAt: until.Add(time.Hour)})
	set.Add(t0, authn.Revocation{UserID: bob, ExpiresAt: until.Add(time.Minute)})
	if !set.Revoked(authn.Claims{UserID: bob}, until.Add(30*time.Minute)) {
		t.Error("the later expiry was not kept")
	}
	if n := set.Prune(until); n != 1 {
		t.Errorf("Prune at the first expiry left %d entries, want 1 (bob's extended one)", n)
	}
	if n := set.Prune(until.Add(time.Hour)); n != 0 || set.Len() != 0 {
		t.Errorf("Prune after every expiry left %d", n)
	}
}

// Verify and Require refuse a revoked token with the same 401 problem as
// any bad token, and accept the same user's other sessions.
func TestVerifierRefusesRevokedSessions(t *testing.T) {
	k := newKey(t, "k1")
	clk := clock.NewFake(t0)
	v := authn.NewVerifier(staticKeys{"k1": k.pub}, clk)
	set := authn.NewRevocations()
	v.UseRevocations(set)
	ended, kept := uuid.NewString(), uuid.NewString()
	endedTok, keptTok := mintSession(t, k, user, ended), mintSession(t, k, user, kept)

	c, err := v.Verify(context.Background(), endedTok)
	if err != nil || c.SessionID != ended {
		t.Fatalf("before the revocation: %+v, %v", c, err)
	}
	set.Add(clk.Now(), authn.Revocation{UserID: user, SessionID: ended, ExpiresAt: t0.Add(15*time.Minute + authn.Leeway)})
	if _, err := v.Verify(context.Background(), endedTok); !errors.Is(err, authn.ErrInvalidToken) {
		t.Fatalf("revoked session verified: %v", err)
	}
	if _, err := v.Verify(context.Background(), keptTok); err != nil {
		t.Fatalf("other session refused: %v", err)
	}

	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.GET("/x", v.Require(), func(c *gin.Context) { c.Status(http.StatusNoContent) })
	if !v.Guards() {
		t.Error("Guards() false after Require")
	}
	for tok, want := range map[string]int{endedTok: http.StatusUnauthorized, keptTok: http.StatusNoContent} {
		req := httptest.NewRequest(http.MethodGet, "/x", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != want {
			t.Errorf("status %d, want %d", w.Code, want)
		}
		if want == http.StatusUnauthorized && !strings.HasPrefix(w.Header().Get("Content-Type"), problem.ContentType) {
			t.Errorf("401 is %q, not a problem", w.Header().Get("Content-Type"))
		}
	}

	// Once the entry has expired, so has the token (with the leeway).
	clk.Set(t0.Add(15*time.Minute + authn.Leeway))
	if _, err := v.Verify(context.Background(), endedTok); err == nil {
		t.Fatal("an expired token verified")
	}
}

// fakeAuth serves GET /internal/revocations?after= like auth-service:
// rows after the cursor, at most pageMax per page.
type fakeAuth struct {
	mu      sync.Mutex
	rows    []authn.Revocation
	down    bool
	pageMax int
	calls   []int64 // the cursors asked for
}

func (f *fakeAuth) add(userID, sid string, until time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows = append(f.rows, authn.Revocation{Seq: int64(len(f.rows) + 1), UserID: userID, SessionID: sid, ExpiresAt: until})
}

func (f *fakeAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path != authn.RevocationsPath {
		http.NotFound(w, r)
		return
	}
	if f.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if err != nil {
		http.Error(w, "after", http.StatusBadRequest)
		return
	}
	f.calls = append(f.calls, after)
	page := authn.RevocationPage{Revocations: []authn.Revocation{}, Next: after}
	for _, rv := range f.rows {
		if rv.Seq <= after {
			continue
		}
		if len(page.Revocations) == f.pageMax {
			page.More = true
			break
		}
		page.Revocations = append(page.Revocations, rv)
		page.Next = rv.Seq
	}
	_ = json.NewEncoder(w).Encode(page)
}

func (f *fakeAuth) cursors() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int64(nil), f.calls...)
}

// A poller over HTTP, as platform/service wires it (RemoteRevocations).
func newPoller(url string, clk clock.Clock, log *slog.Logger) *authn.RevocationPoller {
	return &authn.RevocationPoller{
		Source: authn.RemoteRevocations{Get: func(ctx context.Context, path string) ([]byte, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+path, nil)
			if err != nil {
				return nil, err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			if _, err := b.ReadFrom(resp.Body); err != nil {
				return nil, err
			}
			if resp.StatusCode != http.StatusOK {
				return nil, errors.New(resp.Status)
			}
			return b.Bytes(), nil
		}},
		Set: authn.NewRevocations(), Clock: clk, Log: log,
	}
}

func TestPollerFollowsTheCursorAcrossPages(t *testing.T) {
	clk := clock.NewFake(t0)
	auth := &fakeAuth{pageMax: 2}
	srv := httptest.NewServer(auth)
	defer srv.Close()
	until := t0.Add(16 * time.Minute)
	users := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
	for _, u := range users {
		auth.add(u, "", until)
	}
	p := newPoller(srv.URL, clk, quiet)
	ctx := context.Background()
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := auth.cursors(); !equal(got, []int64{0, 2}) || p.Cursor() != 3 {
		t.Fatalf("cursors asked %v, cursor now %d; want [0 2] and 3 (two pages)", got, p.Cursor())
	}
	for _, u := range users {
		if !p.Set.Revoked(authn.Claims{UserID: u}, clk.Now()) {
			t.Errorf("user %s not revoked after the poll", u)
		}
	}
	// The next poll asks only for what is new.
	late := uuid.NewString()
	auth.add(late, "s", until)
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := auth.cursors(); got[len(got)-1] != 3 || p.Cursor() != 4 {
		t.Fatalf("second poll asked after %v, cursor %d", got, p.Cursor())
	}
	if !p.Set.Revoked(authn.Claims{UserID: late, SessionID: "s"}, clk.Now()) {
		t.Error("the new revocation is not in the set")
	}

	// A restarted process starts from 0 and learns every live revocation.
	fresh := newPoller(srv.URL, clk, quiet)
	if err := fresh.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if fresh.Set.Len() != 4 || !fresh.Set.Revoked(authn.Claims{UserID: users[0]}, clk.Now()) {
		t.Errorf("after a restart the set holds %d entries, want 4", fresh.Set.Len())
	}

	// Entries leave the set at their expiry (pruned at each poll).
	clk.Set(until)
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := p.Set.Len(); n != 0 {
		t.Errorf("%d entries left after they all expired", n)
	}
}

// A source that started over (its cursor went back) is read again from 0.
func TestPollerRestartsWhenTheSourceStartsOver(t *testing.T) {
	clk := clock.NewFake(t0)
	src := &pages{next: 7}
	p := &authn.RevocationPoller{Source: src, Set: authn.NewRevocations(), Clock: clk, Log: quiet}
	if err := p.Poll(context.Background()); err != nil || p.Cursor() != 7 {
		t.Fatalf("first poll: cursor %d, %v", p.Cursor(), err)
	}
	src.next = 2 // recreated table: its newest row is 2
	if err := p.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !equal(src.asked, []int64{0, 7, 0}) || p.Cursor() != 2 {
		t.Errorf("asked %v, cursor %d; want [0 7 0] and 2", src.asked, p.Cursor())
	}
}

type pages struct {
	next  int64
	asked []int64
}

func (s *pages) RevocationsAfter(_ context.Context, after int64, _ int) (authn.RevocationPage, error) {
	s.asked = append(s.asked, after)
	n := s.next
	if after == 0 || after < n {
		return authn.RevocationPage{Next: n}, nil
	}
	return authn.RevocationPage{Next: min(after, n)}, nil
}

// While auth cannot be read the set is kept (known revocations stay
// refused), the outage is logged once at warn after WarnAfter and once at
// info when it ends, and what was revoked meanwhile lands when it is back.
func TestPollerKeepsTheSetThroughAnOutage(t *testing.T) {
	clk := clock.NewFake(t0)
	auth := &fakeAuth{pageMax: 100}
	srv := httptest.NewServer(auth)
	defer srv.Close()
	var logs bytes.Buffer
	p := newPoller(srv.URL, clk, slog.New(slog.NewTextHandler(&logs, nil)))
	p.WarnAfter = 5 * time.Second
	ctx := context.Background()
	known, later := uuid.NewString(), uuid.NewString()
	until := t0.Add(16 * time.Minute)
	auth.add(known, "", until)
	p.Step(ctx)

	auth.mu.Lock()
	auth.down = true
	auth.mu.Unlock()
	auth.add(later, "", until)
	for range 10 { // ten polls a second apart
		p.Step(ctx)
		clk.Advance(time.Second)
	}
	if !p.Set.Revoked(authn.Claims{UserID: known}, clk.Now()) {
		t.Error("a known revocation was dropped during the outage")
	}
	if p.Set.Revoked(authn.Claims{UserID: later}, clk.Now()) {
		t.Error("a revocation arrived while auth was down?")
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings for one outage, want 1:\n%s", n, logs.String())
	}

	auth.mu.Lock()
	auth.down = false
	auth.mu.Unlock()
	p.Step(ctx)
	if !p.Set.Revoked(authn.Claims{UserID: later}, clk.Now()) {
		t.Error("the revocation made during the outage did not land once auth was back")
	}
	if !strings.Contains(logs.String(), "level=INFO msg=\"revocations readable again\"") {
		t.Errorf("no info line when the outage ended:\n%s", logs.String())
	}

	// A short blip (less than WarnAfter) logs nothing.
	logs.Reset()
	auth.mu.Lock()
	auth.down = true
	auth.mu.Unlock()
	p.Step(ctx)
	clk.Advance(time.Second)
	p.Step(ctx)
	auth.mu.Lock()
	auth.down = false
	auth.mu.Unlock()
	p.Step(ctx)
	if logs.Len() != 0 {
		t.Errorf("a 1 s blip logged:\n%s", logs.String())
	}
}

// Run waits for the sidecar, polls until its context ends, and feeds the set.
func TestPollerRunWaitsForTheSidecar(t *testing.T) {
	auth := &fakeAuth{pageMax: 100}
	srv := httptest.NewServer(auth)
	defer srv.Close()
	auth.add(user, "", time.Now().Add(time.Hour))
	p := newPoller(srv.URL, clock.System{}, quiet)
	p.Interval = 10 * time.Millisecond
	connected := make(chan struct{})
	p.Connected = connected
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	time.Sleep(50 * time.Millisecond)
	if n := len(auth.cursors()); n != 0 {
		t.Fatalf("%d polls before the sidecar was connected", n)
	}
	close(connected)
	deadline := time.Now().Add(5 * time.Second)
	for !p.Set.Revoked(authn.Claims{UserID: user}, time.Now()) {
		if time.Now().After(deadline) {
			t.Fatal("the set was never fed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
