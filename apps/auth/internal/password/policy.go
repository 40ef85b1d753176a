// Package password holds the password rules (equal in strength to Django's
// four default validators) and argon2id hashing.
package password

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Limits of the policy. MaxLength is not a Django rule: it bounds the work
// a single request can make the hasher do.
const (
	MinLength     = 8
	MaxLength     = 256
	MaxSimilarity = 0.7
)

// commonPasswords is SecLists' list of the most common passwords; see
// COMMON-PASSWORDS-SOURCE.md for its origin, licence (CC BY-SA 3.0) and how
// to regenerate it.
//
//go:embed common-passwords.txt
var commonPasswords string

var commonSet = sync.OnceValue(func() map[string]struct{} {
	lines := strings.Split(commonPasswords, "\n")
	set := make(map[string]struct{}, len(lines))
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			set[l] = struct{}{}
		}
	}
	return set
})

// IsCommon reports whether pw is on the common-password list, compared
// case-insensitively (as Django does: lower-cased and trimmed).
func IsCommon(pw string) bool {
	_, ok := commonSet()[strings.ToLower(strings.TrimSpace(pw))]
	return ok
}

// Attribute is something the user chose or told us that a password must not
// resemble, e.g. the username or the email address.
type Attribute struct {
	Name  string // as shown to the user: "username", "email address"
	Value string
}

// Check applies every rule and returns one message per broken rule (nil
// when pw is acceptable), so the user learns everything at once, as with
// Django's validate_password.
func Check(pw string, attrs ...Attribute) []string {
	var problems []string
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinLength:
		problems = append(problems, "must contain at least 8 characters")
	case n > MaxLength:
		problems = append(problems, "must contain at most 256 characters")
	}
	if attr, ok := similarTo(pw, attrs); ok {
		problems = append(problems, "is too similar to the "+attr)
	}
	if IsCommon(pw) {
		problems = append(problems, "is too common")
	}
	if pw != "" && allDigits(pw) {
		problems = append(problems, "must not be entirely numeric")
	}
	return problems
}

func allDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
