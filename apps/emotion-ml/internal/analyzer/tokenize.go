package analyzer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokenKind uint8

const (
	tokHangul   tokenKind = iota + 1 // a run of Hangul syllables (an eojeol, or its Korean part)
	tokLatin                         // a run of letters, digits and inner apostrophes
	tokJamo                          // a run of bare jamo: ㅠㅠ, ㅋㅋ, ㅎㅎ
	tokSymbol                        // one emoji or pictograph
	tokEmoticon                      // an ASCII emoticon such as :) or T_T
)

// token is a span of the normalised text. Sentences and clauses are numbered
// so that negation, intensity and subjects never reach across them.
type token struct {
	start, end int
	kind       tokenKind
	sent       int32
	clause     int32
	key        string // jamo runs and emoticons: the lookup key; otherwise ""
	exclaim    bool   // the sentence ends with "!"
	inPhrase   bool   // part of a matched multi-word English term
}

// normalize lower-cases the text, folds typographic apostrophes and turns
// control characters into spaces, so the tokenizer and the lexicon see one
// spelling. Newlines are kept: they end sentences.
func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\u2019' || r == '\u2018' || r == '`':
			return '\''
		case r == utf8.RuneError, unicode.IsControl(r):
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
}

// emoticons are matched before anything else at a position; longer first.
var emoticons = []string{
	">:(", ":'(", ":-)", ":-(", ":-d", ";-)", ":-/", "^_^", "^-^", "</3",
	":)", ":(", ":d", ";)", ":p", "=)", "=(", "^^", "<3", "t_t", "t.t", ":/", "xd", ":|",
}

func emoticonAt(s string, i int) string {
	c := s[i]
	switch c {
	case ':', ';', '=', '^', '<', '>', 't', 'x':
	default:
		return ""
	}
	for _, e := range emoticons {
		if !strings.HasPrefix(s[i:], e) {
			continue
		}
		// Emoticons made of letters (t_t, xd) or ending in one (:d, :p) must
		// stand alone, or "xdx" and "10:da" would smile.
		if isASCIILetter(e[0]) && i > 0 && isWordByte(s[i-1]) {
			continue
		}
		if end := i + len(e); isASCIILetter(e[len(e)-1]) && end < len(s) && isWordByte(s[end]) {
			continue
		}
		return e
	}
	return ""
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' }

func isWordByte(c byte) bool { return isASCIILetter(c) || (c >= '0' && c <= '9') || c >= 0x80 }

func isJamo(r rune) bool { return r >= 0x3131 && r <= 0x318E }

// isPictograph covers emoji and the dingbats people use as emoji (❤, ☺).
func isPictograph(r rune) bool {
	return (r >= 0x1F300 && r <= 0x1FAFF) || (r >= 0x2600 && r <= 0x27BF) || (r >= 0x1F000 && r <= 0x1F2FF)
}

// isInvisible reports emoji joiners, variation selectors and skin tones,
// which change how an emoji looks, not what it says.
func isInvisible(r rune) bool {
	return r == 0x200D || r == 0xFE0F || r == 0xFE0E || (r >= 0x1F3FB && r <= 0x1F3FF)
}

func isSentenceEnd(r rune) bool {
	switch r {
	case '.', '!', '?', '\n', '…', '。', '！', '？':
		return true
	}
	return false
}

func isClauseEnd(r rune) bool {
	switch r {
	case ',', ';', ':', '(', ')', '"', '—', '–', '~', '·', '，', '、':
		return true
	}
	return false
}

// tokenize splits normalised text into tokens. Hangul, Latin and jamo runs
// split from each other even without a space ("lonely하다", "고마워ㅠㅠ").
func tokenize(s string, toks []token) []token {
	var sent, clause int32
	sentStart := len(toks)
	i := 0
	for i < len(s) {
		if e := emoticonAt(s, i); e != "" {
			toks = append(toks, token{start: i, end: i + len(e), kind: tokEmoticon, sent: sent, clause: clause, key: e})
			i += len(e)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isSyllable(r):
			j := i + size
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if !isSyllable(r2) {
					break
				}
				j += n
			}
			toks = append(toks, token{start: i, end: j, kind: tokHangul, sent: sent, clause: clause})
			i = j
		case isJamo(r):
			j := i + size
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if !isJamo(r2) {
					break
				}
				j += n
			}
			toks = append(toks, token{start: i, end: j, kind: tokJamo, sent: sent, clause: clause, key: jamoKey(s[i:j])})
			i = j
		case r < utf8.RuneSelf && (isASCIILetter(byte(r)) || (r >= '0' && r <= '9')) || r >= utf8.RuneSelf && unicode.IsLetter(r):
			j := i + size
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if r2 == '\'' && j+1 < len(s) && isASCIILetter(s[j+1]) {
					j += n
					continue
				}
				if isSyllable(r2) || isJamo(r2) || !(unicode.IsLetter(r2) || unicode.IsDigit(r2)) {
					break
				}
				j += n
			}
			toks = append(toks, token{start: i, end: j, kind: tokLatin, sent: sent, clause: clause})
			i = j
		case isPictograph(r):
			toks = append(toks, token{start: i, end: i + size, kind: tokSymbol, sent: sent, clause: clause, key: s[i : i+size]})
			i += size
		default:
			if isSentenceEnd(r) {
				if r == '!' || r == '！' {
					for k := sentStart; k < len(toks); k++ {
						toks[k].exclaim = true
					}
				}
				sentStart = len(toks)
				sent++
				clause++
			} else if isClauseEnd(r) {
				clause++
			}
			i += size
		}
	}
	return toks
}

// jamoKey folds a run of bare jamo to the form the symbol table lists:
// ㅠㅠㅠ, ㅜㅜ and ㅠㅜ are all crying; ㅋㅋㅋㅋ and ㅎㅎ are laughing.
func jamoKey(run string) string {
	first, _ := utf8.DecodeRuneInString(run)
	norm := func(r rune) rune {
		if r == 'ㅜ' {
			return 'ㅠ'
		}
		return r
	}
	f := norm(first)
	for _, r := range run {
		if norm(r) != f {
			return run
		}
	}
	return string([]rune{f, f})
}
