// Package crypto encrypts letters at rest: AES-256-GCM with a random
// 96-bit nonce per value, the caller's associated data binding each
// ciphertext to its row, and a keyring of the current key (encrypts) and
// previous keys (decrypt only) so keys can rotate without rewriting rows.
package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the AES-256 key length in bytes.
const KeySize = 32

var (
	// ErrUnknownKey: a row names a key id the keyring does not hold.
	ErrUnknownKey = errors.New("unknown encryption key id")
	// ErrDecrypt: the ciphertext, its nonce or its associated data was
	// altered, or the key is wrong. Deliberately says no more.
	ErrDecrypt = errors.New("ciphertext failed authentication")
)

// Key is one named AES-256-GCM key.
type Key struct {
	id   string
	aead cipher.AEAD
}

// NewKey makes a key from 32 raw bytes.
func NewKey(id string, raw []byte) (Key, error) {
	if strings.TrimSpace(id) == "" {
		return Key{}, errors.New("encryption key: empty key id")
	}
	if len(raw) != KeySize {
		return Key{}, fmt.Errorf("encryption key %s: %d bytes, want %d", id, len(raw), KeySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return Key{}, fmt.Errorf("encryption key %s: %w", id, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Key{}, fmt.Errorf("encryption key %s: %w", id, err)
	}
	return Key{id: id, aead: aead}, nil
}

// ParseKey makes a key from the standard base64 of 32 bytes, as the
// secret store holds it. The error never contains the key material.
func ParseKey(id, b64 string) (Key, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return Key{}, fmt.Errorf("encryption key %s: not standard base64", id)
	}
	return NewKey(id, raw)
}

// ID is the key's id, recorded with every row it encrypts.
func (k Key) ID() string { return k.id }

// Keyring holds the current key and any previous ones.
type Keyring struct {
	current Key
	byID    map[string]Key
}

// NewKeyring returns a keyring encrypting with current and decrypting with
// current and previous.
func NewKeyring(current Key, previous ...Key) (*Keyring, error) {
	if current.aead == nil {
		return nil, errors.New("keyring: no current key")
	}
	r := &Keyring{current: current, byID: map[string]Key{current.id: current}}
	for _, k := range previous {
		if _, dup := r.byID[k.id]; dup {
			return nil, fmt.Errorf("keyring: key id %s used twice", k.id)
		}
		r.byID[k.id] = k
	}
	return r, nil
}

// CurrentID is the id new rows are encrypted under.
func (r *Keyring) CurrentID() string { return r.current.id }

// Encrypt seals plaintext under the current key, bound to aad, and
// returns the key id and nonce‖ciphertext‖tag.
func (r *Keyring) Encrypt(plaintext, aad []byte) (kid string, sealed []byte, err error) {
	nonce := make([]byte, r.current.aead.NonceSize(), r.current.aead.NonceSize()+len(plaintext)+r.current.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, fmt.Errorf("encrypt: nonce: %w", err)
	}
	return r.current.id, r.current.aead.Seal(nonce, nonce, plaintext, aad), nil
}

// Decrypt opens what Encrypt sealed under key kid with the same aad.
func (r *Keyring) Decrypt(kid string, sealed, aad []byte) ([]byte, error) {
	k, ok := r.byID[kid]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKey, kid)
	}
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, ErrDecrypt
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return plain, nil
}
