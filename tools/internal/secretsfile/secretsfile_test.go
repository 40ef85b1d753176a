package secretsfile

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

func load(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

func TestEnsureFreshFile(t *testing.T) {
	t.Setenv("RABBITMQ_URL", "amqp://u:p@rabbit:5672/")
	dir := filepath.Join(t.TempDir(), ".data")
	path := filepath.Join(dir, "secrets.json")

	added, err := Ensure(path, Keys, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range Keys {
		names = append(names, k.Name)
	}
	if !reflect.DeepEqual(added, names) {
		t.Errorf("added %v, want %v", added, names)
	}
	if got := mode(t, path); got != 0o600 {
		t.Errorf("file mode %o, want 600", got)
	}
	if got := mode(t, dir); got != 0o700 {
		t.Errorf("dir mode %o, want 700", got)
	}

	s := load(t, path)
	checks := []struct {
		key string
		ok  func(string) bool
	}{
		{"rabbitmq-url", func(v string) bool { return v == "amqp://u:p@rabbit:5672/" }},
		{"emotion-state-pg", func(v string) bool {
			return v == "host=127.0.0.1 port=5432 user=ltm_emotion_store dbname=ltm_emotion_store sslmode=disable"
		}},
		{"recommend-state-pg", func(v string) bool {
			return v == "host=127.0.0.1 port=5432 user=ltm_recommend dbname=ltm_recommend sslmode=disable"
		}},
		{"app-api-token", func(v string) bool { b, err := hex.DecodeString(v); return err == nil && len(b) == 32 }},
		{"jwt-signing-kid", func(v string) bool { _, err := hex.DecodeString(v); return err == nil && len(v) >= 8 }},
		{"letter-encryption-key", func(v string) bool {
			b, err := base64.StdEncoding.DecodeString(v)
			return err == nil && len(b) == 32
		}},
		{"letter-encryption-kid", func(v string) bool { return v == "k1" }},
		{"jwt-signing-key", func(v string) bool {
			block, _ := pem.Decode([]byte(v))
			if block == nil || block.Type != "PRIVATE KEY" {
				return false
			}
			key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			_, isEd := key.(ed25519.PrivateKey)
			return err == nil && isEd
		}},
	}
	for _, c := range checks {
		if !c.ok(s[c.key]) {
			// The value is a secret; the key name is enough to debug.
			t.Errorf("%s has an unexpected value", c.key)
		}
	}
	if len(s) != len(Keys) {
		t.Errorf("file has %d keys, want %d", len(s), len(Keys))
	}
}

func TestEnsureKeepsExistingValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	existing := `{"app-api-token": "keep-me", "letter-encryption-key": "old-key", "someone-else": "theirs"}`
	if err := os.WriteFile(path, []byte(existing), 0o644); err != nil {
		t.Fatal(err)
	}
	added, err := Ensure(path, Keys, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(added, "app-api-token") || slices.Contains(added, "letter-encryption-key") || len(added) != len(Keys)-2 {
		t.Errorf("added %v, want every key but the two present", added)
	}
	s := load(t, path)
	for k, want := range map[string]string{"app-api-token": "keep-me", "letter-encryption-key": "old-key", "someone-else": "theirs"} {
		if s[k] != want {
			t.Errorf("%s changed", k)
		}
	}
	if s["jwt-signing-key"] == "" {
		t.Error("missing key jwt-signing-key not added")
	}
	if got := mode(t, path); got != 0o600 {
		t.Errorf("file mode %o, want 600", got)
	}

	before, _ := os.ReadFile(path)
	added, err = Ensure(path, Keys, rand.Reader)
	if err != nil || len(added) != 0 {
		t.Errorf("second Ensure added %v, %v", added, err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("second Ensure changed the file")
	}
}

func TestEnsureRejectsMalformedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	const nested = `{"a": {"b": "c"}}`
	if err := os.WriteFile(path, []byte(nested), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(path, Keys, rand.Reader); err == nil {
		t.Fatal("Ensure accepted a nested file")
	}
	if data, _ := os.ReadFile(path); string(data) != nested {
		t.Error("malformed file was overwritten")
	}
}

func TestGet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	if err := os.WriteFile(path, []byte(`{"app-api-token":"abc"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if v, err := Get(path, "app-api-token"); err != nil || v != "abc" {
		t.Errorf("Get = %q, %v; want abc", v, err)
	}
	if _, err := Get(path, "missing"); err == nil {
		t.Error("Get of a missing key succeeded")
	}
}
