// Package token mints access tokens (EdDSA JWTs), makes and checks refresh
// tokens, and holds the signing keys: the current key signs, the previous
// one (during a rotation) still verifies, and both are published as JWKS.
package token

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/lettertomyself/ltm/apps/platform/authn"
)

// ErrKeysNotLoaded is returned until the signing key has been read from the
// secret store; the HTTP layer answers 503 meanwhile.
var ErrKeysNotLoaded = errors.New("token: signing keys not loaded yet")

// Key is an Ed25519 key pair and its key id.
type Key struct {
	ID      string
	Private ed25519.PrivateKey
}

// Public returns the key's public half.
func (k Key) Public() ed25519.PublicKey { return k.Private.Public().(ed25519.PublicKey) }

// ParseKey reads a PEM PKCS#8 Ed25519 private key.
func ParseKey(kid, pemText string) (Key, error) {
	if kid == "" {
		return Key{}, errors.New("token: empty key id")
	}
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return Key{}, errors.New("token: key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return Key{}, fmt.Errorf("token: parse PKCS#8 key: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return Key{}, fmt.Errorf("token: key is %T, want Ed25519", k)
	}
	return Key{ID: kid, Private: priv}, nil
}

type keySet struct {
	current  Key
	previous *Key
}

// Keyring holds the keys; it is safe for concurrent use and can be
// reloaded while serving. It is an authn.KeySource, so auth-service
// verifies its own tokens without calling itself.
type Keyring struct {
	set atomic.Pointer[keySet]
}

// NewKeyring returns an empty keyring; Set loads it.
func NewKeyring() *Keyring { return &Keyring{} }

// Set replaces the keys.
func (k *Keyring) Set(current Key, previous *Key) {
	if previous != nil && previous.ID == current.ID {
		previous = nil
	}
	k.set.Store(&keySet{current: current, previous: previous})
}

// Loaded reports whether a signing key is present.
func (k *Keyring) Loaded() bool { return k.set.Load() != nil }

// Signing returns the key new tokens are signed with.
func (k *Keyring) Signing() (Key, error) {
	s := k.set.Load()
	if s == nil {
		return Key{}, ErrKeysNotLoaded
	}
	return s.current, nil
}

// Key returns the public key named kid: the current or the previous one.
func (k *Keyring) Key(_ context.Context, kid string) (ed25519.PublicKey, error) {
	s := k.set.Load()
	if s == nil {
		return nil, ErrKeysNotLoaded
	}
	if s.current.ID == kid {
		return s.current.Public(), nil
	}
	if s.previous != nil && s.previous.ID == kid {
		return s.previous.Public(), nil
	}
	return nil, fmt.Errorf("token: unknown key id %q", kid)
}

// JWKS returns the public keys, current first.
func (k *Keyring) JWKS() (authn.JWKS, error) {
	s := k.set.Load()
	if s == nil {
		return authn.JWKS{}, ErrKeysNotLoaded
	}
	set := authn.JWKS{Keys: []authn.JWK{authn.PublicJWK(s.current.ID, s.current.Public())}}
	if s.previous != nil {
		set.Keys = append(set.Keys, authn.PublicJWK(s.previous.ID, s.previous.Public()))
	}
	return set, nil
}
