package crypto

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Names of the secrets in the Dapr secret store.
const (
	SecretCurrentKey  = "letter-encryption-key"
	SecretCurrentKID  = "letter-encryption-kid"
	SecretPreviousKey = "letter-previous-key"
	SecretPreviousKID = "letter-previous-kid"
)

// ErrNoKeys: the keyring has not been loaded yet (the sidecar or the
// secret store is not there yet). Requests then answer 503.
var ErrNoKeys = errors.New("encryption keys not loaded yet")

// Holder shares the current keyring; Loader swaps it in.
type Holder struct {
	ring atomic.Pointer[Keyring]
}

// NewHolder returns a holder with ring already in it (nil: empty).
func NewHolder(ring *Keyring) *Holder {
	h := &Holder{}
	if ring != nil {
		h.ring.Store(ring)
	}
	return h
}

// Keyring returns the keyring or ErrNoKeys.
func (h *Holder) Keyring() (*Keyring, error) {
	r := h.ring.Load()
	if r == nil {
		return nil, ErrNoKeys
	}
	return r, nil
}

// Loaded reports whether a keyring is in place.
func (h *Holder) Loaded() bool { return h.ring.Load() != nil }

// SecretSource reads secrets (daprx.Sidecar is one). OptionalSecret answers
// "" and no error only when the store says the secret does not exist; any
// other failure (store unreachable, access denied) is an error.
type SecretSource interface {
	Secret(ctx context.Context, key string) (string, error)
	OptionalSecret(ctx context.Context, key string) (string, error)
}

// Load reads the keyring from src: the current key is required; the previous
// one is used when its secrets exist. A previous key that exists but cannot be
// read fails the load: taking it for "no previous key" would leave every
// letter sealed under it unreadable after a rotation, silently.
func Load(ctx context.Context, src SecretSource) (*Keyring, error) {
	kid, err := src.Secret(ctx, SecretCurrentKID)
	if err != nil {
		return nil, err
	}
	b64, err := src.Secret(ctx, SecretCurrentKey)
	if err != nil {
		return nil, err
	}
	current, err := ParseKey(kid, b64)
	if err != nil {
		return nil, err
	}
	pkid, err := src.OptionalSecret(ctx, SecretPreviousKID)
	if err != nil {
		return nil, fmt.Errorf("previous key id: %w", err)
	}
	if pkid == "" || pkid == kid {
		return NewKeyring(current)
	}
	pb64, err := src.Secret(ctx, SecretPreviousKey)
	if err != nil {
		return nil, fmt.Errorf("previous key %s: %w", pkid, err)
	}
	previous, err := ParseKey(pkid, pb64)
	if err != nil {
		return nil, fmt.Errorf("previous key: %w", err)
	}
	return NewKeyring(current, previous)
}

// Loader fills a Holder from the secret store once the sidecar is
// connected, retrying until it succeeds, then reloads every Refresh so a
// rotation reaches running replicas.
type Loader struct {
	Source    SecretSource
	Holder    *Holder
	Connected <-chan struct{}
	Log       *slog.Logger
	Refresh   time.Duration
	// Retry is the wait between failed first attempts.
	Retry time.Duration
}

// Run loads until ctx is done; it is a service worker.
func (l *Loader) Run(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-l.Connected:
	}
	retry := l.Retry
	if retry <= 0 {
		retry = 2 * time.Second
	}
	warned := false
	for !l.Holder.Loaded() {
		ring, err := Load(ctx, l.Source)
		if err == nil {
			l.Holder.ring.Store(ring)
			l.Log.Info("encryption keys loaded", "kid", ring.CurrentID(), "keys", len(ring.byID))
			break
		}
		if !warned {
			// The error names the secret, never its value.
			l.Log.Warn("encryption keys not loaded; letters answer 503 until they are", "err", err)
			warned = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(retry):
		}
	}
	if l.Refresh <= 0 {
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(l.Refresh):
		}
		ring, err := Load(ctx, l.Source)
		if err != nil {
			if ctx.Err() == nil {
				l.Log.Warn("encryption key reload failed; keeping the loaded keys", "err", err)
			}
			continue
		}
		if old := l.Holder.ring.Swap(ring); old == nil || old.CurrentID() != ring.CurrentID() || len(old.byID) != len(ring.byID) {
			l.Log.Info("encryption keys changed", "kid", ring.CurrentID(), "keys", len(ring.byID))
		}
	}
}
