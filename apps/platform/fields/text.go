package fields

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Messages for text no field accepts. They name the rule, not the rune, so
// a client can show them as they are.
const (
	MsgControl   = "must not contain control characters"
	MsgBidi      = "must not contain bidirectional text controls"
	MsgEncoding  = "must be valid UTF-8"
	MsgLineBreak = "must be one line"
	MsgInvisible = "must contain visible characters"
)

// Text is what is wrong with a text value of any field, "" when nothing:
// no control characters but tab and line breaks (NUL made Postgres fail
// the request), no bidirectional embedding, override or isolate controls
// (they make text read differently than it is stored: "Trojan Source").
// Joiners and variation selectors stay: emoji need them.
func Text(v string) string {
	if !utf8.ValidString(v) {
		return MsgEncoding
	}
	for _, r := range v {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case unicode.IsControl(r):
			return MsgControl
		case isBidiControl(r):
			return MsgBidi
		}
	}
	return ""
}

// Line is Text for a one-line value (a title, a name): no tab or line
// break either, and when it is not empty, something a reader can see: a
// title of zero-width spaces or Hangul fillers is no title.
func Line(v string) string {
	if msg := Text(v); msg != "" {
		return msg
	}
	if strings.ContainsAny(v, "\t\n\r\u2028\u2029") {
		return MsgLineBreak
	}
	if v != "" && !strings.ContainsFunc(v, visible) {
		return MsgInvisible
	}
	return ""
}

// Normalize turns \r\n and lone \r into \n, so multi-line text (a letter,
// a bio) is stored one way whatever the client's platform.
func Normalize(v string) string {
	if !strings.Contains(v, "\r") {
		return v
	}
	return strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n")
}

// Line adds Line's message for field, if any.
func (s *Set) Line(field, v string) {
	if msg := Line(v); msg != "" {
		s.Add(field, msg)
	}
}

// Text adds Text's message for field, if any, and returns v normalised.
func (s *Set) Text(field, v string) string {
	if msg := Text(v); msg != "" {
		s.Add(field, msg)
	}
	return Normalize(v)
}

// isBidiControl: the Unicode Bidi_Control property (UAX #9), i.e. ALM,
// LRM, RLM, the embeddings and overrides U+202A..U+202E and the isolates
// U+2066..U+2069.
func isBidiControl(r rune) bool {
	return unicode.Is(unicode.Bidi_Control, r)
}

// visible reports a rune that puts ink on the page: not a space, not a
// format character (zero-width space, joiners), not a lone combining
// mark or variation selector, not one of the blank "filler" letters
// Hangul and Braille define.
func visible(r rune) bool {
	switch {
	case unicode.IsSpace(r), unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me):
		return false
	case r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0 || r == 0x2800:
		return false
	}
	return true
}
