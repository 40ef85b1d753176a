package account

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/fields"
)

func TestCheckUsername(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"plain", "minjun", true},
		{"upper case is normalised", "MinJun.Kim_99", true},
		{"surrounding space trimmed", "  alice ", true},
		{"three characters", "abc", true},
		{"thirty characters", "abcdefghijabcdefghijabcdefghij", true},
		{"too short", "ab", false},
		{"too long", "abcdefghijabcdefghijabcdefghijk", false},
		{"empty", "", false},
		{"hyphen", "min-jun", false},
		{"at sign", "a@b.c", false},
		{"hangul", "민준이", false},
		{"inner space", "min jun", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := CheckUsername(NormalizeUsername(tt.in))
			if (msg == "") != tt.ok {
				t.Errorf("CheckUsername(%q) = %q, want ok = %v", tt.in, msg, tt.ok)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		name, in, email, key string
		ok                   bool
	}{
		{"plain", "me@example.org", "me@example.org", "me@example.org", true},
		{"case kept, key lowered", " MinJun@Example.ORG ", "MinJun@Example.ORG", "minjun@example.org", true},
		{"plus address", "me+ltm@example.org", "me+ltm@example.org", "me+ltm@example.org", true},
		{"display name", "Me <me@example.org>", "", "", false},
		{"angle brackets", "<me@example.org>", "", "", false},
		{"two addresses", "a@example.org, b@example.org", "", "", false},
		{"no at", "example.org", "", "", false},
		{"empty", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			email, key, msg := NormalizeEmail(tt.in)
			if (msg == "") != tt.ok || email != tt.email || key != tt.key {
				t.Errorf("NormalizeEmail(%q) = %q, %q, %q", tt.in, email, key, msg)
			}
		})
	}
}

func TestNewChecksEveryField(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a, err := New(uuid.New(), " MinJun ", " MinJun@Example.org ", "$argon2id$x", at)
	if err != nil {
		t.Fatal(err)
	}
	if a.Username() != "minjun" || a.Email() != "MinJun@Example.org" || a.EmailKey() != "minjun@example.org" || !a.CreatedAt().Equal(at) {
		t.Errorf("account = %+v", a)
	}
	_, err = New(uuid.New(), "a", "not an address", "", at)
	var fe *fields.Error
	if !errors.As(err, &fe) || fe.Message("username") == "" || fe.Message("email") == "" || fe.Message("password") == "" {
		t.Errorf("New with three bad fields: %v", err)
	}
	if _, err := New(uuid.Nil, "minjun", "m@example.org", "h", at); err == nil {
		t.Error("an account without an id")
	}
}
