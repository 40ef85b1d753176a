package analyzer

// enVariants returns the regular inflections and derivations of an English
// lexicon word (worry → worries, worried, worrying; sad → sadder, sadly;
// lonely → loneliness). Over-generation is harmless: a form nobody writes is
// never looked up, and the few real words it would misread (sweater is not
// sweat) are listed in the rules' not_inflections_en. Irregular forms (felt,
// lost, got) come from the rules file too.
func enVariants(w string) []string {
	out := []string{w, w + "s", w + "es", w + "ed", w + "d", w + "ing", w + "ly", w + "ness", w + "er", w + "est"}
	n := len(w)
	if n < 3 {
		return out
	}
	last := w[n-1]
	switch {
	case last == 'y' && !isVowel(w[n-2]):
		s := w[:n-1]
		out = append(out, s+"ies", s+"ied", s+"ily", s+"iness", s+"ier", s+"iest")
	case last == 'e':
		s := w[:n-1]
		out = append(out, s+"ing", s+"y", s+"ion", w+"r", w+"st")
	case isDoubling(w):
		out = append(out, w+string(last)+"ed", w+string(last)+"ing", w+string(last)+"er", w+string(last)+"est")
	}
	return out
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// isDoubling reports a short consonant-vowel-consonant word whose last letter
// doubles before a vowel suffix (sad → sadder, mad → madder, upset → upsetting).
func isDoubling(w string) bool {
	n := len(w)
	if n < 3 {
		return false
	}
	c := w[n-1]
	if isVowel(c) || c == 'w' || c == 'x' || c == 'y' {
		return false
	}
	return isVowel(w[n-2]) && !isVowel(w[n-3])
}
