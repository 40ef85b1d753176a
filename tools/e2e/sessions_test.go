//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Issue 15, finding 3: after DELETE /api/auth/account → 204 the old access
// token still wrote letters, routines, special dates and images, and a
// logged-out or password-changed session's token worked for up to 15
// minutes. Now auth writes a revocation with the change and every service
// refuses the token once its poller has read it (about a second).

// endedWithin is how soon after the 204 every service must refuse the
// session's token (the bound).
const endedWithin = 2 * time.Second

// sessionProbe is one request a user token can make through the gateway.
// Accepted means anything but 401: the service verified the token (a 400
// for an unknown feedback item still means it did).
type sessionProbe struct {
	name        string
	method      string
	path        string
	body        func() any // JSON, or a *multipartBody
	contentType string
}

type multipartBody struct {
	data []byte
	ct   string
}

// sessionProbes are the writes and reads of every service reachable with a
// user token (docs/architecture.md's public API), one or two per service.
func sessionProbes(t *testing.T) []sessionProbe {
	png := testPNG(t)
	nextWeek := time.Now().AddDate(0, 0, 7).Format(time.DateOnly)
	from, to := time.Now().Format(time.DateOnly), time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	return []sessionProbe{
		{name: "auth: change email", method: http.MethodPost, path: "/api/auth/email", body: func() any { return map[string]string{} }},
		{name: "user: read profile", method: http.MethodGet, path: "/api/users/me"},
		{name: "user: update profile", method: http.MethodPatch, path: "/api/users/me", body: func() any { return map[string]string{"nickname": "probe"} }},
		{name: "letter: write", method: http.MethodPost, path: "/api/letters", body: func() any {
			return map[string]any{"title": "late", "content": "written after the session ended", "open_date": nextWeek}
		}},
		{name: "letter: list", method: http.MethodGet, path: "/api/letters?category=future"},
		{name: "letter: export", method: http.MethodGet, path: "/api/letters/export"},
		{name: "letter-storage: upload", method: http.MethodPost, path: "/api/images", body: func() any {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			part, _ := mw.CreateFormFile("file", "late.png")
			_, _ = part.Write(png)
			_ = mw.Close()
			return &multipartBody{data: buf.Bytes(), ct: mw.FormDataContentType()}
		}},
		{name: "letter-storage: read", method: http.MethodGet, path: "/api/images/00000000-0000-4000-8000-000000000000"},
		{name: "routine: create", method: http.MethodPost, path: "/api/routines", body: func() any {
			return map[string]string{"title": "late", "kind": "weekly", "weekday": "monday", "time": "09:00"}
		}},
		{name: "routine: list", method: http.MethodGet, path: "/api/routines"},
		{name: "routine: create special date", method: http.MethodPost, path: "/api/special-dates", body: func() any {
			return map[string]any{"name": "late", "date": nextWeek, "yearly": true}
		}},
		{name: "routine: list special dates", method: http.MethodGet, path: "/api/special-dates"},
		{name: "routine: calendar", method: http.MethodGet, path: "/api/calendar?from=" + from + "&to=" + to},
		{name: "emotion-store: summary", method: http.MethodGet, path: "/api/emotions/summary"},
		{name: "emotion-store: timeline", method: http.MethodGet, path: "/api/emotions/timeline?period=week"},
		{name: "emotion-store: reanalyze", method: http.MethodPost, path: "/api/emotions/reanalyze", body: func() any { return map[string]string{} }},
		{name: "recommend: recommendations", method: http.MethodGet, path: "/api/recommendations"},
		{name: "recommend: feedback", method: http.MethodPost, path: "/api/recommendations/feedback", body: func() any {
			return map[string]string{"item_id": "no-such-item", "feedback": "like"}
		}},
		{name: "recommend: list feedback", method: http.MethodGet, path: "/api/recommendations/feedback"},
		{name: "notification: history", method: http.MethodGet, path: "/api/notifications"},
	}
}

// send makes p's request with token; unlike call, a transport error is a
// result (it runs in goroutines).
func (p sessionProbe) send(gw, token string) (int, http.Header, []byte, error) {
	var rd io.Reader
	ct := ""
	if p.body != nil {
		switch b := p.body().(type) {
		case *multipartBody:
			rd, ct = bytes.NewReader(b.data), b.ct
		default:
			enc, err := json.Marshal(b)
			if err != nil {
				return 0, nil, nil, err
			}
			rd, ct = bytes.NewReader(enc), "application/json"
		}
	}
	req, err := http.NewRequest(p.method, gw+p.path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// allAccept fails the test unless every probe accepts token (not 401).
func allAccept(t *testing.T, probes []sessionProbe, token, what string) {
	t.Helper()
	gw := sys.gatewayURL(t)
	var wg sync.WaitGroup
	errs := make([]string, len(probes))
	for i, p := range probes {
		wg.Go(func() {
			status, _, body, err := p.send(gw, token)
			switch {
			case err != nil:
				errs[i] = fmt.Sprintf("%s: %v", p.name, err)
			case status == http.StatusUnauthorized || status >= 500:
				errs[i] = fmt.Sprintf("%s: %d %s", p.name, status, body)
			}
		})
	}
	wg.Wait()
	if msg := strings.Join(nonEmpty(errs), "\n"); msg != "" {
		t.Fatalf("%s: the token is refused or failed:\n%s", what, msg)
	}
}

// allRefuseWithin sends every probe with token in rounds until each has
// answered 401 (a problem). A probe that is
// still accepted on a request sent after ended+endedWithin fails the test.
func allRefuseWithin(t *testing.T, probes []sessionProbe, token string, ended time.Time, what string) {
	t.Helper()
	gw := sys.gatewayURL(t)
	type state struct {
		refusedAfter time.Duration
		late         string // accepted on a request sent after the bound
		bad          string // a 401 that is not the problem it should be
	}
	states := make([]state, len(probes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() {
			for {
				sent := time.Now()
				status, header, body, err := p.send(gw, token)
				mu.Lock()
				switch {
				case err == nil && status == http.StatusUnauthorized:
					states[i].refusedAfter = time.Since(ended)
					// A deleted user's writes may meet the service's own
					// tombstone first (also a 401 problem) rather than the
					// revocation: either refuses the token.
					if !strings.HasPrefix(header.Get("Content-Type"), "application/problem+json") {
						states[i].bad = fmt.Sprintf("401 as %q: %s", header.Get("Content-Type"), body)
					}
					mu.Unlock()
					return
				case sent.Sub(ended) > endedWithin:
					if err != nil {
						states[i].late = err.Error()
					} else {
						states[i].late = fmt.Sprintf("%d %s", status, truncate(body, 200))
					}
					mu.Unlock()
					return
				}
				mu.Unlock()
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	var fails []string
	var slowest time.Duration
	for i, s := range states {
		switch {
		case s.late != "":
			fails = append(fails, fmt.Sprintf("%s: still accepted %s after the 204: %s", probes[i].name, endedWithin, s.late))
		case s.bad != "":
			fails = append(fails, fmt.Sprintf("%s: %s", probes[i].name, s.bad))
		}
		slowest = max(slowest, s.refusedAfter)
	}
	if len(fails) > 0 {
		t.Fatalf("%s:\n%s", what, strings.Join(fails, "\n"))
	}
	t.Logf("%s: every service refused the token, the last %s after the 204", what, slowest.Round(10*time.Millisecond))
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

func TestEndedSessionsAreRefusedEverywhere(t *testing.T) {
	probes := sessionProbes(t)
	gw := sys.gatewayURL(t)

	t.Run("logout", func(t *testing.T) {
		w := newWriter(t)
		out := mustLogin(t, w.Username, w.Password)
		allAccept(t, probes, out.AccessToken, "before logout")
		r := call(t, http.MethodPost, gw+"/api/auth/logout", map[string]string{"refresh_token": out.RefreshToken})
		ended := time.Now()
		expect(t, r, http.StatusNoContent, "logout")
		allRefuseWithin(t, probes, out.AccessToken, ended, "after logout")
		// The same user's other session is not ended.
		allAccept(t, probes, w.token, "another session of the user")
	})

	t.Run("password change", func(t *testing.T) {
		w := newWriter(t)
		other := mustLogin(t, w.Username, w.Password)
		allAccept(t, probes, w.token, "before the password change")
		next := "harbour-light-" + randomHex(3)
		r := w.call(t, http.MethodPost, "/api/auth/password", map[string]string{"current_password": w.Password, "new_password": next})
		ended := time.Now()
		expect(t, r, http.StatusNoContent, "password change")
		allRefuseWithin(t, probes, w.token, ended, "the changing session after the password change")
		allRefuseWithin(t, probes, other.AccessToken, ended, "another session after the password change")
		fresh := mustLogin(t, w.Username, next)
		allAccept(t, probes, fresh.AccessToken, "a fresh login with the new password")
	})

	t.Run("account deletion", func(t *testing.T) {
		w := newWriter(t)
		allAccept(t, probes, w.token, "before deletion")
		r := w.call(t, http.MethodDelete, "/api/auth/account", map[string]string{"password": w.Password})
		ended := time.Now()
		expect(t, r, http.StatusNoContent, "delete the account")
		allRefuseWithin(t, probes, w.token, ended, "after deletion")
	})
}
