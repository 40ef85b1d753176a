package notify_test

import (
	"errors"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

var t0 = time.Date(2026, time.March, 1, 0, 0, 0, 0, time.UTC)

const lease = 2 * time.Minute

func claimed(status notify.Status, token string, at time.Time) notify.Record {
	r := notify.NewRecord("n1", "u1", notify.LetterOpened, t0)
	r.Status = status
	if token != "" {
		r.ClaimToken, r.ClaimedAt = token, &at
	}
	return r
}

func TestClaim(t *testing.T) {
	tests := []struct {
		name       string
		rec        notify.Record
		now        time.Time
		want       notify.Decision
		wantStatus notify.Status
		wantToken  string
	}{
		{"new record", notify.NewRecord("n1", "u1", notify.LetterOpened, t0), t0, notify.Send, notify.StatusSending, "me"},
		{"already sent", claimed(notify.StatusSent, "", t0), t0, notify.Done, notify.StatusSent, ""},
		{"already skipped", claimed(notify.StatusSkipped, "", t0), t0, notify.Done, notify.StatusSkipped, ""},
		{"fresh claim of another delivery", claimed(notify.StatusSending, "other", t0), t0.Add(lease - time.Second), notify.Busy, notify.StatusSending, "other"},
		{"stale claim is taken over", claimed(notify.StatusSending, "other", t0), t0.Add(lease), notify.TakeOver, notify.StatusSending, "me"},
		{"released after a failed attempt", claimed(notify.StatusFailedAttempt, "", t0), t0, notify.Send, notify.StatusSending, "me"},
		{"failed, replayed from the dead-letter queue", claimed(notify.StatusFailed, "", t0), t0, notify.Send, notify.StatusSending, "me"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rec
			got := r.Claim(tt.now, lease, "me")
			if got != tt.want {
				t.Errorf("decision = %v, want %v", got, tt.want)
			}
			if r.Status != tt.wantStatus || r.ClaimToken != tt.wantToken {
				t.Errorf("after claim: status %s token %q, want %s %q", r.Status, r.ClaimToken, tt.wantStatus, tt.wantToken)
			}
			if (got == notify.Send || got == notify.TakeOver) && (r.ClaimedAt == nil || !r.ClaimedAt.Equal(tt.now)) {
				t.Errorf("claimed_at = %v, want %v", r.ClaimedAt, tt.now)
			}
		})
	}
}

func TestSendFailedCountsAttemptsUpToTheMaximum(t *testing.T) {
	r := notify.NewRecord("n1", "u1", notify.RoutineReminder, t0)
	const max = 3
	for attempt := 1; attempt <= max; attempt++ {
		if d := r.Claim(t0, lease, "tok"); d != notify.Send {
			t.Fatalf("attempt %d: claim %v, want send", attempt, d)
		}
		last, err := r.SendFailed("tok", "smtp: connection refused", max, t0)
		if err != nil {
			t.Fatal(err)
		}
		if r.Attempts != attempt || r.ClaimToken != "" || r.ClaimedAt != nil || r.LastError == "" {
			t.Fatalf("attempt %d: %+v; want the count up, the claim released and the error kept", attempt, r)
		}
		wantStatus := notify.StatusFailedAttempt
		if attempt == max {
			wantStatus = notify.StatusFailed
		}
		if last != (attempt == max) || r.Status != wantStatus {
			t.Fatalf("attempt %d: last=%v status=%s, want last=%v status=%s", attempt, last, r.Status, attempt == max, wantStatus)
		}
	}
	if got := r.Status.Public(); got != "failed" {
		t.Errorf("public status %q", got)
	}
}

func TestOutcomesNeedTheClaim(t *testing.T) {
	tests := []struct {
		name  string
		apply func(r *notify.Record) error
	}{
		{"send failed", func(r *notify.Record) error { _, err := r.SendFailed("stale", "x", 11, t0); return err }},
		{"release", func(r *notify.Record) error { return r.Release("stale", "x", t0) }},
		{"skip", func(r *notify.Record) error { return r.Skip("stale", "", notify.ReasonPreferenceOff, t0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := claimed(notify.StatusSending, "current", t0)
			before := r
			if err := tt.apply(&r); !errors.Is(err, notify.ErrClaimLost) {
				t.Fatalf("err = %v, want ErrClaimLost", err)
			}
			if r.Status != before.Status || r.ClaimToken != "current" || r.Attempts != 0 {
				t.Errorf("a stale holder changed the record: %+v", r)
			}
		})
	}
}

func TestSentIsTheTruthEvenWithoutTheClaim(t *testing.T) {
	r := claimed(notify.StatusSending, "current", t0)
	if err := r.Sent("stale", "subject", t0.Add(time.Minute)); !errors.Is(err, notify.ErrClaimLost) {
		t.Errorf("err = %v, want ErrClaimLost reported", err)
	}
	if r.Status != notify.StatusSent || r.SentAt == nil || r.ClaimToken != "" || r.Attempts != 1 {
		t.Fatalf("record %+v, want sent with the claim released", r)
	}
	first := *r.SentAt
	if err := r.Sent("again", "subject", t0.Add(time.Hour)); err != nil || !r.SentAt.Equal(first) || r.Attempts != 1 {
		t.Errorf("a second Sent changed the record: %+v, %v", r, err)
	}
	if err := r.Skip("x", "", notify.ReasonPreferenceOff, t0); err != nil || r.Status != notify.StatusSent {
		t.Errorf("skip after sent: %v, status %s; sent must stay", err, r.Status)
	}
}

func TestLastErrorIsBounded(t *testing.T) {
	r := claimed(notify.StatusSending, "tok", t0)
	long := make([]byte, 5000)
	for i := range long {
		long[i] = 'x'
	}
	if _, err := r.SendFailed("tok", string(long), 11, t0); err != nil {
		t.Fatal(err)
	}
	if len(r.LastError) != notify.MaxErrorLength {
		t.Errorf("last_error is %d bytes, want %d", len(r.LastError), notify.MaxErrorLength)
	}
}
