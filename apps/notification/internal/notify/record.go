package notify

import (
	"errors"
	"time"
)

// Status is where a notification stands.
//
//	            claim                 smtp ok
//	(new) ──► sending ──────────────────────────► sent
//	             │  user gone / preference off /
//	             │  unusable address ──────────► skipped
//	             │  smtp failed, attempts < max
//	             ├──────────────► failed_attempt ──(next delivery claims)──► sending
//	             │  smtp failed, attempts = max
//	             └──────────────► failed ──(a replay from the dead-letter queue claims)──► sending
//
// sending with a fresh claim means another delivery is at work; a claim
// older than the lease is taken over (its holder crashed or hung).
type Status string

// The statuses a record can have.
const (
	StatusSending       Status = "sending"
	StatusFailedAttempt Status = "failed_attempt"
	StatusSent          Status = "sent"
	StatusSkipped       Status = "skipped"
	StatusFailed        Status = "failed"
)

// Public is the status the history API shows: failed_attempt is an
// internal state of a mail that is still being sent.
func (s Status) Public() string {
	if s == StatusFailedAttempt {
		return string(StatusSending)
	}
	return string(s)
}

// Reasons a notification was skipped.
const (
	ReasonUserNotFound  = "user_not_found"
	ReasonPreferenceOff = "preference_off"
	ReasonBadAddress    = "invalid_address"
)

// Record is one notification's history row and its delivery claim.
type Record struct {
	ID         string
	UserID     string
	Kind       Kind
	Subject    string
	Status     Status
	Reason     string
	Attempts   int // SMTP attempts made, the successful one included
	LastError  string
	ClaimToken string // who is sending right now; "" when nobody is
	ClaimedAt  *time.Time
	CreatedAt  time.Time
	SentAt     *time.Time
	UpdatedAt  time.Time
}

// NewRecord is the row a first delivery inserts: sending, but unclaimed
// until Claim runs in the same transaction.
func NewRecord(id, userID string, kind Kind, now time.Time) Record {
	return Record{ID: id, UserID: userID, Kind: kind, Status: StatusSending, CreatedAt: now, UpdatedAt: now}
}

// Decision is what a delivery should do after trying to claim.
type Decision int

// Claim outcomes.
const (
	// Send: the claim is ours; send the mail.
	Send Decision = iota + 1
	// TakeOver: like Send, but a stale claim was taken from a delivery
	// that never finished (crash, hang).
	TakeOver
	// Done: already sent or skipped; answer SUCCESS without sending.
	Done
	// Busy: another delivery holds a fresh claim; answer RETRY.
	Busy
)

func (d Decision) String() string {
	switch d {
	case Send:
		return "send"
	case TakeOver:
		return "take over"
	case Done:
		return "done"
	case Busy:
		return "busy"
	}
	return "unknown"
}

// Claim tries to take the record for one send under token. lease is how
// long a claim protects its holder; it must outlast the longest send.
func (r *Record) Claim(now time.Time, lease time.Duration, token string) Decision {
	decision := Send
	switch r.Status {
	case StatusSent, StatusSkipped:
		return Done
	case StatusSending:
		if r.ClaimToken != "" {
			if r.ClaimedAt != nil && now.Before(r.ClaimedAt.Add(lease)) {
				return Busy
			}
			decision = TakeOver
			r.LastError = "a previous delivery did not finish (claim expired)"
		}
	case StatusFailedAttempt, StatusFailed:
	}
	r.Status = StatusSending
	r.ClaimToken = token
	r.ClaimedAt = &now
	r.UpdatedAt = now
	return decision
}

// ErrNotFound is a record that does not exist (or was purged).
var ErrNotFound = errors.New("notification not found")

// ErrClaimLost means the claim was taken over while its holder was still
// working (the lease was too short for this send).
var ErrClaimLost = errors.New("claim lost to another delivery")

// MaxErrorLength bounds last_error.
const MaxErrorLength = 500

// Sent records that the SMTP server accepted the mail. It is the truth
// whoever holds the claim now, so it never fails; a record already sent
// keeps its first sent_at.
func (r *Record) Sent(token, subject string, now time.Time) error {
	if r.Status == StatusSent {
		return nil
	}
	var lost error
	if r.ClaimToken != token {
		lost = ErrClaimLost
	}
	r.Status, r.Reason, r.Subject = StatusSent, "", subject
	r.Attempts++
	r.SentAt = &now
	r.release(now)
	return lost
}

// Skip records that nothing will be sent, and why. A record that was sent
// meanwhile stays sent.
func (r *Record) Skip(token, subject, reason string, now time.Time) error {
	if r.Status == StatusSent {
		return nil
	}
	if r.ClaimToken != token {
		return ErrClaimLost
	}
	r.Status, r.Reason, r.Subject = StatusSkipped, reason, subject
	r.release(now)
	return nil
}

// SendFailed records a failed SMTP attempt and frees the claim. It
// reports whether this was the last attempt (maxAttempts reached): the
// record is then failed, and the caller still answers RETRY so that Dapr's
// own retries run out and the message lands in the dead-letter queue.
func (r *Record) SendFailed(token, cause string, maxAttempts int, now time.Time) (last bool, err error) {
	if r.ClaimToken != token {
		return false, ErrClaimLost
	}
	r.Attempts++
	r.LastError = truncate(cause, MaxErrorLength)
	r.Status = StatusFailedAttempt
	if r.Attempts >= maxAttempts {
		r.Status = StatusFailed
		last = true
	}
	r.release(now)
	return last, nil
}

// Release frees the claim after a failure before any SMTP attempt (the
// recipient lookup failed): no attempt is counted.
func (r *Record) Release(token, cause string, now time.Time) error {
	if r.ClaimToken != token {
		return ErrClaimLost
	}
	r.LastError = truncate(cause, MaxErrorLength)
	r.Status = StatusFailedAttempt
	r.release(now)
	return nil
}

func (r *Record) release(now time.Time) {
	r.ClaimToken, r.ClaimedAt = "", nil
	r.UpdatedAt = now
}
