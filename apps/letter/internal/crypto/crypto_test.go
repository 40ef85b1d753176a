package crypto_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/lettertomyself/ltm/apps/letter/internal/crypto"
)

func newKey(t *testing.T, id string) (crypto.Key, string) {
	t.Helper()
	raw := make([]byte, crypto.KeySize)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(raw)
	k, err := crypto.ParseKey(id, b64)
	if err != nil {
		t.Fatal(err)
	}
	return k, b64
}

func ring(t *testing.T, current crypto.Key, previous ...crypto.Key) *crypto.Keyring {
	t.Helper()
	r, err := crypto.NewKeyring(current, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRoundTrip(t *testing.T) {
	k, _ := newKey(t, "k1")
	r := ring(t, k)
	plain := []byte("미래의 나에게: 잘 지내?")
	aad := []byte("letter-1")

	kid, sealed, err := r.Encrypt(plain, aad)
	if err != nil {
		t.Fatal(err)
	}
	if kid != "k1" {
		t.Errorf("kid = %q, want k1", kid)
	}
	if bytes.Contains(sealed, plain) || bytes.Contains(sealed, []byte("미래")) {
		t.Error("ciphertext contains the plaintext")
	}
	got, err := r.Decrypt(kid, sealed, aad)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Decrypt = %q, %v; want %q", got, err, plain)
	}
	_, again, _ := r.Encrypt(plain, aad)
	if bytes.Equal(sealed[:12], again[:12]) || bytes.Equal(sealed, again) {
		t.Error("two encryptions share a nonce")
	}
}

func TestTamperingIsDetected(t *testing.T) {
	k, _ := newKey(t, "k1")
	other, _ := newKey(t, "k1") // same id, different bytes
	r := ring(t, k)
	kid, sealed, err := r.Encrypt([]byte("secret"), []byte("letter-1"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name   string
		ring   *crypto.Keyring
		kid    string
		sealed []byte
		aad    string
		want   error
	}{
		{"wrong aad (another row)", r, kid, sealed, "letter-2", crypto.ErrDecrypt},
		{"flipped bit in the nonce", r, kid, flip(0), "letter-1", crypto.ErrDecrypt},
		{"flipped bit in the ciphertext", r, kid, flip(13), "letter-1", crypto.ErrDecrypt},
		{"flipped bit in the tag", r, kid, flip(len(sealed) - 1), "letter-1", crypto.ErrDecrypt},
		{"truncated", r, kid, sealed[:10], "letter-1", crypto.ErrDecrypt},
		{"wrong key under the same id", ring(t, other), kid, sealed, "letter-1", crypto.ErrDecrypt},
		{"unknown key id", r, "k9", sealed, "letter-1", crypto.ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.ring.Decrypt(tt.kid, tt.sealed, []byte(tt.aad))
			if !errors.Is(err, tt.want) || got != nil {
				t.Fatalf("Decrypt = %q, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	old, _ := newKey(t, "2025")
	cur, _ := newKey(t, "2026")
	before := ring(t, old)
	kid, oldRow, err := before.Encrypt([]byte("written last year"), []byte("a"))
	if err != nil {
		t.Fatal(err)
	}

	after := ring(t, cur, old)
	if got, err := after.Decrypt(kid, oldRow, []byte("a")); err != nil || string(got) != "written last year" {
		t.Fatalf("row under the previous key: %q, %v", got, err)
	}
	newKid, newRow, err := after.Encrypt([]byte("written today"), []byte("b"))
	if err != nil || newKid != "2026" {
		t.Fatalf("new rows use %q (%v), want the current key 2026", newKid, err)
	}
	if _, err := before.Decrypt(newKid, newRow, []byte("b")); !errors.Is(err, crypto.ErrUnknownKey) {
		t.Errorf("old keyring decrypted a row under the new key: %v", err)
	}
	if _, err := crypto.NewKeyring(cur, cur); err == nil {
		t.Error("a keyring with one id twice was accepted")
	}
}

func TestParseKeyRejectsBadKeysWithoutEchoingThem(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))
	for name, b64 := range map[string]string{"not base64": "%%%secret%%%", "16 bytes": short, "empty": ""} {
		t.Run(name, func(t *testing.T) {
			_, err := crypto.ParseKey("k", b64)
			if err == nil {
				t.Fatal("accepted")
			}
			if b64 != "" && strings.Contains(err.Error(), b64) {
				t.Errorf("error echoes the key: %v", err)
			}
		})
	}
}

// secrets is a secret store in memory. A key mapped to errDenied answers
// like a store that has the secret but refuses it (an RBAC Role without it).
type secrets map[string]string

const errDenied = "\x00denied"

var errNotFound = errors.New("not found")

func (s secrets) Secret(_ context.Context, key string) (string, error) {
	v, ok := s[key]
	switch {
	case !ok:
		return "", fmt.Errorf("secret %s: %w", key, errNotFound)
	case v == errDenied:
		return "", errors.New(`secret ` + key + `: secrets "` + key + `" is forbidden`)
	}
	return v, nil
}

func (s secrets) OptionalSecret(ctx context.Context, key string) (string, error) {
	v, err := s.Secret(ctx, key)
	if errors.Is(err, errNotFound) {
		return "", nil
	}
	return v, err
}

// TestLoaderLoadsIntoTheHolder: the holder answers ErrNoKeys until a load
// swaps a keyring in (waiting for the sidecar and retrying is reload.Loop's).
func TestLoaderLoadsIntoTheHolder(t *testing.T) {
	cur, curB64 := newKey(t, "k2")
	old, oldB64 := newKey(t, "k1")
	src := secrets{
		crypto.SecretCurrentKID: "k2", crypto.SecretCurrentKey: curB64,
		crypto.SecretPreviousKID: "k1", crypto.SecretPreviousKey: oldB64,
	}
	holder := crypto.NewHolder(nil)
	if _, err := holder.Keyring(); !errors.Is(err, crypto.ErrNoKeys) {
		t.Fatalf("empty holder: %v, want ErrNoKeys", err)
	}
	l := &crypto.Loader{Source: src, Holder: holder, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := l.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	r, err := holder.Keyring()
	if err != nil || r.CurrentID() != cur.ID() {
		t.Fatalf("keyring %v, %v; want current %s", r, err, cur.ID())
	}
	_, sealed, _ := ring(t, old).Encrypt([]byte("x"), nil)
	if _, err := r.Decrypt(old.ID(), sealed, nil); err != nil {
		t.Errorf("previous key not loaded: %v", err)
	}
}

func TestLoadWithoutAPreviousKey(t *testing.T) {
	_, b64 := newKey(t, "only")
	r, err := crypto.Load(context.Background(), secrets{crypto.SecretCurrentKID: "only", crypto.SecretCurrentKey: b64})
	if err != nil || r.CurrentID() != "only" {
		t.Fatalf("Load = %v, %v", r, err)
	}
	if _, err := crypto.Load(context.Background(), secrets{crypto.SecretCurrentKID: "only"}); err == nil {
		t.Error("loaded without the current key")
	}
}

// A previous key the store refuses (or cannot serve) fails the load instead of
// passing for "no previous key": letters sealed under it must stay readable
// after a rotation (issue 18, item 3).
func TestLoadFailsWhenThePreviousKeyCannotBeRead(t *testing.T) {
	_, curB64 := newKey(t, "k2")
	_, oldB64 := newKey(t, "k1")
	cases := map[string]secrets{
		"previous kid refused": {
			crypto.SecretCurrentKID: "k2", crypto.SecretCurrentKey: curB64,
			crypto.SecretPreviousKID: errDenied, crypto.SecretPreviousKey: oldB64,
		},
		"previous key refused": {
			crypto.SecretCurrentKID: "k2", crypto.SecretCurrentKey: curB64,
			crypto.SecretPreviousKID: "k1", crypto.SecretPreviousKey: errDenied,
		},
		"previous key missing while its kid is set": {
			crypto.SecretCurrentKID: "k2", crypto.SecretCurrentKey: curB64,
			crypto.SecretPreviousKID: "k1",
		},
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			if r, err := crypto.Load(context.Background(), src); err == nil {
				t.Fatalf("loaded %v; want an error", r)
			} else if strings.Contains(err.Error(), oldB64) {
				t.Errorf("error echoes the key: %v", err)
			}
		})
	}
}
