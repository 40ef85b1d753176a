package password

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// similarTo is Django's UserAttributeSimilarityValidator: the password is
// refused when difflib's quick ratio against an attribute, or against any
// part of it split on non-word characters, reaches MaxSimilarity. Parts
// much shorter than the password are skipped (Django's
// exceeds_maximum_length_ratio), so a long password is not refused for
// containing a two-letter fragment of the email's domain.
func similarTo(pw string, attrs []Attribute) (string, bool) {
	pw = strings.ToLower(pw)
	for _, a := range attrs {
		value := strings.ToLower(a.Value)
		if value == "" {
			continue
		}
		parts := append(splitNonWord(value), value)
		for _, part := range parts {
			if exceedsLengthRatio(pw, part) {
				continue
			}
			if quickRatio(pw, part) >= MaxSimilarity {
				return a.Name, true
			}
		}
	}
	return "", false
}

// splitNonWord splits like Python's re.split(r"\W+", s): word characters
// are Unicode letters, digits and the underscore.
func splitNonWord(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
	})
}

func exceedsLengthRatio(pw, value string) bool {
	pwLen, valueLen := utf8.RuneCountInString(pw), utf8.RuneCountInString(value)
	bound := MaxSimilarity / 2 * float64(pwLen)
	return pwLen >= 10*valueLen && float64(valueLen) < bound
}

// quickRatio is difflib.SequenceMatcher(a, b).quick_ratio(): twice the
// number of characters the two strings have in common (as multisets,
// ignoring order) over their total length. It is an upper bound on
// SequenceMatcher.ratio, and it is what Django compares.
func quickRatio(a, b string) float64 {
	total := utf8.RuneCountInString(a) + utf8.RuneCountInString(b)
	if total == 0 {
		return 1
	}
	avail := make(map[rune]int)
	for _, r := range b {
		avail[r]++
	}
	matches := 0
	for _, r := range a {
		if avail[r] > 0 {
			avail[r]--
			matches++
		}
	}
	return 2 * float64(matches) / float64(total)
}
