package main

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"
)

// accepted probes an access token on a guarded route: POST /api/auth/email
// with no fields is a 400 for a valid token, 401 for a refused one.
func (h *harness) accepted(access string) bool {
	h.t.Helper()
	r := h.do("POST", "/api/auth/email", access, map[string]string{})
	switch r.status {
	case http.StatusBadRequest:
		return true
	case http.StatusUnauthorized:
		return false
	}
	h.t.Fatalf("probe: status %d (%v)", r.status, r.body)
	return false
}

func sid(t *testing.T, access string) string {
	t.Helper()
	var c struct {
		jwt.RegisteredClaims
		SID string `json:"sid"`
	}
	if _, _, err := jwt.NewParser().ParseUnverified(access, &c); err != nil {
		t.Fatal(err)
	}
	return c.SID
}

// Logout, password change and deletion end the access tokens already
// handed out: GET /internal/revocations lists them, and auth's own
// verifier (fed from its store, no call to itself) refuses them after one
// poll; other sessions and a fresh login are unaffected.
func TestEndedSessionsAreRefused(t *testing.T) {
	h := newHarness(t, keyring(generateKey("k1")))
	const pw, pw2 = "paper-lantern-47", "quiet-harbour-92"
	h.expect(h.do("POST", "/api/auth/signup", "", map[string]string{"username": "alice", "email": "alice@example.org", "password": pw}), 201, "signup")
	poll := func() {
		if err := h.srv.Revocations.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	internal := func(query string, headers ...string) response {
		return h.do("GET", "/internal/revocations"+query, "", nil, headers...)
	}
	fromApp := func(app string) []string {
		return []string{authn.AppTokenHeader, servicetest.AppToken, authn.CallerAppHeader, app}
	}

	// A refresh keeps the session id; logout ends that session only.
	outAccess, outRefresh := h.login("alice", pw)
	r := h.expect(h.do("POST", "/api/auth/refresh", "", map[string]string{"refresh_token": outRefresh}), 200, "refresh")
	refreshed, outRefresh := r.body["access_token"].(string), r.body["refresh_token"].(string)
	if sid(t, refreshed) != sid(t, outAccess) || sid(t, outAccess) == "" {
		t.Fatalf("sid %q after refresh, %q at login", sid(t, refreshed), sid(t, outAccess))
	}
	keptAccess, _ := h.login("alice", pw)
	h.expect(h.do("POST", "/api/auth/logout", "", map[string]string{"refresh_token": outRefresh}), 204, "logout")

	r = h.expect(internal("?after=0", fromApp("letter-service")...), 200, "revocations")
	list, _ := r.body["revocations"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["sid"] != sid(t, outAccess) || r.body["next"] == float64(0) {
		t.Fatalf("revocations after logout = %v", r.body)
	}
	if !h.accepted(outAccess) {
		t.Fatal("refused before any poll: the test proves nothing")
	}
	poll()
	for name, tok := range map[string]string{"logged-out session": outAccess, "its refreshed token": refreshed} {
		if h.accepted(tok) {
			t.Errorf("%s still accepted after logout", name)
		}
	}
	if !h.accepted(keptAccess) {
		t.Error("another session was ended by the logout")
	}

	// A password change ends every session; a new login works.
	h.expect(h.do("POST", "/api/auth/password", keptAccess, map[string]string{"current_password": pw, "new_password": pw2}), 204, "password change")
	poll()
	if h.accepted(keptAccess) {
		t.Error("a session survived the password change")
	}
	fresh, _ := h.login("alice", pw2)
	if !h.accepted(fresh) {
		t.Fatal("the login after the password change is refused")
	}

	// Deletion ends the user's every token.
	h.expect(h.do("DELETE", "/api/auth/account", fresh, map[string]string{"password": pw2}), 204, "delete")
	poll()
	if h.accepted(fresh) {
		t.Error("a deleted account's token is still accepted")
	}

	// The route: any app through Dapr, a bad cursor is a field error, and
	// nothing without the app token.
	next := h.expect(internal("", fromApp("recommend-service")...), 200, "no cursor").body["next"]
	h.expect(internal("?after="+jsonInt(next), fromApp("user-service")...), 200, "cursor")
	for _, bad := range []string{"?after=-1", "?after=x", "?after=1e3"} {
		r := h.expect(internal(bad, fromApp("user-service")...), 400, "after "+bad)
		if errs, _ := r.body["errors"].(map[string]any); errs["after"] == nil {
			t.Errorf("%s: errors %v", bad, r.body["errors"])
		}
	}
	h.expect(internal("?after=0"), 401, "without the app token")
}

func jsonInt(v any) string {
	f, _ := v.(float64)
	return strconv.FormatInt(int64(f), 10)
}
