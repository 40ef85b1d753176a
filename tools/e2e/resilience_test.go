//go:build e2e

package e2e

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// One user's mistakes are that user's alone. Dapr counts every app answer
// above 399 as a failure of the target, so a circuit breaker on an app
// (Resiliency's DefaultAppCircuitBreakerPolicy) opened for every user after a
// dozen wrong passwords or invalid letters from one of them, and logins and
// letters answered 502 for all for 30 s. No app target may have a breaker.
func TestOneUsersErrorsDoNotTripOthers(t *testing.T) {
	bad := newWriter(t)
	for i := range 30 {
		_, r := login(t, bad.Username, "wrong-password-"+strconv.Itoa(i))
		if r.Status != http.StatusUnauthorized && r.Status != http.StatusTooManyRequests {
			t.Fatalf("wrong password %d: status %d, want 401 or 429: %s", i, r.Status, r.Body)
		}
	}
	for i := range 30 {
		r := bad.call(t, http.MethodPost, "/api/letters", map[string]any{"title": "", "content": "", "open_date": "not-a-date"})
		expect(t, r, http.StatusBadRequest, "invalid letter "+strconv.Itoa(i))
	}
	for i := range 30 {
		r := bad.call(t, http.MethodGet, "/api/letters/00000000-0000-4000-8000-00000000000"+strconv.Itoa(i%10), nil)
		expect(t, r, http.StatusNotFound, "someone else's letter "+strconv.Itoa(i))
	}

	// Straight after, without waiting for anything to recover: another user
	// signs up, logs in, lists and writes letters.
	other := newWriter(t) // fails unless signup and login answer 2xx
	expect(t, other.call(t, http.MethodGet, "/api/letters?category=future", nil), http.StatusOK, "another user's list")
	other.write(t, "still working", "one user's errors are theirs alone", time.Now().Add(48*time.Hour))
	expect(t, other.call(t, http.MethodGet, "/api/letters?category=future", nil), http.StatusOK, "another user's list after writing")
}
