package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/retry"
)

// Store keeps the records. Both methods run fn on the locked record inside
// one transaction and save what fn left; an error from fn saves nothing.
type Store interface {
	// Claim inserts NewRecord(id, userID, kind, now) unless a record with
	// id exists, then runs fn on it.
	Claim(ctx context.Context, id, userID string, kind Kind, now time.Time, fn func(*Record) error) error
	// Update runs fn on the existing record id.
	Update(ctx context.Context, id string, fn func(*Record) error) error
}

// History lists a user's notifications, newest first.
type History interface {
	List(ctx context.Context, userID string, limit int) ([]Record, error)
}

// ErrUserNotFound is the recipient lookup's answer for an account that is
// gone.
var ErrUserNotFound = errors.New("user not found")

// Contacts looks recipients up at send time.
type Contacts interface {
	Contact(ctx context.Context, userID string) (Contact, error)
}

// Renderer writes the mail for a request in the contact's language.
type Renderer interface {
	Render(req Request, to Contact) (Message, error)
}

// Sender hands a mail to the SMTP server; nil means it was accepted.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// Policy bounds delivery.
type Policy struct {
	// MaxAttempts is how many SMTP attempts a notification gets before
	// it is recorded as failed: the inbound retry policy's retries + 1.
	MaxAttempts int
	// Lease is how long a claim keeps other deliveries away. It must
	// outlast the longest send, the sidecar's own SMTP retries included.
	Lease time.Duration
	// SendTimeout bounds one call to the sender.
	SendTimeout time.Duration
}

// ErrBusy asks for a retry: another delivery of the same id is sending.
var ErrBusy = errors.New("another delivery is sending this notification")

// ErrGaveUp is a send failure on the last attempt: the record says failed
// and the message should end in the dead-letter queue.
var ErrGaveUp = errors.New("last attempt failed; giving up")

// Service delivers notifications.
type Service struct {
	store    Store
	contacts Contacts
	render   Renderer
	send     Sender
	clock    clock.Clock
	log      *slog.Logger
	policy   Policy
	newToken func() string
}

// NewService wires a service.
func NewService(store Store, contacts Contacts, render Renderer, send Sender, c clock.Clock, log *slog.Logger, p Policy) *Service {
	return &Service{store: store, contacts: contacts, render: render, send: send, clock: c, log: log, policy: p, newToken: uuid.NewString}
}

// Handle delivers req at most once. nil means done (sent, skipped, or done
// before); an error asks for a retry.
func (s *Service) Handle(ctx context.Context, req Request) error {
	token := s.newToken()
	var decision Decision
	now := s.clock.Now()
	err := s.store.Claim(ctx, req.ID, req.UserID, req.Kind, now, func(r *Record) error {
		decision = r.Claim(now, s.policy.Lease, token)
		return nil
	})
	if err != nil {
		return fmt.Errorf("claim %s: %w", req.ID, err)
	}
	log := s.log.With("notification_id", req.ID, "user_id", req.UserID, "kind", string(req.Kind))
	switch decision {
	case Done:
		log.DebugContext(ctx, "notification already handled")
		return nil
	case Busy:
		return ErrBusy
	case TakeOver:
		log.WarnContext(ctx, "taking over a stale claim; the previous delivery never finished")
	}
	return s.deliver(ctx, log, req, token)
}

func (s *Service) deliver(ctx context.Context, log *slog.Logger, req Request, token string) error {
	to, err := s.contacts.Contact(ctx, req.UserID)
	if errors.Is(err, ErrUserNotFound) {
		// No subject: nothing about a deleted account's letters is kept.
		log.InfoContext(ctx, "notification skipped", "reason", ReasonUserNotFound)
		return s.finish(ctx, req.ID, func(r *Record) error { return r.Skip(token, "", ReasonUserNotFound, s.clock.Now()) })
	}
	if err != nil {
		s.releaseAfter(ctx, log, req.ID, token, err)
		return fmt.Errorf("recipient lookup: %w", err)
	}
	msg, err := s.render.Render(req, to)
	if err != nil {
		s.releaseAfter(ctx, log, req.ID, token, err)
		return fmt.Errorf("render: %w", err)
	}
	reason := ""
	switch {
	case !to.Wants(req.Kind):
		reason = ReasonPreferenceOff
	case CheckAddress(to.Email) != nil:
		reason = ReasonBadAddress
	}
	if reason != "" {
		log.InfoContext(ctx, "notification skipped", "reason", reason)
		return s.finish(ctx, req.ID, func(r *Record) error { return r.Skip(token, msg.Subject, reason, s.clock.Now()) })
	}

	sendCtx, cancel := context.WithTimeout(ctx, s.policy.SendTimeout)
	sendErr := s.send.Send(sendCtx, Mail{To: to.Email, Message: msg})
	cancel()
	if sendErr != nil {
		var last bool
		err := s.finish(ctx, req.ID, func(r *Record) error {
			var err error
			last, err = r.SendFailed(token, sendErr.Error(), s.policy.MaxAttempts, s.clock.Now())
			return err
		})
		if err != nil {
			log.WarnContext(ctx, "could not record the failed attempt", "err", err)
		}
		if last {
			log.ErrorContext(ctx, "mail failed on its last attempt; recorded as failed, the message goes to the dead-letter queue",
				"max_attempts", s.policy.MaxAttempts, "err", sendErr)
			return fmt.Errorf("%w: %w", ErrGaveUp, sendErr)
		}
		return fmt.Errorf("send: %w", sendErr)
	}

	// From here the mail is out: recording it must not fail for a caller
	// that gave up (finish ignores ctx's cancellation), or a later
	// delivery would send it again.
	err = s.finish(ctx, req.ID, func(r *Record) error {
		if err := r.Sent(token, msg.Subject, s.clock.Now()); err != nil {
			log.WarnContext(ctx, "mail sent after its claim expired; another delivery may have sent it too", "err", err)
		}
		return nil
	})
	if err != nil {
		log.ErrorContext(ctx, "mail sent but not recorded; a redelivery after the lease may send it again", "err", err)
		return fmt.Errorf("record sent: %w", err)
	}
	log.InfoContext(ctx, "notification sent")
	return nil
}

func (s *Service) releaseAfter(ctx context.Context, log *slog.Logger, id, token string, cause error) {
	err := s.finish(ctx, id, func(r *Record) error { return r.Release(token, cause.Error(), s.clock.Now()) })
	if err != nil {
		// The claim then simply expires after the lease.
		log.WarnContext(ctx, "could not release the claim", "err", err)
	}
}

// finish records an outcome. It outlives ctx's cancellation (the sidecar
// may have stopped waiting, but what happened must be written) and keeps
// trying, backing off, for half the lease: a mail that is out but not
// recorded is sent again by whoever takes the claim over once the lease
// ends, so recording it must ride out a database restart, not give up
// after a second.
func (s *Service) finish(ctx context.Context, id string, fn func(*Record) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.recordFor())
	defer cancel()
	err := retry.Do(ctx, recordRetry, func(ctx context.Context) error {
		err := s.store.Update(ctx, id, fn)
		switch {
		case errors.Is(err, ErrNotFound):
			// user.deleted purged the history meanwhile: nothing to keep.
			return nil
		case errors.Is(err, ErrClaimLost):
			return retry.Permanent(err)
		}
		return err
	}, func(err error, failures int, wait time.Duration) {
		if failures == 1 {
			s.log.WarnContext(ctx, "recording a notification's outcome failed; retrying", "notification_id", id, "err", err)
		}
	})
	return err
}

// recordRetry is finish's back-off: quick at first (a dropped connection
// is usually back at once), then every few seconds.
var recordRetry = retry.Policy{First: 100 * time.Millisecond, Max: 5 * time.Second, Jitter: 0.2}

// recordFor is how long finish keeps trying: half the lease, so the record
// lands before another delivery may take the claim over.
func (s *Service) recordFor() time.Duration {
	if s.policy.Lease <= 0 {
		return 10 * time.Second
	}
	return s.policy.Lease / 2
}
