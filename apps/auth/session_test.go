package main

import (
	"net/http"
	"testing"
	"time"
)

// The web client's session (architecture.md, "Web client"): the refresh
// token only in an HttpOnly SameSite=Strict cookie, refresh and logout from
// the cookie only with X-Session: cookie and the gateway's own origin.

const site = "https://letters.example"

// forwarded is what the gateway adds to every call it proxies for a
// browser on https://letters.example.
var forwarded = []string{"X-Forwarded-Host", "letters.example", "X-Forwarded-Proto", "https"}

func withHeaders(extra ...string) []string {
	return append(append([]string{}, forwarded...), extra...)
}

func sessionCookie(t *testing.T, r response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "ltm_refresh" {
			return c
		}
	}
	t.Fatalf("no ltm_refresh cookie set: %v", r.header.Values("Set-Cookie"))
	return nil
}

func TestCookieSession(t *testing.T) {
	h := newHarness(t, keyring(generateKey("k1")))
	const pw = "paper-lantern-47"
	h.expect(h.do("POST", "/api/auth/signup", "", map[string]string{"username": "seoyeon", "email": "seoyeon@example.org", "password": pw}), 201, "signup")

	// Login asks for a cookie session: the refresh token is in the cookie
	// and nowhere in the JSON.
	r := h.expect(h.do("POST", "/api/auth/login", "", map[string]string{"username": "seoyeon", "password": pw},
		withHeaders("X-Session", "cookie", "Origin", site)...), 200, "cookie login")
	if _, ok := r.body["refresh_token"]; ok || r.body["access_token"] == "" {
		t.Fatalf("cookie login body = %v, want an access token and no refresh token", r.body)
	}
	c := sessionCookie(t, r)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/api/auth/" || !c.Secure || c.Value == "" {
		t.Fatalf("cookie = %+v, want HttpOnly, SameSite=Strict, Path=/api/auth/, Secure", c)
	}
	if c.MaxAge != int((720 * time.Hour).Seconds()) {
		t.Errorf("cookie Max-Age = %d, want the refresh token's 30 days", c.MaxAge)
	}
	cookie := func(v string) []string { return []string{"Cookie", "ltm_refresh=" + v} }

	// Refresh from the cookie, with an empty body and with {}: a new
	// cookie each time, no refresh token in the JSON.
	r = h.expect(h.do("POST", "/api/auth/refresh", "", nil, withHeaders(append(cookie(c.Value), "X-Session", "cookie", "Origin", site)...)...), 200, "refresh from the cookie, no body")
	next := sessionCookie(t, r)
	if _, ok := r.body["refresh_token"]; ok || r.body["access_token"] == "" || next.Value == c.Value {
		t.Fatalf("refresh body %v, cookie %q: want a new access token and a rotated cookie", r.body, next.Value)
	}
	spent := c.Value
	r = h.expect(h.do("POST", "/api/auth/refresh", "", map[string]string{}, withHeaders(append(cookie(next.Value), "X-Session", "cookie", "Origin", site)...)...), 200, "refresh from the cookie, {}")
	current := sessionCookie(t, r).Value

	// Refused with 403 and left unspent: no X-Session header, a foreign
	// origin, the same host over plain http.
	for _, tc := range []struct {
		what    string
		headers []string
	}{
		{"without X-Session", withHeaders(append(cookie(current), "Origin", site)...)},
		{"from a foreign origin", withHeaders(append(cookie(current), "X-Session", "cookie", "Origin", "https://evil.example")...)},
		{"from the http origin", withHeaders(append(cookie(current), "X-Session", "cookie", "Origin", "http://letters.example")...)},
	} {
		for _, path := range []string{"/api/auth/refresh", "/api/auth/logout"} {
			r = h.expect(h.do("POST", path, "", nil, tc.headers...), 403, path+" "+tc.what)
			if r.body["type"] == nil || r.body["type"] == "about:blank" {
				t.Errorf("%s %s: problem %v has no type of its own", path, tc.what, r.body)
			}
		}
	}
	r = h.expect(h.do("POST", "/api/auth/refresh", "", nil, withHeaders(append(cookie(current), "X-Session", "cookie", "Origin", site)...)...), 200, "the refused cookie still works")
	current = sessionCookie(t, r).Value

	// A browser that sends no Origin (older ones, on same-origin requests)
	// is still the site itself when it sends the header.
	r = h.expect(h.do("POST", "/api/auth/refresh", "", nil, withHeaders(append(cookie(current), "X-Session", "cookie")...)...), 200, "refresh without an Origin")
	current = sessionCookie(t, r).Value

	// Reusing a spent cookie revokes the family and clears the cookie.
	r = h.expect(h.do("POST", "/api/auth/refresh", "", nil, withHeaders(append(cookie(spent), "X-Session", "cookie", "Origin", site)...)...), 401, "a spent cookie")
	if cleared := sessionCookie(t, r); cleared.MaxAge >= 0 || cleared.Value != "" {
		t.Errorf("a refused cookie is not cleared: %+v", cleared)
	}
	h.expect(h.do("POST", "/api/auth/refresh", "", nil, withHeaders(append(cookie(current), "X-Session", "cookie", "Origin", site)...)...), 401, "the family after reuse")
	h.expect(h.do("POST", "/api/auth/refresh", "", nil, withHeaders("X-Session", "cookie", "Origin", site)...), 401, "no cookie at all")

	// Logout from the cookie: 204, the cookie cleared, the session gone.
	r = h.expect(h.do("POST", "/api/auth/login", "", map[string]string{"username": "seoyeon", "password": pw}, withHeaders("X-Session", "cookie", "Origin", site)...), 200, "login again")
	current = sessionCookie(t, r).Value
	r = h.expect(h.do("POST", "/api/auth/logout", "", map[string]string{}, withHeaders(append(cookie(current), "X-Session", "cookie", "Origin", site)...)...), 204, "logout from the cookie")
	if cleared := sessionCookie(t, r); cleared.MaxAge >= 0 {
		t.Errorf("logout does not clear the cookie: %+v", cleared)
	}
	h.expect(h.do("POST", "/api/auth/refresh", "", nil, withHeaders(append(cookie(current), "X-Session", "cookie", "Origin", site)...)...), 401, "refresh after logout")
}

// Over plain http (the local run) the cookie cannot be Secure, or the
// browser would never send it back.
func TestCookieSessionOverHTTP(t *testing.T) {
	h := newHarness(t, keyring(generateKey("k1")))
	h.expect(h.do("POST", "/api/auth/signup", "", map[string]string{"username": "jiho", "email": "jiho@example.org", "password": "silver-birch-31"}), 201, "signup")
	r := h.expect(h.do("POST", "/api/auth/login", "", map[string]string{"username": "jiho", "password": "silver-birch-31"},
		"X-Session", "cookie", "X-Forwarded-Host", "127.0.0.1:8080", "X-Forwarded-Proto", "http"), 200, "login")
	c := sessionCookie(t, r)
	if c.Secure || !c.HttpOnly {
		t.Errorf("cookie over http = %+v, want HttpOnly and not Secure", c)
	}
	// Dapr appends its own X-Forwarded-Host after the gateway's: the
	// gateway's, first, is the origin.
	h.expect(h.do("POST", "/api/auth/refresh", "", nil, "Cookie", "ltm_refresh="+c.Value, "X-Session", "cookie",
		"Origin", "http://127.0.0.1:8080", "X-Forwarded-Host", "127.0.0.1:8080, vm-hostname", "X-Forwarded-Proto", "http"), 200, "refresh from the local origin")
}

// API clients keep the JSON refresh token; a body token wins over a cookie.
func TestBodyTokenSessionUnchanged(t *testing.T) {
	h := newHarness(t, keyring(generateKey("k1")))
	h.expect(h.do("POST", "/api/auth/signup", "", map[string]string{"username": "hana", "email": "hana@example.org", "password": "quiet-harbour-92"}), 201, "signup")
	_, refresh := h.login("hana", "quiet-harbour-92")
	r := h.expect(h.do("POST", "/api/auth/refresh", "", map[string]string{"refresh_token": refresh}, "Cookie", "ltm_refresh=stale"), 200, "body token with a stale cookie")
	if r.body["refresh_token"] == nil || len(r.header.Values("Set-Cookie")) != 0 {
		t.Errorf("API refresh = %v / %v, want the token in the JSON and no cookie", r.body, r.header.Values("Set-Cookie"))
	}
	h.expect(h.do("POST", "/api/auth/refresh", "", nil), 400, "no token at all")
}
