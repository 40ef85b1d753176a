package token

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/lettertomyself/ltm/apps/platform/reload"
)

// The secret store keys holding the signing key and, during a rotation,
// the previous one.
const (
	SecretSigningKey  = "jwt-signing-key"
	SecretSigningKid  = "jwt-signing-kid"
	SecretPreviousKey = "jwt-previous-key"
	SecretPreviousKid = "jwt-previous-kid"
)

// Loader reads the signing keys from the secret store into a keyring;
// reload.Loop runs it.
type Loader struct {
	Keys    *Keyring
	Secrets reload.Secrets
	Log     *slog.Logger
}

// Load reads the keys once. A missing previous key is normal (no rotation
// in progress); one the store cannot read, or a broken one, is an error so
// nobody mistakes it for absent.
func (l *Loader) Load(ctx context.Context) error {
	current, err := l.read(ctx, SecretSigningKid, SecretSigningKey)
	if err != nil {
		return err
	}
	var previous *Key
	kid, err := l.Secrets.OptionalSecret(ctx, SecretPreviousKid)
	if err != nil {
		return fmt.Errorf("previous key id: %w", err)
	}
	if kid != "" {
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
	kid, err := l.Secrets.Secret(ctx, kidName)
	if err != nil {
		return Key{}, err
	}
	pemText, err := l.Secrets.Secret(ctx, keyName)
	if err != nil {
		return Key{}, err
	}
	return ParseKey(kid, pemText)
}
