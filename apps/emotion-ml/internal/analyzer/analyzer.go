// Package analyzer is the embedded emotion analyzer: it reads a letter in
// Korean, English or both and names its mood and sub-mood, offline and
// deterministically, from a lexicon and rules embedded in the binary
// (data/, documented in docs/emotions.md).
//
// It reads the way a person skims a letter rather than counting words:
// Korean stems under their endings and particles, negation, intensifiers
// and diminishers, contrast (what comes after "지만" or "but" counts more),
// emoji and emoticons, and feelings reported about someone else counting
// less than the writer's own. The package imports only the standard library.
package analyzer

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Moods are the six mood keys on the wire, in a fixed order. Callers must not
// modify the slice; the analyzer keeps its own copy.
var Moods = []string{"joy", "sadness", "anger", "anxiety", "love", "neutral"}

var moodKeys = [...]string{"joy", "sadness", "anger", "anxiety", "love", "neutral"}

const neutral = len(moodKeys) - 1

var subMoodKeys = [...]string{
	"ecstasy", "satisfaction", "gratitude", "excitement",
	"loneliness", "loss", "regret",
	"annoyance", "rage", "resentment",
	"fear", "nervousness", "restlessness",
	"romance", "friendship", "respect",
}

// subMoodOf maps each sub-mood (by index) to its mood.
var subMoodOf = [len(subMoodKeys)]int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4}

func moodIndex(m string) int {
	for i, k := range moodKeys {
		if k == m {
			return i
		}
	}
	return -1
}

func subIndex(s string) int {
	for i, k := range subMoodKeys {
		if k == s {
			return i
		}
	}
	return -1
}

// SubMoods returns the sub-mood keys of a mood (a new slice); none for
// neutral or an unknown mood.
func SubMoods(mood string) []string {
	m := moodIndex(mood)
	var out []string
	for i, owner := range subMoodOf {
		if owner == m {
			out = append(out, subMoodKeys[i])
		}
	}
	return out
}

// Valid reports whether mood and detailed form an answer the product
// accepts: a known mood and one of its sub-moods, or neutral with none.
func Valid(mood, detailed string) bool {
	m := moodIndex(mood)
	switch {
	case m < 0:
		return false
	case m == neutral:
		return detailed == ""
	}
	s := subIndex(detailed)
	return s >= 0 && subMoodOf[s] == m
}

// Cue is one piece of evidence that went into a result: the text matched,
// the mood (and sub-mood) it counted for, its final weight, and the rules
// that shaped it (e.g. "lexicon,intensified,before-contrast"). Cues quote
// the letter: never show them with a sealed letter, never log them.
type Cue struct {
	Token    string
	Mood     string
	Detailed string
	Weight   float64
	Rule     string
}

// Result is the analysis of one letter.
type Result struct {
	Mood     string
	Detailed string             // "" for neutral
	Scores   map[string]float64 // every mood, summing to 1
	Cues     []Cue              // strongest first, at most maxCues
	Version  string
}

// maxCues bounds Result.Cues: a long letter yields hundreds of cues and
// the strongest few are what explains the result.
const maxCues = 24

// Analyzer holds the parsed lexicon and rules. It is immutable after New
// and safe for concurrent use.
type Analyzer struct {
	rules   rules
	entries []entry

	nodes   []trieNode          // Korean prefix trie
	lemma   map[string]string   // English inflection → lexicon word
	phrases map[string][]phrase // English: first word → phrases, longest first
	symbols map[string]int32    // emoji, emoticons, jamo runs

	defaultSub [len(moodKeys) - 1]int

	modKo, modEn                         map[string]modifier
	negBeforeKo, negAfterExactKo         map[string]bool
	fillersKo, negatorsEn                map[string]bool
	negBreakersEn, emphasisEn            map[string]bool
	clauseWordsEn                        map[string]bool
	contrastKo, contrastEn, concessiveEn map[string]bool
	firstKo, firstEn, thirdEn            map[string]bool
	thirdKo, recovery, wishEn            map[string]bool
	butPrefixEn                          map[string]bool
}

// New parses the embedded lexicon and rules once.
func New() (*Analyzer, error) {
	a := &Analyzer{}
	if err := a.load(); err != nil {
		return nil, err
	}
	a.thirdKo, a.recovery, a.wishEn = set(a.rules.ThirdPersonKo), set(a.rules.RecoveryWords), set(a.rules.WishEn)
	a.butPrefixEn = set(a.rules.NotATurnBeforeButEn)
	return a, nil
}

// cue flags: which rules shaped a cue.
const (
	flagNegated uint16 = 1 << iota
	flagIntensified
	flagDiminished
	flagReported
	flagContrast
	flagEmphasis
	flagSymbol
	flagPattern
	flagContext
)

var flagNames = []struct {
	flag uint16
	name string
}{
	{flagNegated, "negated"}, {flagIntensified, "intensified"}, {flagDiminished, "diminished"},
	{flagReported, "reported"}, {flagContrast, "before-contrast"}, {flagEmphasis, "emphasis"},
}

type cue struct {
	start, end int // byte span in the normalised text
	mood, sub  int
	weight     float64
	flags      uint16
	epoch      int // how many turns ("but", "지만") came before it
}

// Analyze reads one letter. The title counts as its first sentence.
func (a *Analyzer) Analyze(title, content string) Result {
	text := content
	if strings.TrimSpace(title) != "" {
		text = title + "\n" + content
	}
	s := normalize(text)
	st := state{a: a, s: s, toks: tokenize(s, make([]token, 0, len(s)/4+8)), pendingContrast: 1}
	st.run()
	return st.result()
}

// state is one analysis in progress.
type state struct {
	a    *Analyzer
	s    string
	toks []token
	cues []cue

	person          int // 0 unknown, 1 the writer, 3 someone else: the subject of the current sentence
	sentences       int
	pendingContrast float64   // a turn waiting for something to follow it
	turns           []float64 // the factor of each settled turn, in order
}

func (st *state) text(i int) string { return st.s[st.toks[i].start:st.toks[i].end] }

// sameClause reports whether token j exists, is of kind k and shares token
// i's clause.
func (st *state) sameClause(i, j int, k tokenKind) bool {
	return j >= 0 && j < len(st.toks) && st.toks[j].kind == k && st.toks[j].clause == st.toks[i].clause
}

// contrast marks a turn ("but", "지만"): what came before weighs less, once
// something follows. A turn with nothing after it ("붙을 줄 알았는데.")
// changes nothing.
func (st *state) contrast(factor float64) {
	st.pendingContrast *= factor
}

// addEvidence appends a cue that counts for a mood, settling any contrast
// waiting for it first. Settled contrasts are applied once, in settle.
func (st *state) addEvidence(c cue) {
	if st.pendingContrast != 1 {
		st.turns = append(st.turns, st.pendingContrast)
		st.pendingContrast = 1
	}
	c.epoch = len(st.turns)
	st.cues = append(st.cues, c)
}

// settle scales every cue by the turns that came after it: a cue before two
// "but"s counts ×0.25. Suffix products keep it linear in the letter.
func (st *state) settle() {
	suffix := make([]float64, len(st.turns)+1)
	suffix[len(st.turns)] = 1
	for k := len(st.turns) - 1; k >= 0; k-- {
		suffix[k] = suffix[k+1] * st.turns[k]
	}
	for i := range st.cues {
		c := &st.cues[i]
		if c.flags&flagContext == 0 && c.epoch < len(st.turns) {
			c.weight *= suffix[c.epoch]
			c.flags |= flagContrast
		}
	}
}

func (st *state) run() {
	a := st.a
	sent, clause := int32(-1), int32(-1)
	sentStart := 0
	concession := false
	for i := 0; i < len(st.toks); {
		t := st.toks[i]
		if t.sent != sent {
			sent, clause = t.sent, t.clause
			sentStart, st.person, concession = i, 0, false
			st.sentences++
		} else if t.clause != clause {
			clause = t.clause
			// "Though I was scared, I did it": the main clause after the
			// comma is what the writer means.
			if concession {
				st.contrast(a.rules.ContrastFactor)
				concession = false
			}
		}
		w := st.text(i)
		switch t.kind {
		case tokHangul:
			if a.contrastKo[w] {
				st.contrast(a.rules.ContrastFactor)
				i++
				continue
			}
			st.personKo(w)
			last := i
			if m, ok := st.matchKo(i); ok {
				st.addKo(i, m)
				last = m.lastTok
			}
			for k := i; k <= last; k++ {
				st.patternsKo(k)
			}
			i = last + 1
		case tokLatin:
			if a.contrastEn[w] {
				if !st.notATurnEn(i) {
					st.contrast(a.rules.ContrastFactor)
				}
				i++
				continue
			}
			if a.concessiveEn[w] {
				if i == sentStart || (i == sentStart+1 && st.text(sentStart) == "even") {
					concession = true
				} else {
					st.contrast(a.rules.ContrastFactor)
				}
				i++
				continue
			}
			next := st.matchEn(i)
			// The subject changes after the words are read: "my friend" is
			// not someone else's friendship.
			for k := i; k < next; k++ {
				if w := st.text(k); a.firstEn[w] {
					st.person = 1
				} else if a.thirdEn[w] {
					st.person = 3
				}
			}
			i = next
		default:
			if idx, ok := a.symbols[t.key]; ok {
				e := &a.entries[idx]
				st.addEvidence(cue{start: t.start, end: t.end, mood: e.mood, sub: e.sub, weight: e.weight, flags: flagSymbol})
			}
			i++
		}
	}
}

// notATurnEn reports a "but" that does not turn: "nothing but respect",
// "not only … but also".
func (st *state) notATurnEn(i int) bool {
	if st.sameClause(i, i-1, tokLatin) && st.a.butPrefixEn[st.text(i-1)] {
		return true
	}
	return st.sameClause(i, i+1, tokLatin) && st.text(i+1) == "also"
}

// personKo notes who the sentence is about: "나는/내가" the writer,
// "엄마가/친구는/부장님이" someone else.
func (st *state) personKo(w string) {
	a := st.a
	if a.firstKo[w] {
		st.person = 1
		return
	}
	for _, p := range a.rules.SubjectParticlesKo {
		if stem, ok := strings.CutSuffix(w, p); ok && stem != "" {
			stem = strings.TrimSuffix(strings.TrimSuffix(stem, "들"), "님")
			if a.thirdKo[stem] {
				st.person = 3
			}
			return
		}
	}
}

type koMatch struct {
	entry   int32
	lastTok int     // token where the match ends
	end     int     // byte offset in s where the match ends
	negated bool    // a glued 안/못
	factor  float64 // glued or skipped intensifiers
}

// matchKo finds the longest lexicon term starting at token i, trying again
// after a glued prefix (안슬퍼, 너무좋아) when nothing starts at the token.
func (st *state) matchKo(i int) (koMatch, bool) {
	if m, ok := st.walk(i, st.toks[i].start); ok {
		return m, true
	}
	w := st.text(i)
	for _, g := range st.a.rules.GluedPrefixesKo {
		if len(w) > len(g.Prefix) && strings.HasPrefix(w, g.Prefix) {
			if m, ok := st.walk(i, st.toks[i].start+len(g.Prefix)); ok {
				m.negated = g.Negate
				if g.Factor > 0 {
					m.factor *= g.Factor
				}
				return m, true
			}
		}
	}
	return koMatch{}, false
}

func (st *state) walk(i, pos int) (koMatch, bool) {
	a, s := st.a, st.s
	best := koMatch{entry: -1, factor: 1}
	factor := 1.0
	node, k := int32(0), i
	for {
		for pos < st.toks[k].end {
			r, n := utf8.DecodeRuneInString(s[pos:])
			next, ok := a.nodes[node].next[r]
			if !ok {
				return best, best.entry >= 0
			}
			node, pos = next, pos+n
			if e := a.nodes[node].entry; e >= 0 {
				best = koMatch{entry: e, lastTok: k, end: pos, factor: factor}
			}
		}
		// A phrase continues into the next word of the same clause, across
		// one intensifier: "화가 너무 났다".
		child, ok := a.nodes[node].next[' ']
		if !ok || !st.sameClause(k, k+1, tokHangul) {
			return best, best.entry >= 0
		}
		k++
		if mod, isMod := a.modKo[st.text(k)]; isMod && st.sameClause(k, k+1, tokHangul) {
			r, _ := utf8.DecodeRuneInString(st.text(k))
			if _, literal := a.nodes[child].next[r]; !literal {
				factor *= mod.Factor
				k++
			}
		}
		node, pos = child, st.toks[k].start
	}
}

func (st *state) addKo(i int, m koMatch) {
	a, s := st.a, st.s
	e := &a.entries[m.entry]
	if e.kind == kindContext {
		st.cues = append(st.cues, cue{start: st.toks[i].start, end: m.end, mood: e.mood, sub: e.sub, weight: e.weight, flags: flagContext})
		return
	}
	factor, flags := m.factor, uint16(0)
	negated := m.negated
	// Before the term: intensifiers, diminishers and 안/못, within the clause.
	for j := i - 1; j >= i-3 && st.sameClause(i, j, tokHangul); j-- {
		w := st.text(j)
		if mod, ok := a.modKo[w]; ok {
			factor *= mod.Factor
			continue
		}
		if a.negBeforeKo[w] {
			negated = true
			continue
		}
		break
	}
	// After it: 슬프지 않다, 걱정 없이, 걱정하지 마, 화 안 났다.
	last := m.lastTok
	rest := s[m.end:st.toks[last].end]
	for _, n := range a.rules.NegInsideKo {
		if strings.Contains(rest, n) {
			negated = true
		}
	}
	if !negated {
		j := last + 1
		if st.sameClause(last, j, tokHangul) && a.fillersKo[st.text(j)] {
			j++
		}
		negated = st.negatesKo(last, j)
	}
	// 행복하길, 행복했으면: a wish, not a feeling yet.
	for _, wsh := range a.rules.WishKo {
		if strings.HasPrefix(rest, wsh) {
			factor *= a.rules.WishFactor
			break
		}
	}
	// 무섭기도 하다, 슬프긴 하다: said in passing.
	for _, soft := range a.rules.SoftenersKo {
		if strings.HasPrefix(rest, soft.Word) {
			factor *= soft.Factor
		}
	}
	// Someone else's feeling: 엄마가 화를 냈다, 슬퍼하셨다, 친구가 무서워했다.
	reported := e.exp && st.person == 3
	// 하셨다 honours someone else; 싸웠다며 quotes someone else.
	for _, h := range a.rules.HonorificKo {
		if strings.HasPrefix(rest, h) {
			reported = true
		}
	}
	for _, q := range a.rules.QuoteKo {
		if strings.HasPrefix(rest, q) {
			reported = true
		}
	}
	if st.person != 1 && len(rest) > 0 {
		lastRune, _ := utf8.DecodeLastRuneInString(s[:m.end])
		if isConnective(lastRune) {
			r, _ := utf8.DecodeRuneInString(rest)
			switch r {
			case '하', '해', '했', '한', '할', '합':
				reported = true
			}
		}
	}
	// 즐거워 보였다: how someone looked, not how the writer felt.
	if !e.judgment && rest == "" && st.sameClause(last, last+1, tokHangul) {
		for _, p := range a.rules.AppearanceKo {
			if strings.HasPrefix(st.text(last+1), p) {
				reported = true
			}
		}
	}
	st.addCue(i, st.toks[i].start, m.end, e, factor, flags, negated, reported)
}

// negatesKo reports whether token j (after the term ending at token last)
// negates it.
func (st *state) negatesKo(last, j int) bool {
	a := st.a
	if !st.sameClause(last, j, tokHangul) {
		return false
	}
	n := st.text(j)
	if n == "안" || n == "못" {
		// "화 안 났다" negates; in "기쁘고 안 슬퍼" the 안 belongs to 슬퍼.
		if !st.sameClause(j, j+1, tokHangul) {
			return true
		}
		r, _ := utf8.DecodeRuneInString(st.text(j + 1))
		switch r {
		case '하', '해', '했', '한', '할', '합', '돼', '되', '됐', '된', '나', '났', '난', '날', '들', '든', '드':
			return true
		}
		return false
	}
	if a.negAfterExactKo[n] {
		return true
	}
	for _, p := range a.rules.NegAfterPrefixKo {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// patternsKo applies the grammatical patterns of token k: contrast endings
// (슬펐지만), regret (말걸, 했더라면), fear (실수할까 봐).
func (st *state) patternsKo(k int) {
	w := st.text(k)
	// -ㄹ걸 (말걸, 드릴걸, 아껴 쓸걸): "I should have"; the syllable before
	// 걸 carries the ㄹ of the future modifier.
	if head, ok := strings.CutSuffix(w, "걸"); ok && head != "" {
		if r, _ := utf8.DecodeLastRuneInString(head); isSyllable(r) {
			if _, _, f := decompose(r); f == finalL {
				p := &st.a.rules.RegretEndingKo
				st.addEvidence(cue{start: st.toks[k].start, end: st.toks[k].end, mood: p.mood, sub: p.sub, weight: p.Weight, flags: flagPattern})
			}
		}
	}
	for pi := range st.a.rules.PatternsKo {
		p := &st.a.rules.PatternsKo[pi]
		if p.End {
			if !strings.HasSuffix(w, p.Infix) {
				continue
			}
		} else if !strings.Contains(w, p.Infix) {
			continue
		}
		if p.Next != "" && (!st.sameClause(k, k+1, tokHangul) || !strings.HasPrefix(st.text(k+1), p.Next)) {
			continue
		}
		switch p.Effect {
		case "contrast":
			st.contrast(st.a.rules.ContrastFactor)
		case "weak_contrast":
			st.contrast(st.a.rules.WeakContrastFactor)
		case "cue":
			st.addEvidence(cue{start: st.toks[k].start, end: st.toks[k].end, mood: p.mood, sub: p.sub, weight: p.Weight, flags: flagPattern})
		}
	}
}

// matchEn matches the longest English term at token i and returns the index
// of the next token to read.
func (st *state) matchEn(i int) int {
	a := st.a
	for _, p := range a.phrases[st.lemmaAt(i)] {
		next, inner, ok := st.phraseAt(i, p.words)
		if !ok {
			continue
		}
		e := &a.entries[p.entry]
		end := st.toks[next-1].end
		if next-i > 1 {
			for k := i; k < next; k++ {
				st.toks[k].inPhrase = true
			}
		}
		if e.kind == kindContext {
			st.cues = append(st.cues, cue{start: st.toks[i].start, end: end, mood: e.mood, sub: e.sub, weight: e.weight, flags: flagContext})
			return next
		}
		factor, flags, negated := st.modifiersEn(i, next)
		factor *= inner
		// "yelled at me", "wasn't my fault": the writer is in the phrase.
		reported := st.person == 3 && !e.judgment
		for k := i; k < next && reported; k++ {
			reported = !a.firstEn[st.text(k)]
		}
		st.addCue(i, st.toks[i].start, end, e, factor, flags, negated, reported)
		return next
	}
	return i + 1
}

// phraseAt matches the words of a phrase from token i, letting one
// intensifier or diminisher sit inside it ("feel pretty good", "so in
// love"). It returns the token after the match and the inner modifier's
// factor.
func (st *state) phraseAt(i int, words []string) (next int, factor float64, ok bool) {
	factor, t, skipped := 1.0, i+1, false
	for k := 1; k < len(words); k++ {
		if !st.sameClause(i, t, tokLatin) {
			return 0, 0, false
		}
		if st.lemmaAt(t) != words[k] {
			mod, isMod := st.a.modEn[st.text(t)]
			if !isMod || skipped || mod.Next != "" || !st.sameClause(i, t+1, tokLatin) || st.lemmaAt(t+1) != words[k] {
				return 0, 0, false
			}
			factor, skipped = mod.Factor, true
			t++
		}
		t++
	}
	return t, factor, true
}

func (st *state) lemmaAt(i int) string {
	w := st.text(i)
	if b, ok := st.a.lemma[w]; ok {
		return b
	}
	return w
}

// modifiersEn looks back from an English term at tokens [i, end), within its clause,
// for intensifiers, diminishers and negators ("not", "never", "don't").
func (st *state) modifiersEn(i, end int) (factor float64, flags uint16, negated bool) {
	a := st.a
	factor = 1
	emphasis := false
	// "never felt so long": the emphasis may sit inside the phrase itself.
	for k := i; k < end; k++ {
		if a.emphasisEn[st.text(k)] {
			emphasis = true
		}
	}
	for j := i - 1; j >= i-3 && st.sameClause(i, j, tokLatin); j-- {
		w := st.text(j)
		// A phrase already read ("what I'd do without") or a new clause
		// ends what can modify this term.
		if a.clauseWordsEn[w] || st.toks[j].inPhrase {
			break
		}
		if mod, ok := a.modEn[w]; ok && (mod.Next == "" || (st.sameClause(j, j+1, tokLatin) && st.text(j+1) == mod.Next)) {
			factor *= mod.Factor
			if a.emphasisEn[w] {
				emphasis = true
			}
			continue
		}
		if a.emphasisEn[w] {
			emphasis = true
			continue
		}
		if a.negatorsEn[w] || strings.HasSuffix(w, "n't") {
			// "can't stop smiling", "not only": not a negation of the term.
			if st.sameClause(j, j+1, tokLatin) && a.negBreakersEn[st.text(j+1)] {
				break
			}
			// "never been so happy": emphasis, not negation.
			if emphasis && (w == "never" || w == "no") {
				factor *= a.rules.EmphasisFactor
				flags |= flagEmphasis
				break
			}
			negated = true
			break
		}
	}
	// "I hope you're healthy and happy": a wish, not a feeling yet; it
	// reaches across "and" to the end of the clause.
	for j := i - 1; j >= i-wishReach && st.sameClause(i, j, tokLatin); j-- {
		if a.wishEn[st.text(j)] {
			factor *= a.rules.WishFactor
			flags |= flagDiminished
			break
		}
	}
	return factor, flags, negated
}

// recoveryReach bounds the search for "anymore" around a negation, so a
// letter without full stops costs linear time.
const recoveryReach = 12

// wishReach is how many words back a "hope" or "wish" still governs.
const wishReach = 6

// recovered reports whether the sentence of token i says the feeling is
// over ("not sad anymore", "더 이상 슬프지 않아"): a negation that means the
// writer got better, not merely that the word does not apply.
func (st *state) recovered(i int) bool {
	sent := st.toks[i].sent
	for j := i; j >= 0 && j > i-recoveryReach && st.toks[j].sent == sent; j-- {
		if st.a.recovery[st.text(j)] {
			return true
		}
	}
	for j := i + 1; j < len(st.toks) && j < i+recoveryReach && st.toks[j].sent == sent; j++ {
		if st.a.recovery[st.text(j)] {
			return true
		}
	}
	return false
}

// addCue records the lexicon hit at token i after intensity, negation and
// reporting.
func (st *state) addCue(i, start, end int, e *entry, factor float64, flags uint16, negated, reported bool) {
	r := &st.a.rules
	if factor > r.MaxIntensity {
		factor = r.MaxIntensity
	}
	switch {
	case factor > 1:
		flags |= flagIntensified
	case factor < 1:
		flags |= flagDiminished
	}
	if negated && factor > 1 {
		// "not really angry" is less angry, not a stronger opposite.
		factor = 1
	}
	w := e.weight * factor
	if st.toks[i].exclaim {
		w *= r.ExclaimFactor
	}
	if reported {
		w *= r.ReportedFactor
		flags |= flagReported
	}
	if negated {
		// A negated feeling is not that feeling; some lean to another one
		// ("not happy" is a little sad, "not sad anymore" a little content).
		f := r.flips[e.mood]
		if f == nil {
			return
		}
		w *= f.factor
		if st.recovered(i) {
			w *= r.RecoveryFactor
		}
		st.addEvidence(cue{start: start, end: end, mood: f.mood, sub: f.sub, weight: w, flags: flags | flagNegated})
		return
	}
	sub := e.sub
	// "너무 기뻐서", "so happy": plain joy said with force is ecstasy.
	if sub < 0 && factor >= r.IntenseFactor {
		sub = r.intenseSub[e.mood]
	}
	st.addEvidence(cue{start: start, end: end, mood: e.mood, sub: sub, weight: w, flags: flags})
}

func (st *state) result() Result {
	a := st.a
	st.settle()
	var raw [len(moodKeys)]float64
	var subRaw [len(subMoodKeys)]float64
	raw[neutral] = a.rules.NeutralBase
	if st.sentences > 1 {
		raw[neutral] += a.rules.NeutralPerSentence * float64(st.sentences-1)
	}
	for _, c := range st.cues {
		if c.sub >= 0 {
			subRaw[c.sub] += c.weight
		}
	}
	var moodEvidence [len(moodKeys)]bool
	for _, c := range st.cues {
		if c.flags&(flagContext|flagNegated) == 0 {
			moodEvidence[c.mood] = true
		}
	}
	for _, t := range a.rules.Transfers {
		if subRaw[t.context] < t.MinContext || !moodEvidence[subMoodOf[t.to]] {
			continue
		}
		for i := range st.cues {
			c := &st.cues[i]
			if c.flags&(flagContext|flagNegated) == 0 && (c.sub == t.fromSub && c.sub >= 0 || c.sub < 0 && c.mood == t.fromMood) {
				if c.sub >= 0 {
					subRaw[c.sub] -= c.weight
				}
				c.mood, c.sub = subMoodOf[t.to], t.to
				subRaw[t.to] += c.weight
			}
		}
	}
	for _, c := range st.cues {
		if c.flags&flagContext == 0 {
			raw[c.mood] += c.weight
		}
	}
	best := neutral
	for m := range raw {
		if raw[m] > raw[best] {
			best = m
		}
	}
	total := 0.0
	for _, v := range raw {
		total += v
	}
	res := Result{Mood: moodKeys[best], Scores: make(map[string]float64, len(moodKeys)), Version: a.rules.Version}
	for m, v := range raw {
		res.Scores[moodKeys[m]] = v / total
	}
	if best != neutral {
		sub, top := a.defaultSub[best], 0.0
		for i, v := range subRaw {
			if subMoodOf[i] == best && v > top {
				sub, top = i, v
			}
		}
		res.Detailed = subMoodKeys[sub]
	}
	res.Cues = st.explain()
	return res
}

// explain turns the cues into the public form, strongest first.
func (st *state) explain() []Cue {
	order := make([]int, 0, len(st.cues))
	for i, c := range st.cues {
		if c.weight > 0 {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(x, y int) bool { return st.cues[order[x]].weight > st.cues[order[y]].weight })
	if len(order) > maxCues {
		order = order[:maxCues]
	}
	out := make([]Cue, 0, len(order))
	for _, i := range order {
		c := st.cues[i]
		out = append(out, Cue{Token: st.s[c.start:c.end], Mood: moodKeys[c.mood], Detailed: subName(c.sub), Weight: c.weight, Rule: ruleName(c.flags)})
	}
	return out
}

func subName(i int) string {
	if i < 0 {
		return ""
	}
	return subMoodKeys[i]
}

func ruleName(flags uint16) string {
	var b strings.Builder
	switch {
	case flags&flagSymbol != 0:
		b.WriteString("emoji")
	case flags&flagPattern != 0:
		b.WriteString("pattern")
	case flags&flagContext != 0:
		b.WriteString("context")
	default:
		b.WriteString("lexicon")
	}
	for _, f := range flagNames {
		if flags&f.flag != 0 {
			b.WriteByte(',')
			b.WriteString(f.name)
		}
	}
	return b.String()
}
