package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters. They are written into every hash,
// so raising them later still verifies old hashes (and NeedsRehash tells
// when to upgrade one).
type Params struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
}

const (
	saltLen = 16
	keyLen  = 32
)

// ErrMalformedHash means a stored hash is not one this package wrote.
var ErrMalformedHash = errors.New("password: malformed hash")

// Hasher hashes and verifies passwords with argon2id. Each hash holds
// MemoryKiB of memory for its duration, so at most maxConcurrent run at
// once: a burst of logins queues instead of exhausting the container's
// memory.
type Hasher struct {
	params Params
	sem    chan struct{}
	dummy  string

	mu   sync.Mutex
	idle *time.Timer // returns the hashes' memory once none has run for a while
}

// returnAfter is how long no hash may run before the memory hashing took
// goes back to the OS. Each hash allocates MemoryKiB (64 MiB by default)
// that the Go runtime would otherwise keep, resident, for minutes: the
// dummy hash made at start alone kept auth-service at ~90 MB idle
// (docs/performance.md).
const returnAfter = 2 * time.Second

// NewHasher returns a hasher for p allowing maxConcurrent hashes at once.
func NewHasher(p Params, maxConcurrent int) (*Hasher, error) {
	if p.MemoryKiB < 8*uint32(max(p.Parallelism, 1)) || p.Iterations < 1 || p.Parallelism < 1 {
		return nil, fmt.Errorf("password: argon2id parameters out of range: %+v", p)
	}
	if maxConcurrent < 1 {
		maxConcurrent = 1
	}
	h := &Hasher{params: p, sem: make(chan struct{}, maxConcurrent)}
	// A hash of a random password: verifying against it when an account
	// does not exist costs the same as a real verification, so response
	// times do not reveal which usernames exist.
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	dummy, err := h.Hash(context.Background(), base64.RawStdEncoding.EncodeToString(random))
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// Hash returns the PHC string of pw: $argon2id$v=19$m=…,t=…,p=…$salt$key.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, h.params.Iterations, h.params.MemoryKiB, h.params.Parallelism, keyLen)
	h.release()
	return encode(h.params, salt, key), nil
}

// Verify reports whether pw matches encoded, comparing in constant time.
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) (bool, error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Iterations, p.MemoryKiB, p.Parallelism, uint32(len(want)))
	h.release()
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// VerifyDummy spends the time of one verification and always fails; call
// it when there is no account to verify against.
func (h *Hasher) VerifyDummy(ctx context.Context, pw string) {
	_, _ = h.Verify(ctx, pw, h.dummy)
}

// NeedsRehash reports whether encoded was made with other parameters than
// the hasher's, so a successful login can upgrade it.
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, _, _, err := decode(encoded)
	return err != nil || p != h.params
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() {
	<-h.sem
	if len(h.sem) > 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.idle == nil {
		h.idle = time.AfterFunc(returnAfter, h.returnMemory)
		return
	}
	h.idle.Reset(returnAfter)
}

// returnMemory frees the hashes' memory unless a hash has started since.
func (h *Hasher) returnMemory() {
	if len(h.sem) == 0 {
		debug.FreeOSMemory()
	}
}

func encode(p Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func decode(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Params{}, nil, nil, ErrMalformedHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Iterations, &p.Parallelism); err != nil {
		return Params{}, nil, nil, ErrMalformedHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) == 0 {
		return Params{}, nil, nil, ErrMalformedHash
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return Params{}, nil, nil, ErrMalformedHash
	}
	if p.Iterations < 1 || p.Parallelism < 1 || p.MemoryKiB < 8*uint32(p.Parallelism) {
		return Params{}, nil, nil, ErrMalformedHash
	}
	return p, salt, key, nil
}
