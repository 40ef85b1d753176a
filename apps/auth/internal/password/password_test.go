package password

import (
	"context"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	user := []Attribute{{Name: "username", Value: "minjun.kim"}, {Name: "email address", Value: "minjun.kim@gmail.com"}}
	tests := []struct {
		name  string
		pw    string
		attrs []Attribute
		want  []string // substrings of the expected messages; none means accepted
	}{
		{"long random passphrase", "correct horse battery", user, nil},
		{"mixed characters", "Tr0ub4dor&3x", user, nil},
		{"unrelated to the user", "letter2me_minjun", user, nil},
		{"unicode letters", "비밀번호는길어야해요", user, nil},
		{"exactly 8 characters", "x7#kq!Lp", nil, nil},
		{"too short", "a1b2c3", nil, []string{"at least 8"}},
		{"empty", "", nil, []string{"at least 8"}},
		{"too long", strings.Repeat("ab1!", 65), nil, []string{"at most 256"}},
		{"entirely numeric", "83920174", nil, []string{"entirely numeric"}},
		{"short and numeric (the list holds only 8+ characters: shorter ones fail on length)", "123456", nil, []string{"at least 8", "entirely numeric"}},
		{"common", "password", nil, []string{"too common"}},
		{"common, any case", "PassWord", nil, []string{"too common"}},
		{"common with surrounding space", " iloveyou ", nil, []string{"too common"}},
		{"common and numeric", "12345678", nil, []string{"too common", "entirely numeric"}},
		{"common keyboard walk", "qwertyuiop", nil, []string{"too common"}},
		{"the username itself", "minjun.kim", user, []string{"username"}},
		{"username rearranged", "kimminjun!", user, []string{"username"}},
		{"username reversed", "nujnimmik", user, []string{"username"}},
		{"email local part with digits", "minjunkim99", []Attribute{{Name: "email address", Value: "minjunkim@example.org"}}, []string{"email address"}},
		{"short attribute part ignored in a long password", "an entirely different phrase here", []Attribute{{Name: "username", Value: "ab"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(tt.pw, tt.attrs...)
			if len(got) != len(tt.want) {
				t.Fatalf("Check(%q) = %q, want %d problems %q", tt.pw, got, len(tt.want), tt.want)
			}
			joined := strings.Join(got, "; ")
			for _, w := range tt.want {
				if !strings.Contains(joined, w) {
					t.Errorf("Check(%q) = %q, want a problem mentioning %q", tt.pw, got, w)
				}
			}
		})
	}
}

func TestCommonListIsReal(t *testing.T) {
	if n := len(commonSet()); n < 10000 {
		t.Fatalf("common list has %d entries, want thousands", n)
	}
	for pw := range commonSet() {
		if pw != strings.ToLower(pw) {
			t.Fatalf("entry %q is not lower-case; comparisons would miss it", pw)
		}
	}
}

// The expected values are Python's difflib.SequenceMatcher(a, b).quick_ratio().
func TestQuickRatioMatchesDifflib(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       float64
	}{
		{"prefix", "alice2024", "alice", 0.7142857142857143},
		{"unrelated", "hunter22x", "alice", 0.14285714285714285},
		{"anagram", "password", "drowssap", 1},
		{"one empty", "abc", "", 0},
		{"both empty", "", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quickRatio(tt.a, tt.b); got != tt.want {
				t.Errorf("quickRatio(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestHasher(t *testing.T) {
	ctx := context.Background()
	h, err := NewHasher(Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(hash, "correct horse") {
		t.Fatalf("hash = %q", hash)
	}
	again, _ := h.Hash(ctx, "correct horse")
	if again == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}

	stronger, _ := NewHasher(Params{MemoryKiB: 128, Iterations: 2, Parallelism: 1}, 1)
	tests := []struct {
		name    string
		h       *Hasher
		pw      string
		encoded string
		want    bool
		wantErr bool
	}{
		{"right password", h, "correct horse", hash, true, false},
		{"wrong password", h, "correct horsE", hash, false, false},
		{"old parameters still verify", stronger, "correct horse", hash, true, false},
		{"malformed hash", h, "x", "$argon2id$v=19$m=64$bad", false, true},
		{"other algorithm", h, "x", "$2a$10$abcdefghijklmnopqrstuv", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.h.Verify(ctx, tt.pw, tt.encoded)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Verify = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	if h.NeedsRehash(hash) {
		t.Error("NeedsRehash with the same parameters")
	}
	if !stronger.NeedsRehash(hash) {
		t.Error("no NeedsRehash after the parameters were raised")
	}
	if _, err := NewHasher(Params{MemoryKiB: 64, Iterations: 0, Parallelism: 1}, 1); err == nil {
		t.Error("zero iterations accepted")
	}
}
