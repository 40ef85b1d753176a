package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"

	"github.com/lettertomyself/ltm/apps/auth/internal/account"
	"github.com/lettertomyself/ltm/apps/auth/internal/token"
)

// live is every live revocation at now, as the feed serves them.
func live(t *testing.T, s *Store, now time.Time) []authn.Revocation {
	t.Helper()
	page, err := s.Revocations(func() time.Time { return now }).RevocationsAfter(context.Background(), 0, authn.RevocationsPageMax)
	if err != nil {
		t.Fatal(err)
	}
	return page.Revocations
}

func describe(rs []authn.Revocation) []string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s/%s until %s", r.UserID, r.SessionID, r.ExpiresAt.UTC().Format(time.TimeOnly)))
	}
	return out
}

// Logout, a password change and a deletion each write, in their own
// transaction, the revocation that ends the access tokens already handed
// out: the session, every session with a token still live, the user whole.
func TestEndedSessionsAreRevoked(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	a, b := newAccount("alice", "alice@example.org"), newAccount("bob", "bob@example.org")
	for _, x := range []account.Account{a, b} {
		if err := s.Create(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	family := func(user uuid.UUID, at time.Time) (string, uuid.UUID) {
		raw, r := token.NewFamily(user, at, 24*time.Hour)
		if err := s.CreateRefresh(ctx, r); err != nil {
			t.Fatal(err)
		}
		return raw, r.FamilyID
	}
	until := t0.Add(accessTTL + authn.Leeway)

	// Logout: that session only, once however often it is repeated; an
	// unknown token writes nothing.
	rawOut, sidOut := family(a.ID(), t0)
	_, sidKept := family(a.ID(), t0)
	for range 2 {
		if err := s.RevokeFamily(ctx, token.HashRefresh(rawOut), t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RevokeFamily(ctx, token.HashRefresh("never-issued"), t0); err != nil {
		t.Fatal(err)
	}
	got := live(t, s, t0)
	if len(got) != 1 || got[0].UserID != a.ID().String() || got[0].SessionID != sidOut.String() || !got[0].ExpiresAt.Equal(until) {
		t.Fatalf("after logout: %v, want alice/%s until %s", describe(got), sidOut, until)
	}

	// Password change: every session of the user that minted an access
	// token within the window (a login or a refresh), none older, no other
	// user's.
	_, sidOld := family(a.ID(), t0.Add(-time.Hour)) // its last token expired long ago
	rawRefreshed, sidRefreshed := family(a.ID(), t0.Add(-time.Hour))
	later := t0.Add(5 * time.Minute)
	if err := s.Rotate(ctx, token.HashRefresh(rawRefreshed), later.Add(-time.Minute), func(old token.Refresh) token.Refresh {
		_, n := old.Successor(later.Add(-time.Minute), time.Hour)
		return n
	}); err != nil {
		t.Fatal(err)
	}
	_, sidBob := family(b.ID(), later)
	if err := s.SetPasswordHash(ctx, a.ID(), "$argon2id$new", true, later); err != nil {
		t.Fatal(err)
	}
	bySID := map[string]authn.Revocation{}
	for _, r := range live(t, s, later) {
		bySID[r.SessionID] = r
	}
	for _, sid := range []uuid.UUID{sidKept, sidRefreshed, sidOut} {
		if r, ok := bySID[sid.String()]; !ok || r.UserID != a.ID().String() {
			t.Errorf("password change: session %s not revoked (%v)", sid, bySID)
		}
	}
	if r := bySID[sidKept.String()]; !r.ExpiresAt.Equal(later.Add(accessTTL + authn.Leeway)) {
		t.Errorf("password change revocation lasts until %s, want %s", r.ExpiresAt, later.Add(accessTTL+authn.Leeway))
	}
	for _, sid := range []uuid.UUID{sidOld, sidBob} {
		if _, ok := bySID[sid.String()]; ok {
			t.Errorf("password change revoked session %s, which has no live token or is someone else's", sid)
		}
	}
	if _, ok := bySID[""]; ok {
		t.Error("a password change revoked the user whole: the next login would be refused")
	}
	// Rehashing at login (no sessions revoked) writes nothing.
	n := len(live(t, s, later))
	if err := s.SetPasswordHash(ctx, a.ID(), "$argon2id$rehashed", false, later); err != nil {
		t.Fatal(err)
	}
	if m := len(live(t, s, later)); m != n {
		t.Errorf("a rehash wrote %d revocations", m-n)
	}

	// Deletion: the user whole, with the account.
	if err := s.Delete(ctx, b.ID(), later); err != nil {
		t.Fatal(err)
	}
	rs := live(t, s, later)
	last := rs[len(rs)-1]
	if last.UserID != b.ID().String() || last.SessionID != "" || !last.ExpiresAt.Equal(later.Add(accessTTL+authn.Leeway)) {
		t.Errorf("after deletion the last revocation is %v, want bob, every session", describe([]authn.Revocation{last}))
	}

	// Reuse of a spent refresh token revokes its family's session too.
	c := newAccount("carol", "carol@example.org")
	if err := s.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	rawC, sidC := family(c.ID(), later)
	rotate := func() error {
		return s.Rotate(ctx, token.HashRefresh(rawC), later, func(old token.Refresh) token.Refresh {
			_, n := old.Successor(later, time.Hour)
			return n
		})
	}
	if err := rotate(); err != nil {
		t.Fatal(err)
	}
	if err := rotate(); !errors.Is(err, token.ErrRefreshReused) {
		t.Fatalf("reuse = %v", err)
	}
	rs = live(t, s, later)
	if last := rs[len(rs)-1]; last.SessionID != sidC.String() {
		t.Errorf("after reuse the last revocation is %v, want carol's session", describe([]authn.Revocation{last}))
	}

	// Expired revocations are no longer served, and Prune deletes them.
	if got := live(t, s, later.Add(accessTTL+authn.Leeway)); len(got) != 0 {
		t.Errorf("served after their expiry: %v", describe(got))
	}
	if _, err := s.Prune(ctx, later.Add(accessTTL+authn.Leeway+time.Second), time.Hour); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM revocations`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("%d revocations left after pruning (%v)", rows, err)
	}
}

// The feed pages by seq, caps the page, and says when the cursor is ahead
// of the table (recreated): the reader starts over.
func TestRevocationFeedPages(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	now := func() time.Time { return t0 }
	feed := s.Revocations(now)
	if p, err := feed.RevocationsAfter(ctx, 0, 10); err != nil || p.Next != 0 || p.More || p.Revocations == nil {
		t.Fatalf("empty table: %+v, %v", p, err)
	}
	for range 5 {
		a := newAccount("u"+uuid.NewString()[:8], uuid.NewString()[:8]+"@example.org")
		if err := s.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, a.ID(), t0); err != nil {
			t.Fatal(err)
		}
	}
	p, err := feed.RevocationsAfter(ctx, 0, 2)
	if err != nil || len(p.Revocations) != 2 || !p.More || p.Next != p.Revocations[1].Seq {
		t.Fatalf("first page of 2: %+v, %v", p, err)
	}
	var seen []int64
	for after := int64(0); ; {
		p, err := feed.RevocationsAfter(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Revocations {
			seen = append(seen, r.Seq)
		}
		after = p.Next
		if !p.More {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("paged through %v, want 5 rows", seen)
	}
	if p, err := feed.RevocationsAfter(ctx, seen[4], 10); err != nil || len(p.Revocations) != 0 || p.Next != seen[4] {
		t.Errorf("after the last row: %+v, %v", p, err)
	}
	if p, err := feed.RevocationsAfter(ctx, seen[4]+1000, 10); err != nil || p.Next != seen[4] {
		t.Errorf("cursor ahead of the table: next %d, want %d (start over)", p.Next, seen[4])
	}
	if p, err := feed.RevocationsAfter(ctx, 0, authn.RevocationsPageMax+50); err != nil || len(p.Revocations) != 5 {
		t.Errorf("limit above the cap: %+v, %v", p, err)
	}
	_ = pool
}

// Revocations committed concurrently are read in commit order: a reader
// following its cursor while writers commit never skips one.
func TestConcurrentRevocationsAreNeverSkipped(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	const writers, each = 4, 10
	users := make([]account.Account, writers*each)
	for i := range users {
		users[i] = newAccount(fmt.Sprintf("user%d", i), fmt.Sprintf("user%d@example.org", i))
		if err := s.Create(ctx, users[i]); err != nil {
			t.Fatal(err)
		}
	}
	feed := s.Revocations(func() time.Time { return t0 })
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := s.Delete(ctx, users[w*each+i].ID(), t0); err != nil {
					t.Error(err)
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	seen := map[string]bool{}
	after := int64(0)
	for finished := false; ; {
		select {
		case <-done:
			finished = true
		default:
		}
		p, err := feed.RevocationsAfter(ctx, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Revocations {
			seen[r.UserID] = true
		}
		after = p.Next
		if finished && !p.More {
			break
		}
	}
	if len(seen) != len(users) {
		t.Errorf("the cursor reader saw %d of %d revocations", len(seen), len(users))
	}
}

// The cost of a poll on auth's side: the steady state (nothing new after
// the cursor) with an empty table and with 10,000 live revocations, and a
// start-up read of all 10,000 (after=0, ten pages).
func BenchmarkRevocationFeed(b *testing.B) {
	s, pool := newStore(b)
	ctx := context.Background()
	feed := s.Revocations(func() time.Time { return t0 })
	steady := func(b *testing.B) {
		last, err := feed.RevocationsAfter(ctx, 0, authn.RevocationsPageMax)
		if err != nil {
			b.Fatal(err)
		}
		after := last.Next
		for last.More {
			if last, err = feed.RevocationsAfter(ctx, after, authn.RevocationsPageMax); err != nil {
				b.Fatal(err)
			}
			after = last.Next
		}
		for b.Loop() {
			p, err := feed.RevocationsAfter(ctx, after, authn.RevocationsPageMax)
			if err != nil || len(p.Revocations) != 0 {
				b.Fatal(err, len(p.Revocations))
			}
		}
	}
	b.Run("steady/empty", steady)
	_, err := pool.Exec(ctx, `
		INSERT INTO revocations (user_id, sid, created_at, expires_at)
		SELECT gen_random_uuid(), gen_random_uuid(), $1, $2 FROM generate_series(1, 10000)`, t0, t0.Add(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE revocations`); err != nil {
		b.Fatal(err)
	}
	b.Run("steady/10k", steady)
	b.Run("startup/10k", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for after, more := int64(0), true; more; {
				p, err := feed.RevocationsAfter(ctx, after, authn.RevocationsPageMax)
				if err != nil {
					b.Fatal(err)
				}
				n += len(p.Revocations)
				after, more = p.Next, p.More
			}
			if n != 10_000 {
				b.Fatal(n)
			}
		}
	})
}

// A refresh racing a logout or a password change cannot leave the session
// alive: once both have returned, the family has no live refresh token and
// its sid is revoked.
func TestRefreshRacingTheEndOfASessionLosesIt(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	a := newAccount("alice", "alice@example.org")
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	for round := range 40 {
		raw, r := token.NewFamily(a.ID(), t0, time.Hour)
		if err := s.CreateRefresh(ctx, r); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Go(func() {
			<-start
			_ = s.Rotate(ctx, token.HashRefresh(raw), t0, func(old token.Refresh) token.Refresh {
				_, n := old.Successor(t0, time.Hour)
				return n
			})
		})
		wg.Go(func() {
			<-start
			var err error
			if round%2 == 0 {
				err = s.RevokeFamily(ctx, token.HashRefresh(raw), t0)
			} else {
				err = s.SetPasswordHash(ctx, a.ID(), "$argon2id$x", true, t0)
			}
			if err != nil {
				t.Error(err)
			}
		})
		close(start)
		wg.Wait()
		var live int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL`, r.FamilyID).Scan(&live); err != nil {
			t.Fatal(err)
		}
		if live != 0 {
			t.Fatalf("round %d: %d refresh tokens of the family survived its end", round, live)
		}
		var revoked bool
		if err := pool.QueryRow(ctx, `SELECT exists(SELECT 1 FROM revocations WHERE sid = $1)`, r.FamilyID).Scan(&revoked); err != nil || !revoked {
			t.Fatalf("round %d: the session is not revoked (%v)", round, err)
		}
	}
}
