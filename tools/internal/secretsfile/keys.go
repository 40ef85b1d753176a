package secretsfile

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"os"
)

// Key is one secret and how to make its first value. Generate may read
// randomness only from rnd, so tests can make it deterministic.
type Key struct {
	Name     string
	Generate func(rnd io.Reader) (string, error)
}

// Keys is every secret the local system needs. Add new secrets here.
var Keys = []Key{
	{"rabbitmq-url", envOr("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")},
	{"emotion-state-pg", fixed("host=127.0.0.1 port=5432 user=ltm_emotion_store dbname=ltm_emotion_store sslmode=disable")},
	{"recommend-state-pg", fixed("host=127.0.0.1 port=5432 user=ltm_recommend dbname=ltm_recommend sslmode=disable")},
	{"app-api-token", randomHex(32)},
	// What apps send their sidecars (DAPR_API_TOKEN): daprd refuses its API without it.
	{"dapr-api-token", randomHex(32)},
	{"jwt-signing-key", ed25519PEM},
	{"jwt-signing-kid", randomHex(6)},
	{"letter-encryption-key", randomBase64(32)},
	{"letter-encryption-kid", fixed("k1")},
}

func fixed(v string) func(io.Reader) (string, error) {
	return func(io.Reader) (string, error) { return v, nil }
}

func envOr(name, fallback string) func(io.Reader) (string, error) {
	return func(io.Reader) (string, error) {
		if v := os.Getenv(name); v != "" {
			return v, nil
		}
		return fallback, nil
	}
}

func randomBytes(rnd io.Reader, n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return nil, fmt.Errorf("random bytes: %w", err)
	}
	return b, nil
}

func randomHex(n int) func(io.Reader) (string, error) {
	return func(rnd io.Reader) (string, error) {
		b, err := randomBytes(rnd, n)
		return hex.EncodeToString(b), err
	}
}

func randomBase64(n int) func(io.Reader) (string, error) {
	return func(rnd io.Reader) (string, error) {
		b, err := randomBytes(rnd, n)
		return base64.StdEncoding.EncodeToString(b), err
	}
}

func ed25519PEM(rnd io.Reader) (string, error) {
	_, priv, err := ed25519.GenerateKey(rnd)
	if err != nil {
		return "", fmt.Errorf("ed25519 key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", fmt.Errorf("ed25519 key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}
