// Package throttle slows down password guessing: failed logins are counted
// per (account, client address) and per client address, and past a
// threshold the key is locked for a time that doubles with every further
// failure (answered as 429 with Retry-After, never a held request). No key
// covers an account from every address: five wrong passwords from anywhere
// used to lock the real owner out too (issue 15, finding 4). The state
// lives in Postgres so it survives restarts and is shared by replicas.
package throttle

import (
	"context"
	"math"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"
)

// Policy says how many failures a key may have and how long it is locked.
type Policy struct {
	// MaxFailures within Window lock the key.
	MaxFailures int
	// Window is how long a quiet key (no failure, no lock) takes to be
	// forgiven: counting starts again from zero after it.
	Window time.Duration
	// BaseLock is the first lock; every later failure doubles it, up to
	// MaxLock.
	BaseLock time.Duration
	MaxLock  time.Duration
}

// State is what is remembered about one key.
type State struct {
	Failures    int
	LastFailure time.Time
	LockedUntil time.Time
}

// RetryAfter is how long the key stays locked at now (0: not locked).
func (s State) RetryAfter(now time.Time) time.Duration {
	if now.Before(s.LockedUntil) {
		return s.LockedUntil.Sub(now)
	}
	return 0
}

// Fail returns the state after one more failure at now. The count decays
// only after a Window with neither a failure nor a lock, so a guesser who
// waits out a lock is locked again, for twice as long, at the next miss.
func (p Policy) Fail(s State, now time.Time) State {
	quietSince := s.LastFailure
	if s.LockedUntil.After(quietSince) {
		quietSince = s.LockedUntil
	}
	if s.Failures > 0 && now.Sub(quietSince) >= p.Window {
		s = State{}
	}
	s.Failures++
	s.LastFailure = now
	if over := s.Failures - p.MaxFailures; over >= 0 {
		s.LockedUntil = now.Add(p.lockFor(over))
	}
	return s
}

func (p Policy) lockFor(over int) time.Duration {
	if over > 30 { // 2^30 minutes is past any sane MaxLock; avoid overflow
		return p.MaxLock
	}
	d := time.Duration(float64(p.BaseLock) * math.Pow(2, float64(over)))
	return min(d, p.MaxLock)
}

// Store keeps states. Update must apply fn atomically (replicas update the
// same key at once); a key never seen reads as the zero State.
type Store interface {
	Get(ctx context.Context, key string) (State, error)
	Update(ctx context.Context, key string, fn func(State) State) error
	Delete(ctx context.Context, key string) error
}

// Limit is one kind of key with its policy: per (account, address), per
// address.
type Limit struct {
	Prefix string
	Policy Policy
}

// Throttler applies limits to keys.
type Throttler struct {
	store   Store
	clock   clock.Clock
	Pair    Limit
	Address Limit
}

// New returns a throttler. An account seen from one address and an address
// have separate policies: many people share one address (an office, a
// carrier's NAT, every local process), so an address gets far more room.
func New(store Store, c clock.Clock, pair, address Policy) *Throttler {
	return &Throttler{store: store, clock: c,
		Pair:    Limit{Prefix: "pair:", Policy: pair},
		Address: Limit{Prefix: "addr:", Policy: address}}
}

// Subject names what a login attempt is counted against.
type Subject struct {
	Account string // a user id, or the normalised identifier when unknown
	Address string // the client address; empty when unknown
}

type keyed struct {
	key    string
	policy Policy
}

func (t *Throttler) keys(s Subject) []keyed {
	out := []keyed{{t.pairKey(s), t.Pair.Policy}}
	if s.Address != "" {
		out = append(out, keyed{t.Address.Prefix + s.Address, t.Address.Policy})
	}
	return out
}

// Check returns how long the subject must wait (0: go ahead); the longest
// lock of its keys wins.
func (t *Throttler) Check(ctx context.Context, s Subject) (time.Duration, error) {
	now := t.clock.Now()
	var wait time.Duration
	for _, k := range t.keys(s) {
		st, err := t.store.Get(ctx, k.key)
		if err != nil {
			return 0, err
		}
		wait = max(wait, st.RetryAfter(now))
	}
	return wait, nil
}

// Fail records a failed attempt against every key of s.
func (t *Throttler) Fail(ctx context.Context, s Subject) error {
	now := t.clock.Now()
	for _, k := range t.keys(s) {
		if err := t.store.Update(ctx, k.key, func(st State) State { return k.policy.Fail(st, now) }); err != nil {
			return err
		}
	}
	return nil
}

// Succeed forgets the failures of the account from the subject's address.
// The address keeps its count: a guesser must not be able to reset it by
// logging into an account of their own between guesses.
func (t *Throttler) Succeed(ctx context.Context, s Subject) error {
	return t.store.Delete(ctx, t.pairKey(s))
}

// pairKey: the address last, so an account name cannot end in a way that
// collides with another (account, address) pair.
func (t *Throttler) pairKey(s Subject) string {
	return t.Pair.Prefix + s.Account + " " + s.Address
}
