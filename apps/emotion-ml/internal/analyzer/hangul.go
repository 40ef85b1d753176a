package analyzer

import "strings"

// Hangul syllables are composed arithmetically (Unicode 3.12): a syllable is
// 0xAC00 + (initial*21 + medial)*28 + final. Conjugation only ever changes the
// last syllable of a stem, so the lexicon lists dictionary forms and New()
// derives the surface prefixes a writer actually types.
const (
	hangulBase  = 0xAC00
	hangulLast  = 0xD7A3
	medialCount = 21
	finalCount  = 28

	initialH = 18 // ㅎ

	medialA   = 0  // ㅏ
	medialAE  = 1  // ㅐ
	medialYA  = 2  // ㅑ
	medialEO  = 4  // ㅓ
	medialYEO = 6  // ㅕ
	medialO   = 8  // ㅗ
	medialWA  = 9  // ㅘ
	medialWAE = 10 // ㅙ
	medialOE  = 11 // ㅚ
	medialU   = 13 // ㅜ
	medialWO  = 14 // ㅝ
	medialEU  = 18 // ㅡ
	medialI   = 20 // ㅣ

	finalNone = 0
	finalN    = 4  // ㄴ
	finalL    = 8  // ㄹ
	finalM    = 16 // ㅁ
	finalB    = 17 // ㅂ
	finalSS   = 20 // ㅆ
)

func isSyllable(r rune) bool { return r >= hangulBase && r <= hangulLast }

func decompose(r rune) (initial, medial, final int) {
	v := int(r - hangulBase)
	return v / (medialCount * finalCount), (v / finalCount) % medialCount, v % finalCount
}

func compose(initial, medial, final int) rune {
	return rune(hangulBase + (initial*medialCount+medial)*finalCount + final)
}

func withFinal(r rune, final int) rune {
	i, m, _ := decompose(r)
	return compose(i, m, final)
}

// koVariants returns the surface prefixes of a Korean lexicon term. A term
// ending in 다 is a predicate (adjective or verb, possibly a phrase such as
// "화가 나다"); anything else is a noun or a fixed stem and matches as it is.
// Every variant is a prefix: endings and particles after it are ignored, so
// "슬퍼" covers 슬퍼서, 슬퍼요 and "화가 났" covers 화가 났다, 화가 났어.
func koVariants(term string) []string {
	stemStr, ok := strings.CutSuffix(term, "다")
	if !ok || stemStr == "" {
		return []string{term}
	}
	stem := []rune(stemStr)
	last := stem[len(stem)-1]
	if !isSyllable(last) {
		return []string{stemStr}
	}
	head := string(stem[:len(stem)-1])
	out := []string{stemStr}
	add := func(rs ...rune) { out = append(out, head+string(rs)) }
	ini, med, fin := decompose(last)

	switch {
	case ini == initialH && med == medialA && fin == finalNone: // 하다: 행복해, 행복했, 행복한 …
		add(compose(initialH, medialAE, finalNone))
		add(compose(initialH, medialAE, finalSS))
		add(withFinal(last, finalN))
		add(withFinal(last, finalL))
		add(withFinal(last, finalM))
		add(withFinal(last, finalB))
		// The bare root of a two-syllable-or-longer 하다 word (행복, 감사, 긴장)
		// is itself the noun people write: 행복이, 감사함, 긴장감.
		if root := []rune(head); len(root) >= 2 && root[len(root)-1] != ' ' {
			out = append(out, head)
		}
	case fin == finalB: // ㅂ-irregular: 외롭다 → 외로워, 외로운, 외로움
		open := withFinal(last, finalNone)
		for _, tail := range []string{"워", "웠", "운", "울", "움"} {
			out = append(out, head+string(open)+tail)
		}
	case fin == finalL: // ㄹ-drop: 힘들다 → 힘든, 힘듭니다, 힘드네
		add(withFinal(last, finalN))
		add(withFinal(last, finalB))
		if len(stem) >= 2 {
			add(withFinal(last, finalNone))
		}
	case fin == finalNone:
		add(withFinal(last, finalN))
		add(withFinal(last, finalL))
		add(withFinal(last, finalM))
		add(withFinal(last, finalB))
		c := contracted(stem)
		add(c)
		add(withFinal(c, finalSS))
	}
	return out
}

// contracted is the last syllable of a vowel-final stem fused with the
// connective -어/-아: 슬프 → 퍼, 아프 → 파, 지치 → 쳐, 되 → 돼, 나 → 나.
func contracted(stem []rune) rune {
	last := stem[len(stem)-1]
	ini, med, _ := decompose(last)
	switch med {
	case medialEU:
		to := medialEO
		if len(stem) >= 2 && isSyllable(stem[len(stem)-2]) {
			_, pm, _ := decompose(stem[len(stem)-2])
			if pm == medialA || pm == medialO || pm == medialYA || pm == medialWA {
				to = medialA
			}
		}
		return compose(ini, to, finalNone)
	case medialI:
		return compose(ini, medialYEO, finalNone)
	case medialO:
		return compose(ini, medialWA, finalNone)
	case medialU:
		return compose(ini, medialWO, finalNone)
	case medialOE:
		return compose(ini, medialWAE, finalNone)
	}
	return compose(ini, med, finalNone)
}

// isConnective reports whether r is a syllable that ends in the -어/-아
// connective (퍼, 워, 해, 려 …): followed by 하다 it makes the "-어하다" form
// Korean uses for someone else's feelings (슬퍼하다, 무서워하다).
func isConnective(r rune) bool {
	if !isSyllable(r) {
		return false
	}
	_, m, f := decompose(r)
	if f != finalNone {
		return false
	}
	switch m {
	case medialA, medialAE, medialEO, medialYEO, medialWA, medialWO:
		return true
	}
	return false
}
