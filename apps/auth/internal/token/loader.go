package token

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// The secret store keys holding the signing key and, during a rotation,
// the previous one.
const (
	SecretSigningKey  = "jwt-signing-key"
	SecretSigningKid  = "jwt-signing-kid"
	SecretPreviousKey = "jwt-previous-key"
	SecretPreviousKid = "jwt-previous-kid"
)

// SecretFunc reads one secret (daprx.Sidecar.Secret in production).
type SecretFunc func(ctx context.Context, key string) (string, error)

// Loader fills a keyring from the secret store once the sidecar is up,
// retrying with back-off until it succeeds, then reloads every Interval so
// a rotation is picked up without a restart.
type Loader struct {
	Keys      *Keyring
	Secret    SecretFunc
	Connected <-chan struct{}
	Interval  time.Duration
	Log       *slog.Logger
}

// Run loads until ctx is done. Failing to load is never fatal: the service
// answers 503 on token endpoints until the key arrives.
func (l *Loader) Run(ctx context.Context) error {
	select {
	case <-l.Connected:
	case <-ctx.Done():
		return nil
	}
	backoff := time.Second
	for {
		wait := l.Interval
		if err := l.Load(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if l.Keys.Loaded() {
				l.Log.WarnContext(ctx, "reloading signing keys failed; keeping the loaded ones", "err", err)
			} else {
				l.Log.ErrorContext(ctx, "loading signing keys failed; retrying", "err", err, "retry_in", backoff.String())
				wait = backoff
				backoff = min(backoff*2, 30*time.Second)
			}
		} else {
			backoff = time.Second
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// Load reads the keys once. A missing previous key is normal (no rotation
// in progress); a broken one is an error so nobody mistakes it for absent.
func (l *Loader) Load(ctx context.Context) error {
	current, err := l.read(ctx, SecretSigningKid, SecretSigningKey)
	if err != nil {
		return err
	}
	var previous *Key
	if kid, err := l.Secret(ctx, SecretPreviousKid); err == nil && kid != "" {
		p, err := l.read(ctx, SecretPreviousKid, SecretPreviousKey)
		if err != nil {
			return fmt.Errorf("previous key: %w", err)
		}
		previous = &p
	}
	was, _ := l.Keys.Signing()
	l.Keys.Set(current, previous)
	if was.ID != current.ID {
		prevID := ""
		if previous != nil {
			prevID = previous.ID
		}
		l.Log.InfoContext(ctx, "signing keys loaded", "kid", current.ID, "previous_kid", prevID)
	}
	return nil
}

func (l *Loader) read(ctx context.Context, kidName, keyName string) (Key, error) {
	kid, err := l.Secret(ctx, kidName)
	if err != nil {
		return Key{}, err
	}
	pemText, err := l.Secret(ctx, keyName)
	if err != nil {
		return Key{}, err
	}
	return ParseKey(kid, pemText)
}
