package postgres

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/outbox/outboxtest"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/auth/internal/account"
	"github.com/lettertomyself/ltm/apps/auth/internal/throttle"
	"github.com/lettertomyself/ltm/apps/auth/internal/token"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const accessTTL = 15 * time.Minute

func newStore(t testing.TB) (*Store, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.New(t, service.Migrations(Migrations())...)
	return New(pool, accessTTL), pool
}

func newAccount(username, email string) account.Account {
	a, err := account.New(uuid.New(), username, email, "$argon2id$x", t0)
	if err != nil {
		panic(err)
	}
	return a
}

func TestCreateWritesTheEventWithTheAccount(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	a := newAccount("minjun", "MinJun@Example.org")
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.ByLogin(ctx, "minjun@example.org")
	if err != nil || got.ID() != a.ID() || got.Email() != "MinJun@Example.org" {
		t.Fatalf("ByLogin by email = %+v, %v", got, err)
	}
	if got, err := s.ByLogin(ctx, "minjun"); err != nil || got.ID() != a.ID() {
		t.Fatalf("ByLogin by username = %+v, %v", got, err)
	}
	if _, err := s.ByLogin(ctx, "nobody"); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("ByLogin unknown: %v", err)
	}
	evs := outboxtest.Messages(t, pool)
	want := map[string]any{"user_id": a.ID().String(), "username": "minjun", "email": "MinJun@Example.org", "created_at": "2026-03-01T12:00:00Z"}
	if len(evs) != 1 || evs[0].Topic != "user.registered" || !mapsEqual(evs[0].Payload, want) {
		t.Fatalf("outbox = %+v, want one user.registered %v", evs, want)
	}
}

func mapsEqual(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestCreateReportsTakenFieldsAndWritesNoEvent(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	if err := s.Create(ctx, newAccount("minjun", "minjun@example.org")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, username, email string
		want                  []string
	}{
		{"username", "minjun", "other@example.org", []string{"username"}},
		{"email in another case", "other", "MINJUN@example.org", []string{"email"}},
		{"both", "minjun", "minjun@example.org", []string{"username", "email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Create(ctx, newAccount(tt.username, tt.email))
			var taken *account.TakenError
			if !errors.As(err, &taken) || !slices.Equal(taken.Fields, tt.want) {
				t.Fatalf("Create = %v, want taken %v", err, tt.want)
			}
		})
	}
	if n := len(outboxtest.Messages(t, pool)); n != 1 {
		t.Errorf("outbox has %d events, want only the first registration", n)
	}
}

func TestChangeEmailAndDeletePublishOnlyWhenTheyHappen(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	a, b := newAccount("alice", "alice@example.org"), newAccount("bob", "bob@example.org")
	for _, x := range []account.Account{a, b} {
		if err := s.Create(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	var taken *account.TakenError
	if err := s.ChangeEmail(ctx, a.ID(), "Bob@example.org", "bob@example.org"); !errors.As(err, &taken) {
		t.Fatalf("ChangeEmail to a taken address = %v", err)
	}
	if err := s.ChangeEmail(ctx, a.ID(), "alice@new.example", "alice@new.example"); err != nil {
		t.Fatal(err)
	}
	if _, refresh := token.NewFamily(a.ID(), t0, time.Hour); s.CreateRefresh(ctx, refresh) != nil {
		t.Fatal("create refresh")
	}
	if err := s.Delete(ctx, a.ID(), t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, a.ID(), t0); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("second Delete = %v", err)
	}
	var tokens int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM refresh_tokens`).Scan(&tokens); err != nil || tokens != 0 {
		t.Errorf("refresh tokens left after delete: %d (%v)", tokens, err)
	}
	var topics []string
	for _, e := range outboxtest.Messages(t, pool) {
		topics = append(topics, e.Topic)
	}
	want := []string{"user.registered", "user.registered", "user.email_changed", "user.deleted"}
	if !slices.Equal(topics, want) {
		t.Errorf("outbox topics = %v, want %v", topics, want)
	}
}

func TestRotateSpendsAndDetectsReuse(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	a := newAccount("alice", "alice@example.org")
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	raw1, first := token.NewFamily(a.ID(), t0, time.Hour)
	if err := s.CreateRefresh(ctx, first); err != nil {
		t.Fatal(err)
	}
	rotate := func(raw string, at time.Time) (string, error) {
		var next string
		err := s.Rotate(ctx, token.HashRefresh(raw), at, func(old token.Refresh) token.Refresh {
			r, n := old.Successor(at, time.Hour)
			next = r
			return n
		})
		return next, err
	}

	raw2, err := rotate(raw1, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	raw3, err := rotate(raw2, t0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rotate(raw1, t0.Add(3*time.Minute)); !errors.Is(err, token.ErrRefreshReused) {
		t.Fatalf("reusing the first token = %v, want ErrRefreshReused", err)
	}
	if _, err := rotate(raw3, t0.Add(4*time.Minute)); !errors.Is(err, token.ErrRefreshRevoked) {
		t.Fatalf("the family's live token after reuse = %v, want ErrRefreshRevoked", err)
	}
	if _, err := rotate("never-issued", t0); !errors.Is(err, token.ErrRefreshUnknown) {
		t.Fatalf("unknown token = %v", err)
	}

	rawOld, old := token.NewFamily(a.ID(), t0, time.Hour)
	if err := s.CreateRefresh(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := rotate(rawOld, t0.Add(time.Hour)); !errors.Is(err, token.ErrRefreshExpired) {
		t.Fatalf("expired token = %v", err)
	}

	rawOut, out := token.NewFamily(a.ID(), t0, time.Hour)
	if err := s.CreateRefresh(ctx, out); err != nil {
		t.Fatal(err)
	}
	for range 2 { // logging out twice is fine
		if err := s.RevokeFamily(ctx, token.HashRefresh(rawOut), t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rotate(rawOut, t0.Add(time.Minute)); !errors.Is(err, token.ErrRefreshRevoked) {
		t.Fatalf("token after logout = %v", err)
	}

	rawPw, pw := token.NewFamily(a.ID(), t0, time.Hour)
	if err := s.CreateRefresh(ctx, pw); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPasswordHash(ctx, a.ID(), "$argon2id$new", true, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := rotate(rawPw, t0.Add(time.Minute)); !errors.Is(err, token.ErrRefreshRevoked) {
		t.Fatalf("token after a password change = %v", err)
	}
}

func TestConcurrentRefreshesOfOneTokenCannotBothSucceed(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	a := newAccount("alice", "alice@example.org")
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		raw, r := token.NewFamily(a.ID(), t0, time.Hour)
		if err := s.CreateRefresh(ctx, r); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for i := range errs {
			wg.Go(func() {
				<-start
				errs[i] = s.Rotate(ctx, token.HashRefresh(raw), t0, func(old token.Refresh) token.Refresh {
					_, n := old.Successor(t0, time.Hour)
					return n
				})
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, token.ErrRefreshReused):
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d refreshes succeeded, want exactly 1 (%v)", round, ok, errs)
		}
	}
}

func TestThrottleStoreCountsConcurrentFailures(t *testing.T) {
	_, pool := newStore(t)
	ts := NewThrottleStore(pool)
	ctx := context.Background()
	if st, err := ts.Get(ctx, "account:x"); err != nil || st != (throttle.State{}) {
		t.Fatalf("unseen key = %+v, %v", st, err)
	}
	p := throttle.Policy{MaxFailures: 5, Window: time.Hour, BaseLock: time.Minute, MaxLock: time.Hour}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := ts.Update(ctx, "account:x", func(s throttle.State) throttle.State { return p.Fail(s, t0) }); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	st, err := ts.Get(ctx, "account:x")
	if err != nil {
		t.Fatal(err)
	}
	if st.Failures != 8 || !st.LastFailure.Equal(t0) || !st.LockedUntil.Equal(t0.Add(8*time.Minute)) {
		t.Errorf("state = %+v, want 8 failures locked until t0+8m", st)
	}
	if err := ts.Delete(ctx, "account:x"); err != nil {
		t.Fatal(err)
	}
	if st, _ := ts.Get(ctx, "account:x"); st.Failures != 0 {
		t.Errorf("after Delete: %+v", st)
	}
}
