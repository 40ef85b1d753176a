package postgres_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/notification/internal/mail"
	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
	"github.com/lettertomyself/ltm/apps/notification/internal/postgres"
)

const (
	userID   = "0b9f2a3e-6c4d-4f7a-9a51-3f1e2d4c5b6a"
	letterID = "7d7c1e0a-2b3c-4d5e-8f90-a1b2c3d4e5f6"
)

var t0 = time.Date(2026, time.March, 1, 0, 0, 0, 0, time.UTC)

// sender counts sends; block, when set, holds each send until closed.
type sender struct {
	calls   atomic.Int32
	fail    atomic.Bool
	entered chan struct{}
	block   chan struct{}
	mu      sync.Mutex
	mails   []notify.Mail
}

func (s *sender) Send(ctx context.Context, m notify.Mail) error {
	s.calls.Add(1)
	if s.entered != nil {
		s.entered <- struct{}{}
	}
	if s.block != nil {
		<-s.block
	}
	if s.fail.Load() {
		return errors.New("smtp: 421 service not available")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mails = append(s.mails, m)
	return nil
}

type contacts struct {
	contact notify.Contact
	err     error
}

func (c contacts) Contact(context.Context, string) (notify.Contact, error) { return c.contact, c.err }

func everyone() notify.Contact {
	return notify.Contact{UserID: userID, Email: "minji@example.com", Nickname: "민지", Locale: "ko",
		Notifications: notify.Preferences{LetterOpened: true, RoutineReminder: true, SpecialDate: true}}
}

type fixture struct {
	store  *postgres.Store
	send   *sender
	clock  *clock.Fake
	policy notify.Policy
	r      *mail.Renderer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pool := pgtest.New(t, service.Migrations(postgres.Migrations())...)
	r, err := mail.NewRenderer("http://127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{
		store: postgres.New(pool), send: &sender{}, clock: clock.NewFake(t0), r: r,
		policy: notify.Policy{MaxAttempts: 3, Lease: 2 * time.Minute, SendTimeout: 5 * time.Second},
	}
}

func (f *fixture) service(c notify.Contacts) *notify.Service {
	return notify.NewService(f.store, c, f.r, f.send, f.clock, slog.New(slog.NewTextHandler(io.Discard, nil)), f.policy)
}

func letterRequest(t *testing.T, id string) notify.Request {
	t.Helper()
	req, err := notify.NewRequest(id, userID, notify.LetterOpened, notify.Data{LetterID: letterID, Title: "스무 살의 나에게"})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func (f *fixture) record(t *testing.T, id string) notify.Record {
	t.Helper()
	r, err := f.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTwoDeliveriesAtOnceSendOneMail(t *testing.T) {
	f := newFixture(t)
	f.send.entered, f.send.block = make(chan struct{}, 1), make(chan struct{})
	svc := f.service(contacts{contact: everyone()})
	req := letterRequest(t, "letter_opened:1")
	ctx := context.Background()

	first := make(chan error, 1)
	go func() { first <- svc.Handle(ctx, req) }()
	<-f.send.entered // the first delivery holds the claim and is talking to SMTP

	if err := svc.Handle(ctx, req); !errors.Is(err, notify.ErrBusy) {
		t.Fatalf("second delivery while the first sends: %v, want ErrBusy (RETRY)", err)
	}
	close(f.send.block)
	if err := <-first; err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	if err := svc.Handle(ctx, req); err != nil {
		t.Fatalf("redelivery after the send: %v, want nil (SUCCESS)", err)
	}
	if n := f.send.calls.Load(); n != 1 {
		t.Fatalf("%d sends, want 1", n)
	}
	r := f.record(t, req.ID)
	if r.Status != notify.StatusSent || r.SentAt == nil || r.Attempts != 1 || r.ClaimToken != "" ||
		r.Subject != "편지가 열렸어요: 스무 살의 나에게" || r.UserID != userID {
		t.Errorf("record %+v", r)
	}
	if to := f.send.mails[0].To; to != "minji@example.com" {
		t.Errorf("sent to %q", to)
	}
}

func TestManyConcurrentDeliveriesSendOneMail(t *testing.T) {
	f := newFixture(t)
	req := letterRequest(t, "letter_opened:many")
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- f.service(contacts{contact: everyone()}).Handle(context.Background(), req)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && !errors.Is(err, notify.ErrBusy) {
			t.Errorf("delivery: %v", err)
		}
	}
	if got := f.send.calls.Load(); got != 1 {
		t.Fatalf("%d sends from %d concurrent deliveries, want 1", got, n)
	}
}

func TestFailureReleasesTheClaimAndALaterAttemptSends(t *testing.T) {
	f := newFixture(t)
	svc := f.service(contacts{contact: everyone()})
	req := letterRequest(t, "letter_opened:2")
	ctx := context.Background()

	f.send.fail.Store(true)
	if err := svc.Handle(ctx, req); err == nil || errors.Is(err, notify.ErrGaveUp) {
		t.Fatalf("failed send: %v, want a plain retry", err)
	}
	r := f.record(t, req.ID)
	if r.Status != notify.StatusFailedAttempt || r.Attempts != 1 || r.ClaimToken != "" || r.ClaimedAt != nil || r.LastError == "" || r.SentAt != nil {
		t.Fatalf("after a failure: %+v, want the claim released and the attempt counted", r)
	}
	if r.Status.Public() != "sending" {
		t.Errorf("public status %q", r.Status.Public())
	}

	f.send.fail.Store(false)
	f.clock.Advance(time.Second) // well inside the lease: a released claim needs no waiting
	if err := svc.Handle(ctx, req); err != nil {
		t.Fatalf("retry: %v", err)
	}
	r = f.record(t, req.ID)
	if r.Status != notify.StatusSent || r.Attempts != 2 || f.send.calls.Load() != 2 || len(f.send.mails) != 1 {
		t.Errorf("after the retry: %+v, %d calls; want sent on the second attempt", r, f.send.calls.Load())
	}
}

func TestMaxAttemptsRecordsFailedAndStillAsksForRetry(t *testing.T) {
	f := newFixture(t)
	svc := f.service(contacts{contact: everyone()})
	req := letterRequest(t, "letter_opened:3")
	f.send.fail.Store(true)
	for attempt := 1; attempt <= f.policy.MaxAttempts; attempt++ {
		err := svc.Handle(context.Background(), req)
		if err == nil {
			t.Fatalf("attempt %d succeeded; want RETRY so Dapr dead-letters the last one", attempt)
		}
		if last := attempt == f.policy.MaxAttempts; last != errors.Is(err, notify.ErrGaveUp) {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
	}
	r := f.record(t, req.ID)
	if r.Status != notify.StatusFailed || r.Attempts != f.policy.MaxAttempts || r.SentAt != nil {
		t.Fatalf("record %+v, want failed after %d attempts", r, f.policy.MaxAttempts)
	}

	// A replay from the dead-letter queue once SMTP is back gets its mail out.
	f.send.fail.Store(false)
	if err := svc.Handle(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if r := f.record(t, req.ID); r.Status != notify.StatusSent {
		t.Errorf("after a replay: %s", r.Status)
	}
}

func TestSkips(t *testing.T) {
	off := everyone()
	off.Notifications.LetterOpened = false
	badAddress := everyone()
	badAddress.Email = "a@example.com;b@example.com"
	tests := []struct {
		name        string
		contacts    contacts
		wantReason  string
		wantSubject bool
	}{
		{"preference off", contacts{contact: off}, notify.ReasonPreferenceOff, true},
		{"user gone", contacts{err: notify.ErrUserNotFound}, notify.ReasonUserNotFound, false},
		{"unusable address", contacts{contact: badAddress}, notify.ReasonBadAddress, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			svc := f.service(tt.contacts)
			req := letterRequest(t, "letter_opened:skip")
			for range 2 {
				if err := svc.Handle(context.Background(), req); err != nil {
					t.Fatalf("%v, want SUCCESS", err)
				}
			}
			if n := f.send.calls.Load(); n != 0 {
				t.Errorf("%d mails sent, want none", n)
			}
			r := f.record(t, req.ID)
			if r.Status != notify.StatusSkipped || r.Reason != tt.wantReason || r.ClaimToken != "" || (r.Subject != "") != tt.wantSubject {
				t.Errorf("record %+v, want skipped (%s)", r, tt.wantReason)
			}
		})
	}
}

func TestUnreachableUserServiceReleasesWithoutCountingAnAttempt(t *testing.T) {
	f := newFixture(t)
	req := letterRequest(t, "letter_opened:4")
	if err := f.service(contacts{err: errors.New("user-service: connection refused")}).Handle(context.Background(), req); err == nil {
		t.Fatal("want RETRY while user-service is down")
	}
	r := f.record(t, req.ID)
	if r.Status != notify.StatusFailedAttempt || r.Attempts != 0 || r.ClaimToken != "" {
		t.Fatalf("record %+v", r)
	}
	if err := f.service(contacts{contact: everyone()}).Handle(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if f.send.calls.Load() != 1 {
		t.Errorf("%d sends", f.send.calls.Load())
	}
}

func TestStaleClaimIsTakenOver(t *testing.T) {
	f := newFixture(t)
	req := letterRequest(t, "letter_opened:5")
	ctx := context.Background()
	// A delivery claimed the id and died before sending.
	err := f.store.Claim(ctx, req.ID, req.UserID, req.Kind, f.clock.Now(), func(r *notify.Record) error {
		r.Claim(f.clock.Now(), f.policy.Lease, "0e4c1a65-3d1f-4b7e-9c55-2f8b9f7d1a10")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := f.service(contacts{contact: everyone()})
	f.clock.Advance(f.policy.Lease - time.Second)
	if err := svc.Handle(ctx, req); !errors.Is(err, notify.ErrBusy) {
		t.Fatalf("inside the lease: %v, want ErrBusy", err)
	}
	f.clock.Advance(time.Second)
	if err := svc.Handle(ctx, req); err != nil {
		t.Fatalf("after the lease: %v", err)
	}
	if r := f.record(t, req.ID); r.Status != notify.StatusSent || f.send.calls.Load() != 1 {
		t.Errorf("record %+v, %d sends", r, f.send.calls.Load())
	}
}

func TestListNewestFirstAndDeleteUser(t *testing.T) {
	f := newFixture(t)
	svc := f.service(contacts{contact: everyone()})
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		if err := svc.Handle(ctx, letterRequest(t, id)); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
	}
	other := "5f0c3f55-1111-4a2b-8c3d-9e8f7a6b5c4d"
	if err := f.store.Claim(ctx, "other", other, notify.SpecialDate, f.clock.Now(), func(*notify.Record) error { return nil }); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.List(ctx, userID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "c" || got[1].ID != "b" {
		t.Fatalf("list = %+v, want c, b", got)
	}
	for range 2 { // idempotent
		if _, err := f.store.DeleteUser(ctx, userID); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := f.store.List(ctx, userID, 50); len(got) != 0 {
		t.Errorf("%d rows left after delete", len(got))
	}
	if got, _ := f.store.List(ctx, other, 50); len(got) != 1 {
		t.Errorf("another user's history was touched: %d rows", len(got))
	}
}

// flaky is the store while the database restarts: the next failUpdates
// Updates fail as a refused connection does.
type flaky struct {
	*postgres.Store
	failUpdates atomic.Int32
}

func (s *flaky) Update(ctx context.Context, id string, fn func(*notify.Record) error) error {
	if s.failUpdates.Add(-1) >= 0 {
		return errors.New("failed to connect to `user=ltm_notification`: dial tcp 127.0.0.1:5432: connect: connection refused")
	}
	return s.Store.Update(ctx, id, fn)
}

// A mail that went out while the database was restarting is recorded once
// it is back, and never sent again: recording it rides out the outage
// instead of giving up after three quick tries (the chaos suite's
// Postgres row: 4 mails sent twice, a lease later).
func TestASentMailIsRecordedThroughADatabaseRestart(t *testing.T) {
	f := newFixture(t)
	store := &flaky{Store: f.store}
	svc := notify.NewService(store, contacts{contact: everyone()}, f.r, f.send, f.clock, slog.New(slog.NewTextHandler(io.Discard, nil)), f.policy)
	req := letterRequest(t, "letter_opened:restart")
	ctx := context.Background()
	store.failUpdates.Store(4) // four refused connections after the send (~1.5 s)
	if err := svc.Handle(ctx, req); err != nil {
		t.Fatalf("delivery during the restart: %v", err)
	}
	if r := f.record(t, req.ID); r.Status != notify.StatusSent {
		t.Fatalf("status %s, want sent", r.Status)
	}
	// A redelivery after the lease finds it done.
	f.clock.Advance(3 * time.Minute)
	if err := svc.Handle(ctx, req); err != nil {
		t.Fatal(err)
	}
	if n := f.send.calls.Load(); n != 1 {
		t.Errorf("%d sends, want 1", n)
	}
}
