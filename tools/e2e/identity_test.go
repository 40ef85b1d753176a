//go:build e2e

package e2e

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/tools/internal/secretsfile"
)

type tokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// account is a user signed up through the gateway.
type account struct {
	ID, Username, Email, Password string
}

func signup(t *testing.T) account {
	t.Helper()
	name := "e2e_" + randomHex(4)
	a := account{Username: name, Email: name + "@example.com", Password: "paper-moon-" + randomHex(3)}
	r := call(t, http.MethodPost, sys.gatewayURL(t)+"/api/auth/signup", map[string]string{
		"username": a.Username, "email": a.Email, "password": a.Password,
	})
	expect(t, r, http.StatusCreated, "signup")
	var out struct{ ID, Username, Email string }
	r.json(t, &out)
	if _, err := uuid.Parse(out.ID); err != nil || out.Username != a.Username || out.Email != a.Email {
		t.Fatalf("signup answered %s", r.Body)
	}
	a.ID = out.ID
	return a
}

func login(t *testing.T, identifier, password string) (tokenPair, response) {
	t.Helper()
	r := call(t, http.MethodPost, sys.gatewayURL(t)+"/api/auth/login", map[string]string{"username": identifier, "password": password})
	var p tokenPair
	if r.Status == http.StatusOK {
		r.json(t, &p)
	}
	return p, r
}

func mustLogin(t *testing.T, identifier, password string) tokenPair {
	t.Helper()
	p, r := login(t, identifier, password)
	expect(t, r, http.StatusOK, "login as "+identifier)
	if p.AccessToken == "" || p.RefreshToken == "" || !strings.EqualFold(p.TokenType, "Bearer") || p.ExpiresIn <= 0 {
		t.Fatalf("login answered %s", r.Body)
	}
	return p
}

func refresh(t *testing.T, token string) (tokenPair, response) {
	t.Helper()
	r := call(t, http.MethodPost, sys.gatewayURL(t)+"/api/auth/refresh", map[string]string{"refresh_token": token})
	var p tokenPair
	if r.Status == http.StatusOK {
		r.json(t, &p)
	}
	return p, r
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// me fetches the caller's profile.
func me(t *testing.T, access string) response {
	t.Helper()
	return call(t, http.MethodGet, sys.gatewayURL(t)+"/api/users/me", nil, bearer(access)...)
}

// The whole life of an account, through the gateway only.
func TestIdentityJourney(t *testing.T) {
	gw := sys.gatewayURL(t)
	a := signup(t)

	// The same username or email again is taken.
	r := call(t, http.MethodPost, gw+"/api/auth/signup", map[string]string{"username": strings.ToUpper(a.Username), "email": "other-" + a.Email, "password": a.Password})
	expect(t, r, http.StatusConflict, "signup with a taken username")

	pair := mustLogin(t, a.Username, a.Password)

	// The profile is created from user.registered, asynchronously.
	var profile struct {
		ID, Username, Email, Nickname, Timezone, Locale string
	}
	eventually(t, 30*time.Second, "profile created from user.registered", func() error {
		r := me(t, pair.AccessToken)
		if r.Status != http.StatusOK {
			return fmt.Errorf("GET /api/users/me = %d %s", r.Status, r.Body)
		}
		r.json(t, &profile)
		return nil
	})
	if profile.ID != a.ID || profile.Username != a.Username || profile.Email != a.Email || profile.Timezone != "Asia/Seoul" || profile.Locale != "ko" {
		t.Errorf("profile = %+v", profile)
	}
	r = call(t, http.MethodPatch, gw+"/api/users/me", map[string]string{"nickname": "미래의 나", "timezone": "Europe/London"}, bearer(pair.AccessToken)...)
	expect(t, r, http.StatusOK, "PATCH /api/users/me")
	r.json(t, &profile)
	if profile.Nickname != "미래의 나" || profile.Timezone != "Europe/London" {
		t.Errorf("after PATCH: %+v", profile)
	}

	// Refresh rotates; the spent token, presented again, kills the family.
	next, r := refresh(t, pair.RefreshToken)
	expect(t, r, http.StatusOK, "refresh")
	if next.RefreshToken == pair.RefreshToken || next.AccessToken == "" {
		t.Fatal("refresh did not rotate the pair")
	}
	_, r = refresh(t, pair.RefreshToken)
	expect(t, r, http.StatusUnauthorized, "reusing a spent refresh token")
	_, r = refresh(t, next.RefreshToken)
	expect(t, r, http.StatusUnauthorized, "refresh from a family revoked by reuse")

	// Logout ends the session; login by email works.
	byEmail := mustLogin(t, strings.ToUpper(a.Email), a.Password)
	expect(t, call(t, http.MethodPost, gw+"/api/auth/logout", map[string]string{"refresh_token": byEmail.RefreshToken}), http.StatusNoContent, "logout")
	_, r = refresh(t, byEmail.RefreshToken)
	expect(t, r, http.StatusUnauthorized, "refresh after logout")

	// A new password: the old one stops working, and so do other sessions.
	session := mustLogin(t, a.Username, a.Password)
	newPassword := "letters-to-" + randomHex(4)
	r = call(t, http.MethodPost, gw+"/api/auth/password", map[string]string{"current_password": a.Password, "new_password": newPassword}, bearer(session.AccessToken)...)
	expect(t, r, http.StatusNoContent, "change password")
	if _, r := login(t, a.Username, a.Password); r.Status != http.StatusUnauthorized {
		t.Errorf("old password after change: %d, want 401", r.Status)
	}
	_, r = refresh(t, session.RefreshToken)
	expect(t, r, http.StatusUnauthorized, "refresh of a session from before the password change")
	final := mustLogin(t, a.Username, newPassword)

	// Deleting the account reaches every service that holds user data.
	r = call(t, http.MethodDelete, gw+"/api/auth/account", map[string]string{"password": newPassword}, bearer(final.AccessToken)...)
	expect(t, r, http.StatusNoContent, "delete account")
	if _, r := login(t, a.Username, newPassword); r.Status != http.StatusUnauthorized {
		t.Errorf("login after deletion: %d, want 401", r.Status)
	}
	// The account's token ends with it (issue 15, finding 3:
	// sessions_test.go); the profile is looked up as another service does.
	eventually(t, 5*time.Second, "the deleted account's token refused", func() error {
		if r := me(t, final.AccessToken); r.Status != http.StatusUnauthorized {
			return fmt.Errorf("GET /api/users/me = %d", r.Status)
		}
		return nil
	})
	contact := sys.daprURL(t, "letter-service") + "/v1.0/invoke/user-service/method/internal/users/" + a.ID + "/contact"
	eventually(t, 30*time.Second, "profile purged after user.deleted", func() error {
		if r := sidecarCall(t, http.MethodGet, contact, nil); r.Status != http.StatusNotFound {
			return fmt.Errorf("contact lookup = %d %s", r.Status, r.Body)
		}
		return nil
	})
}

func TestSignupRefusesBadInputWithFieldErrors(t *testing.T) {
	r := call(t, http.MethodPost, sys.gatewayURL(t)+"/api/auth/signup", map[string]string{"username": "A!", "email": "not-an-email", "password": "12345678"})
	expect(t, r, http.StatusBadRequest, "bad signup")
	var p struct{ Errors map[string]string }
	r.json(t, &p)
	for _, field := range []string{"username", "email", "password"} {
		if p.Errors[field] == "" {
			t.Errorf("no error for %s: %s", field, r.Body)
		}
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
	}
}

// Tokens that are tampered with, expired, or signed by a key that is not
// ours never get past the gateway.
func TestBadTokensAreRefused(t *testing.T) {
	a := signup(t)
	good := mustLogin(t, a.Username, a.Password).AccessToken

	path := filepath.Join(sys.W.Data, "secrets.json")
	kid, err := secretsfile.Get(path, "jwt-signing-kid")
	if err != nil {
		t.Fatal(err)
	}
	ourKey := readEd25519(t, path)
	_, foreignKey, _ := ed25519.GenerateKey(rand.Reader)

	parts := strings.Split(good, ".")
	sig := []byte(parts[2])
	sig[len(sig)/2] ^= 1
	tampered := parts[0] + "." + parts[1] + "." + string(sig)

	tests := map[string]string{
		"tampered":    tampered,
		"expired":     mintToken(t, ourKey, kid, a.ID, time.Now().Add(-time.Hour)),
		"foreign key": mintToken(t, foreignKey, kid, a.ID, time.Now().Add(time.Hour)),
	}
	for name, token := range tests {
		t.Run(name, func(t *testing.T) {
			r := me(t, token)
			if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("GET /api/users/me = %d %s, want a 401 problem", r.Status, r.Header.Get("Content-Type"))
			}
		})
	}
	// The key we sign with is the one the services trust: a well-formed
	// token of ours passes (the test above is not refusing everything).
	ok := mintToken(t, ourKey, kid, a.ID, time.Now().Add(time.Hour))
	eventually(t, 30*time.Second, "our own token accepted", func() error {
		if r := me(t, ok); r.Status == http.StatusUnauthorized {
			return errors.New("refused")
		}
		return nil
	})
}

// /internal/ is reachable through Dapr only: not from the gateway, not by a
// direct call to the app without the app token.
func TestInternalRoutesOnlyThroughDapr(t *testing.T) {
	a := signup(t)
	path := "/internal/users/" + a.ID + "/contact"

	r := call(t, http.MethodGet, sys.gatewayURL(t)+path, nil)
	expect(t, r, http.StatusNotFound, "internal path through the gateway")

	app, _ := sys.Launch.App("user-service")
	direct := fmt.Sprintf("http://127.0.0.1:%d%s", app.AppPort, path)
	expect(t, call(t, http.MethodGet, direct, nil), http.StatusUnauthorized, "direct call without the app token")
	expect(t, call(t, http.MethodGet, direct, nil, "dapr-api-token", "guess"), http.StatusUnauthorized, "direct call with a wrong token")

	// Through Dapr, but from an app that sends no mail: refused too.
	viaDapr := sys.daprURL(t, probeID) + "/v1.0/invoke/user-service/method" + path
	eventually(t, 30*time.Second, "contact refused to an app that is not its caller", func() error {
		r := sidecarCall(t, http.MethodGet, viaDapr, nil)
		if r.Status == http.StatusOK || strings.Contains(string(r.Body), a.Email) {
			t.Fatalf("contact answered the probe: %d %s", r.Status, r.Body)
		}
		if r.Status != http.StatusForbidden {
			return fmt.Errorf("%d %s", r.Status, r.Body)
		}
		return nil
	})
}

func readEd25519(t *testing.T, path string) ed25519.PrivateKey {
	t.Helper()
	raw, err := secretsfile.Get(path, "jwt-signing-key")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(raw))
	if block == nil {
		t.Fatal("jwt-signing-key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(ed25519.PrivateKey)
}

func mintToken(t *testing.T, key ed25519.PrivateKey, kid, sub string, exp time.Time) string {
	t.Helper()
	issued := exp.Add(-15 * time.Minute)
	if now := time.Now(); issued.After(now) {
		issued = now
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.RegisteredClaims{
		Issuer: "ltm-auth", Audience: jwt.ClaimStrings{"ltm"}, Subject: sub, ID: uuid.NewString(),
		IssuedAt: jwt.NewNumericDate(issued), ExpiresAt: jwt.NewNumericDate(exp),
	})
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Repeated wrong passwords for one account are throttled with Retry-After;
// the right password is refused too while the lock lasts.
func TestLoginThrottling(t *testing.T) {
	a := signup(t)
	var r response
	for i := 0; i < 10; i++ {
		_, r = login(t, a.Username, "wrong-"+randomHex(3))
		if r.Status == http.StatusTooManyRequests {
			break
		}
		expect(t, r, http.StatusUnauthorized, "a wrong password")
	}
	expect(t, r, http.StatusTooManyRequests, "after repeated failures")
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if _, r := login(t, a.Username, a.Password); r.Status != http.StatusTooManyRequests {
		t.Errorf("right password during the lock: %d, want 429", r.Status)
	}
	// Someone else, from the same address, can still sign in.
	b := signup(t)
	mustLogin(t, b.Username, b.Password)
}
