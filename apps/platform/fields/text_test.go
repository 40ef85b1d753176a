package fields_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lettertomyself/ltm/apps/platform/fields"
)

func TestTextAndLine(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		text, line string
	}{
		{"plain Korean", "오늘의 편지", "", ""},
		{"empty is for required checks", "", "", ""},
		{"NUL", "a\x00b", fields.MsgControl, fields.MsgControl},
		{"escape", "a\x1bb", fields.MsgControl, fields.MsgControl},
		{"DEL", "a\x7fb", fields.MsgControl, fields.MsgControl},
		{"C1 control", "a\u0085b", fields.MsgControl, fields.MsgControl},
		{"right-to-left override", "invoice\u202egpj.exe", fields.MsgBidi, fields.MsgBidi},
		{"isolate", "a\u2066b\u2069", fields.MsgBidi, fields.MsgBidi},
		{"right-to-left mark", "a\u200fb", fields.MsgBidi, fields.MsgBidi},
		{"invalid UTF-8", "a\xffb", fields.MsgEncoding, fields.MsgEncoding},
		{"line breaks and tabs in text", "첫 줄\n둘째\t줄\r\n", "", fields.MsgLineBreak},
		{"a line separator", "a\u2028b", "", fields.MsgLineBreak},
		{"zero-width spaces only", "\u200b\u200b", "", fields.MsgInvisible},
		{"Hangul fillers only", "\u3164\u3164", "", fields.MsgInvisible},
		{"spaces only are for required checks", "  ", "", fields.MsgInvisible},
		{"a lone variation selector", "\ufe0f", "", fields.MsgInvisible},
		{"family emoji with joiners", "👩\u200d👩\u200d👧", "", ""},
		{"heart with a variation selector", "❤\ufe0f", "", ""},
		{"flag", "🇰🇷", "", ""},
		{"Arabic text is fine, only controls are not", "مرحبا", "", ""},
		{"zero-width space inside words", "a\u200bb", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fields.Text(tt.in); got != tt.text {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.text)
			}
			if got := fields.Line(tt.in); got != tt.line {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.line)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"a\r\nb\rc\nd": "a\nb\nc\nd",
		"no breaks":    "no breaks",
		"\r\n\r\n":     "\n\n",
	} {
		if got := fields.Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSetCollectsTextProblems(t *testing.T) {
	var s fields.Set
	s.Line("title", "\u200b")
	content := s.Text("content", "line\r\nnext")
	s.Text("bio", "a\x00")
	var fe *fields.Error
	if !errors.As(s.Err(), &fe) {
		t.Fatalf("Err = %v", s.Err())
	}
	if fe.Message("title") != fields.MsgInvisible || fe.Message("bio") != fields.MsgControl || fe.Message("content") != "" {
		t.Errorf("messages = %v", fe.Fields())
	}
	if content != "line\nnext" {
		t.Errorf("content = %q", content)
	}
}

// FuzzText: whatever Text accepts holds no control but tab and line
// breaks, and is valid UTF-8; Line accepts a subset of Text; Normalize
// leaves no \r and changes nothing else in accepted text.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "편지", "a\x00", "a\u202eb", "\u200b", "👩\u200d👩\u200d👧", "a\r\nb", "\xff", "\u3164", "❤\ufe0f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		text, line := fields.Text(s), fields.Line(s)
		if text != "" && line == "" {
			t.Fatalf("Line accepts %q, which Text refuses (%s)", s, text)
		}
		if text != "" {
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("accepted invalid UTF-8 %q", s)
		}
		for _, r := range s {
			if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r <= 0x9f) {
				t.Fatalf("accepted control %U in %q", r, s)
			}
		}
		n := fields.Normalize(s)
		if strings.Contains(n, "\r") {
			t.Fatalf("Normalize left \\r in %q", n)
		}
		if strings.ReplaceAll(n, "\n", "") != strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", "") {
			t.Fatalf("Normalize changed more than line breaks: %q → %q", s, n)
		}
	})
}
