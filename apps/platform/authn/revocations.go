package authn

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"
)

// Sessions end at once (issue 15, finding 3). An access token is checked
// locally for 15 minutes; when its session ends earlier — logout, a
// password change, the account's deletion — auth-service writes a
// revocation, and every verifier refuses the tokens it names as soon as
// its poller has read it (about a second). docs/security.md has the design
// and its costs.

// Leeway is how long past its expiry a token is still accepted (clock
// skew between services). A revocation must outlive every token it names
// by at least this much.
const Leeway = 30 * time.Second

// RevocationsPath is where auth-service lists revocations for the other
// services (GET, ?after=<seq>), through Dapr invocation.
const RevocationsPath = "/internal/revocations"

// RevocationsPageMax is the most revocations one page carries.
const RevocationsPageMax = 1000

// Revocation ends access tokens before their expiry: every token of
// UserID whose session id (claim sid) is SessionID, or, with no SessionID,
// every token of UserID. It is kept until ExpiresAt, by when every token it
// names has expired.
type Revocation struct {
	Seq       int64     `json:"seq"`
	UserID    string    `json:"user_id"`
	SessionID string    `json:"sid,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RevocationPage is one answer of GET /internal/revocations: the live
// revocations after the cursor asked for, in order, and the cursor to ask
// with next. More says the page was full: ask again at once.
type RevocationPage struct {
	Revocations []Revocation `json:"revocations"`
	Next        int64        `json:"next"`
	More        bool         `json:"more"`
}

// RevocationSource lists the live revocations after a cursor, at most
// limit of them. Every other service reads auth-service's
// (RemoteRevocations); auth reads its own store.
type RevocationSource interface {
	RevocationsAfter(ctx context.Context, after int64, limit int) (RevocationPage, error)
}

// Revocations is the set a Verifier consults: user-wide entries and
// session entries, each dropping out at its ExpiresAt. Safe for
// concurrent use; a lookup is two map reads under a read lock.
type Revocations struct {
	mu       sync.RWMutex
	users    map[string]time.Time // user id → until
	sessions map[string]time.Time // sid → until
}

// NewRevocations returns an empty set.
func NewRevocations() *Revocations {
	return &Revocations{users: map[string]time.Time{}, sessions: map[string]time.Time{}}
}

// Add puts rs in the set, skipping those already expired at now. An entry
// already there keeps the later of the two expiries.
func (r *Revocations) Add(now time.Time, rs ...Revocation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rv := range rs {
		if !rv.ExpiresAt.After(now) || rv.UserID == "" {
			continue
		}
		m, key := r.users, rv.UserID
		if rv.SessionID != "" {
			m, key = r.sessions, rv.SessionID
		}
		if until, ok := m[key]; !ok || rv.ExpiresAt.After(until) {
			m[key] = rv.ExpiresAt
		}
	}
}

// Revoked reports whether c's token is revoked at now: its user's tokens
// all are, or its session's are.
func (r *Revocations) Revoked(c Claims, now time.Time) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if until, ok := r.users[c.UserID]; ok && now.Before(until) {
		return true
	}
	if c.SessionID == "" {
		return false
	}
	until, ok := r.sessions[c.SessionID]
	return ok && now.Before(until)
}

// Prune drops the entries expired at now and returns how many are left.
func (r *Revocations) Prune(now time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range []map[string]time.Time{r.users, r.sessions} {
		for k, until := range m {
			if !now.Before(until) {
				delete(m, k)
			}
		}
	}
	return len(r.users) + len(r.sessions)
}

// Len is the number of entries, expired ones not yet pruned included.
func (r *Revocations) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.users) + len(r.sessions)
}

// RemoteRevocations reads auth-service's GET /internal/revocations with
// get (the sidecar's invocation, as RemoteKeys reads the JWKS).
type RemoteRevocations struct {
	Get func(ctx context.Context, path string) ([]byte, error)
}

// RevocationsAfter implements RevocationSource. The page size is auth's
// to cap; limit is not sent.
func (s RemoteRevocations) RevocationsAfter(ctx context.Context, after int64, _ int) (RevocationPage, error) {
	b, err := s.Get(ctx, RevocationsPath+"?after="+strconv.FormatInt(after, 10))
	if err != nil {
		return RevocationPage{}, err
	}
	var p RevocationPage
	if err := json.Unmarshal(b, &p); err != nil {
		return RevocationPage{}, fmt.Errorf("decode revocations: %w", err)
	}
	return p, nil
}

// RevocationPoller keeps a Revocations set up to date from a source: every
// Interval it asks for the revocations after its cursor (from 0 when the
// process starts, so a restarted service learns every live one), adds them
// and prunes the expired.
//
// When the source cannot be read the set is kept as it is, and the
// verifier goes on accepting tokens not in it: fail-open for the length of
// the outage (docs/security.md says why). The outage is logged once at
// warn when it has lasted WarnAfter (so a start-up before auth-service is
// up says nothing), and once at info when it ends; never per poll.
// Readiness does not depend on it.
type RevocationPoller struct {
	Source RevocationSource
	Set    *Revocations
	Clock  clock.Clock
	Log    *slog.Logger
	// Connected, when set, is closed once the sidecar is reachable; no
	// poll is made before.
	Connected <-chan struct{}
	// Interval between polls; default 1s.
	Interval time.Duration
	// Timeout bounds one poll; default 5s.
	Timeout time.Duration
	// WarnAfter is how long failures last before one warning; default 10s.
	WarnAfter time.Duration

	cursor    int64
	failSince time.Time // first failure of the current outage; zero when none
	warned    bool
}

// Poll reads every page after the cursor, adds what it gets and prunes.
func (p *RevocationPoller) Poll(ctx context.Context) error {
	if p.Timeout <= 0 {
		p.Timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	for range 100 { // 100 pages per poll at most; the rest next time
		page, err := p.Source.RevocationsAfter(ctx, p.cursor, RevocationsPageMax)
		if err != nil {
			return err
		}
		now := p.Clock.Now()
		p.Set.Add(now, page.Revocations...)
		if page.Next < p.cursor {
			// The source started over (its table was recreated): read it
			// all again. What the set holds stays until it expires.
			p.cursor = 0
			continue
		}
		p.cursor = page.Next
		if !page.More {
			break
		}
	}
	p.Set.Prune(p.Clock.Now())
	return nil
}

// Cursor is the last sequence number read.
func (p *RevocationPoller) Cursor() int64 { return p.cursor }

// Run polls every Interval until ctx is done; a service worker. It never
// fails: a source that cannot be read is an outage to log, not a reason to
// stop the service.
func (p *RevocationPoller) Run(ctx context.Context) error {
	if p.Interval <= 0 {
		p.Interval = time.Second
	}
	if p.Connected != nil {
		select {
		case <-ctx.Done():
			return nil
		case <-p.Connected:
		}
	}
	t := time.NewTicker(p.Interval)
	defer t.Stop()
	for {
		p.Step(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Step is one poll of Run with its outage bookkeeping.
func (p *RevocationPoller) Step(ctx context.Context) {
	if p.WarnAfter <= 0 {
		p.WarnAfter = 10 * time.Second
	}
	err := p.Poll(ctx)
	now := p.Clock.Now()
	switch {
	case err == nil:
		if p.warned {
			p.Log.InfoContext(ctx, "revocations readable again", "outage", now.Sub(p.failSince).Round(time.Second).String())
		}
		p.failSince, p.warned = time.Time{}, false
	case ctx.Err() != nil:
	default:
		if p.failSince.IsZero() {
			p.failSince = now
		}
		if !p.warned && now.Sub(p.failSince) >= p.WarnAfter {
			p.warned = true
			p.Log.WarnContext(ctx, "revocations unreadable: ended sessions stay accepted until this ends (known ones stay refused)",
				"err", err, "since", p.failSince.Format(time.RFC3339))
		}
	}
}
