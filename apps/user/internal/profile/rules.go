package profile

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

// Limits, in Unicode code points (a Korean syllable is one).
const (
	MaxNicknameRunes = 20
	MaxBioRunes      = 160
	MaxBlogURLRunes  = 200
)

// EarliestBirthday is the first birthday accepted.
var EarliestBirthday = wallclock.NewDate(1900, time.January, 1)

// Locales the product speaks.
var Locales = []string{"ko", "en"}

// The Check functions return the value to store (normalised) or a message
// for the person who sent it.

// CheckNickname trims surrounding spaces and wants 1–20 characters without
// control characters.
func CheckNickname(s string) (string, string) {
	s = cleanText(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return "", "is required"
	case n > MaxNicknameRunes:
		return "", fmt.Sprintf("must be at most %d characters", MaxNicknameRunes)
	}
	if msg := fields.Line(s); msg != "" {
		return "", msg
	}
	return s, ""
}

// CheckBio wants at most 160 characters on one line (it is a one-line bio).
func CheckBio(s string) (string, string) {
	s = cleanText(s)
	switch {
	case utf8.RuneCountInString(s) > MaxBioRunes:
		return "", fmt.Sprintf("must be at most %d characters", MaxBioRunes)
	}
	if msg := fields.Line(s); msg != "" {
		return "", msg
	}
	return s, ""
}

// CheckBlogURL wants "" or an absolute http(s) URL with a host.
func CheckBlogURL(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	if utf8.RuneCountInString(s) > MaxBlogURLRunes {
		return "", fmt.Sprintf("must be at most %d characters", MaxBlogURLRunes)
	}
	u, err := url.Parse(s)
	if err != nil || fields.Line(s) != "" || strings.ContainsAny(s, " \t") {
		return "", "must be a valid URL"
	}
	if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
		return "", "must start with http:// or https://"
	}
	if u.Hostname() == "" || u.Opaque != "" {
		return "", "must be an absolute URL with a host, like https://blog.example.com"
	}
	if u.User != nil {
		// A blog link has no business carrying credentials, and
		// https://trusted.example@evil.example misleads whoever reads it.
		return "", "must not contain a user name or password"
	}
	return s, ""
}

// CheckImageID wants a UUID in its canonical 36-character form.
func CheckImageID(s string) (uuid.UUID, string) {
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, "must be an image id (UUID)"
	}
	return id, ""
}

// CheckTimezone wants an IANA name such as Asia/Seoul or UTC.
func CheckTimezone(s string) (string, string) {
	if _, err := wallclock.LoadZone(s); err != nil {
		return "", "must be an IANA timezone name, like Asia/Seoul"
	}
	return s, ""
}

// CheckLocale wants ko or en.
func CheckLocale(s string) (string, string) {
	for _, l := range Locales {
		if s == l {
			return s, ""
		}
	}
	return "", "must be one of: " + strings.Join(Locales, ", ")
}

// CheckBirthday wants a real YYYY-MM-DD date from 1900-01-01 up to
// yesterday, where now is the current time in the person's zone.
func CheckBirthday(s string, now time.Time) (wallclock.Date, string) {
	d, err := wallclock.ParseDate(s)
	if err != nil {
		return wallclock.Date{}, "must be a real date as YYYY-MM-DD"
	}
	if !d.Before(wallclock.DateOf(now)) {
		return wallclock.Date{}, "must be a date in the past"
	}
	if d.Before(EarliestBirthday) {
		return wallclock.Date{}, "must not be before " + EarliestBirthday.String()
	}
	return d, ""
}

// cleanText composes Hangul (and everything else) to NFC before counting:
// a nickname typed on a system that sends decomposed jamo would otherwise
// count three characters per syllable. Then it trims surrounding spaces.
func cleanText(s string) string {
	return strings.TrimSpace(norm.NFC.String(s))
}
