package crypto

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/lettertomyself/ltm/apps/platform/reload"
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

// Load reads the keyring from src: the current key is required; the previous
// one is used when its secrets exist. A previous key that exists but cannot be
// read fails the load: taking it for "no previous key" would leave every
// letter sealed under it unreadable after a rotation, silently.
func Load(ctx context.Context, src reload.Secrets) (*Keyring, error) {
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

// Loader reads the keyring from the secret store into a Holder;
// reload.Loop runs it.
type Loader struct {
	Source reload.Secrets
	Holder *Holder
	Log    *slog.Logger
}

// Load reads the keyring once and swaps it in; on error the loaded one
// stays.
func (l *Loader) Load(ctx context.Context) error {
	ring, err := Load(ctx, l.Source)
	if err != nil {
		return err
	}
	if old := l.Holder.ring.Swap(ring); old == nil || old.CurrentID() != ring.CurrentID() || len(old.byID) != len(ring.byID) {
		l.Log.InfoContext(ctx, "encryption keys loaded", "kid", ring.CurrentID(), "keys", len(ring.byID))
	}
	return nil
}
