package analyzer

import (
	"bufio"
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

//go:embed data/*.tsv data/rules.json
var dataFS embed.FS

type entryKind uint8

const (
	kindEmotion entryKind = iota + 1 // says how the writer feels: counts for the mood and its sub-mood
	kindContext                      // says what the letter is about: only picks the sub-mood
)

// entry is one lexicon row after parsing.
type entry struct {
	term   string
	mood   int
	sub    int // index into subMoodKeys, or -1
	weight float64
	kind   entryKind
	// exp marks a Korean verb whose grammatical subject is the one who feels
	// (화를 내다, 걱정하다): with someone else as the subject it is reported.
	exp bool
	// noun marks a Korean noun that happens to end in 다 (수다): it is not
	// conjugated.
	noun bool
	// judgment marks a word that judges rather than feels (cute, unfair,
	// annoying): "she is so annoying" is the writer's feeling, not hers.
	judgment bool
}

// trieNode is a node of the Korean prefix trie over runes; a space joins the
// words of a phrase ("화가 나").
type trieNode struct {
	next  map[rune]int32
	entry int32 // -1: no term ends here
}

// phrase is an English lexicon term as a sequence of lemmas.
type phrase struct {
	words []string
	entry int32
}

// modifier scales the next emotion term (너무 1.5, "slightly" 0.6).
type modifier struct {
	Word   string  `json:"word"`
	Next   string  `json:"next,omitempty"` // "kind" only modifies as "kind of"
	Factor float64 `json:"factor"`
}

type flip struct {
	Mood   string  `json:"mood"`
	Sub    string  `json:"sub,omitempty"`
	Factor float64 `json:"factor"`
}

type koPattern struct {
	Infix  string  `json:"infix"`
	End    bool    `json:"end,omitempty"`  // the token must end with the infix
	Next   string  `json:"next,omitempty"` // the next token must start with this
	Effect string  `json:"effect"`         // "cue", "contrast" or "weak_contrast"
	Mood   string  `json:"mood,omitempty"`
	Sub    string  `json:"sub,omitempty"`
	Weight float64 `json:"weight,omitempty"`

	mood, sub int
}

type gluedPrefix struct {
	Prefix string  `json:"prefix"`
	Negate bool    `json:"negate,omitempty"`
	Factor float64 `json:"factor,omitempty"`
}

// rules is data/rules.json: every number and word list the analysis uses
// besides the lexicon itself.
type rules struct {
	Version             string            `json:"version"`
	NeutralBase         float64           `json:"neutral_base"`
	NeutralPerSentence  float64           `json:"neutral_per_sentence"`
	DefaultSub          map[string]string `json:"default_sub"`
	NegationFlip        map[string]flip   `json:"negation_flip"`
	ReportedFactor      float64           `json:"reported_factor"`
	ContrastFactor      float64           `json:"contrast_factor"`
	ExclaimFactor       float64           `json:"exclaim_factor"`
	WishFactor          float64           `json:"wish_factor"`
	WishEn              []string          `json:"wish_en"`
	WishKo              []string          `json:"wish_ko"`
	WeakContrastFactor  float64           `json:"weak_contrast_factor"`
	MaxIntensity        float64           `json:"max_intensity"`
	IntenseSub          map[string]string `json:"intense_sub"`
	IntenseFactor       float64           `json:"intense_factor"`
	EmphasisFactor      float64           `json:"emphasis_factor"`
	ModifiersKo         []modifier        `json:"modifiers_ko"`
	ModifiersEn         []modifier        `json:"modifiers_en"`
	GluedPrefixesKo     []gluedPrefix     `json:"glued_prefixes_ko"`
	NegBeforeKo         []string          `json:"negation_before_ko"`
	NegAfterPrefixKo    []string          `json:"negation_after_prefix_ko"`
	NegAfterExactKo     []string          `json:"negation_after_exact_ko"`
	NegInsideKo         []string          `json:"negation_inside_ko"`
	FillersKo           []string          `json:"fillers_ko"`
	NegatorsEn          []string          `json:"negators_en"`
	NegationBreakersEn  []string          `json:"negation_breakers_en"`
	EmphasisEn          []string          `json:"emphasis_en"`
	ClauseWordsEn       []string          `json:"clause_words_en"`
	ContrastKo          []string          `json:"contrast_ko"`
	ContrastEn          []string          `json:"contrast_en"`
	ConcessiveEn        []string          `json:"concessive_en"`
	NotATurnBeforeButEn []string          `json:"not_a_turn_before_but_en"`
	PatternsKo          []koPattern       `json:"patterns_ko"`
	FirstPersonKo       []string          `json:"first_person_ko"`
	ThirdPersonKo       []string          `json:"third_person_ko"`
	SubjectParticlesKo  []string          `json:"subject_particles_ko"`
	HonorificKo         []string          `json:"honorific_ko"`
	QuoteKo             []string          `json:"quote_ko"`
	RecoveryFactor      float64           `json:"recovery_factor"`
	RecoveryWords       []string          `json:"recovery_words"`
	AppearanceKo        []string          `json:"appearance_ko"`
	SoftenersKo         []modifier        `json:"softeners_ko"`
	Transfers           []transfer        `json:"transfers"`
	RegretEndingKo      koPattern         `json:"regret_ending_ko"`
	FirstPersonEn       []string          `json:"first_person_en"`
	ThirdPersonEn       []string          `json:"third_person_en"`
	LemmasEn            map[string]string `json:"lemmas_en"`
	StopwordsEn         []string          `json:"stopwords_en"`
	NotInflectionsEn    []string          `json:"not_inflections_en"`
	Comment             map[string]string `json:"comment"`
	flips               [len(moodKeys)]*flipRule
	intenseSub          [len(moodKeys)]int
}

// transfer moves a sub-mood's evidence to another sub-mood when the letter
// is about someone in that relation and already says a feeling of the
// target's mood: excitement with a partner in view and a word of love is
// romance, thanks to friends is friendship.
type transfer struct {
	From       string  `json:"from"` // a sub-mood, or a mood for its cues without one
	Context    string  `json:"context"`
	To         string  `json:"to"`
	MinContext float64 `json:"min_context"`

	fromMood, fromSub, context, to int
}

type flipRule struct {
	mood, sub int
	factor    float64
}

func set(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

func modifierMap(ms []modifier) map[string]modifier {
	m := make(map[string]modifier, len(ms))
	for _, x := range ms {
		m[x.Word] = x
	}
	return m
}

// parseLexicon reads one TSV lexicon: term, mood, sub-mood (- for none),
// weight, kind (emo or ctx) and optional flags.
func parseLexicon(name string, add func(entry) error) error {
	f, err := dataFS.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) < 5 {
			return fmt.Errorf("%s:%d: want at least 5 tab-separated columns, got %d", name, line, len(cols))
		}
		e := entry{term: normalize(strings.TrimSpace(cols[0]))}
		if e.mood = moodIndex(cols[1]); e.mood < 0 {
			return fmt.Errorf("%s:%d: unknown mood %q", name, line, cols[1])
		}
		e.sub = -1
		if cols[2] != "-" {
			if e.sub = subIndex(cols[2]); e.sub < 0 || subMoodOf[e.sub] != e.mood {
				return fmt.Errorf("%s:%d: sub-mood %q does not belong to %q", name, line, cols[2], cols[1])
			}
		}
		if e.weight, err = strconv.ParseFloat(cols[3], 64); err != nil || e.weight <= 0 {
			return fmt.Errorf("%s:%d: bad weight %q", name, line, cols[3])
		}
		switch cols[4] {
		case "emo":
			e.kind = kindEmotion
		case "ctx":
			e.kind = kindContext
			if e.sub < 0 {
				return fmt.Errorf("%s:%d: a context term needs a sub-mood", name, line)
			}
		default:
			return fmt.Errorf("%s:%d: unknown kind %q", name, line, cols[4])
		}
		if len(cols) > 5 {
			for _, fl := range strings.Split(cols[5], ",") {
				switch strings.TrimSpace(fl) {
				case "exp":
					e.exp = true
				case "noun":
					e.noun = true
				case "judgment":
					e.judgment = true
				case "":
				default:
					return fmt.Errorf("%s:%d: unknown flag %q", name, line, fl)
				}
			}
		}
		if e.term == "" {
			return fmt.Errorf("%s:%d: empty term", name, line)
		}
		if err := add(e); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
	return sc.Err()
}

// load parses the embedded data and builds the lookup structures.
func (a *Analyzer) load() error {
	raw, err := dataFS.ReadFile("data/rules.json")
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a.rules); err != nil {
		return fmt.Errorf("rules.json: %w", err)
	}
	r := &a.rules
	for m, f := range r.NegationFlip {
		from, to := moodIndex(m), moodIndex(f.Mood)
		if from < 0 || to < 0 {
			return fmt.Errorf("rules.json: negation_flip %s → %s: unknown mood", m, f.Mood)
		}
		sub := -1
		if f.Sub != "" {
			if sub = subIndex(f.Sub); sub < 0 || subMoodOf[sub] != to {
				return fmt.Errorf("rules.json: negation_flip %s: bad sub-mood %q", m, f.Sub)
			}
		}
		r.flips[from] = &flipRule{mood: to, sub: sub, factor: f.Factor}
	}
	for i := range r.intenseSub {
		r.intenseSub[i] = -1
	}
	for m, sub := range r.IntenseSub {
		mi, si := moodIndex(m), subIndex(sub)
		if mi < 0 || si < 0 || subMoodOf[si] != mi {
			return fmt.Errorf("rules.json: intense_sub %s: %s is not one of its sub-moods", m, sub)
		}
		r.intenseSub[mi] = si
	}
	for i := range moodKeys[:len(moodKeys)-1] {
		s, ok := r.DefaultSub[moodKeys[i]]
		if !ok || subIndex(s) < 0 || subMoodOf[subIndex(s)] != i {
			return fmt.Errorf("rules.json: default_sub for %s missing or wrong", moodKeys[i])
		}
		a.defaultSub[i] = subIndex(s)
	}
	re := &r.RegretEndingKo
	re.Effect, re.mood, re.sub = "cue", moodIndex(re.Mood), subIndex(re.Sub)
	if re.mood < 0 || re.sub < 0 || subMoodOf[re.sub] != re.mood {
		return fmt.Errorf("rules.json: regret_ending_ko: bad mood or sub-mood")
	}
	for i := range r.Transfers {
		t := &r.Transfers[i]
		t.fromMood, t.fromSub = -1, subIndex(t.From)
		if t.fromSub < 0 {
			t.fromMood = moodIndex(t.From)
		}
		t.context, t.to = subIndex(t.Context), subIndex(t.To)
		if (t.fromSub < 0 && t.fromMood < 0) || t.context < 0 || t.to < 0 {
			return fmt.Errorf("rules.json: transfer %s → %s: unknown sub-mood", t.From, t.To)
		}
	}
	for i := range r.PatternsKo {
		p := &r.PatternsKo[i]
		p.mood, p.sub = -1, -1
		if p.Effect == "cue" {
			if p.mood = moodIndex(p.Mood); p.mood < 0 {
				return fmt.Errorf("rules.json: pattern %q: unknown mood", p.Infix)
			}
			if p.Sub != "" {
				if p.sub = subIndex(p.Sub); p.sub < 0 || subMoodOf[p.sub] != p.mood {
					return fmt.Errorf("rules.json: pattern %q: bad sub-mood", p.Infix)
				}
			}
		}
	}

	a.modKo, a.modEn = modifierMap(r.ModifiersKo), modifierMap(r.ModifiersEn)
	a.negBeforeKo, a.negAfterExactKo = set(r.NegBeforeKo), set(r.NegAfterExactKo)
	a.fillersKo, a.negatorsEn = set(r.FillersKo), set(r.NegatorsEn)
	a.negBreakersEn, a.emphasisEn = set(r.NegationBreakersEn), set(r.EmphasisEn)
	a.clauseWordsEn = set(r.ClauseWordsEn)
	a.contrastKo, a.contrastEn, a.concessiveEn = set(r.ContrastKo), set(r.ContrastEn), set(r.ConcessiveEn)
	a.firstKo, a.firstEn, a.thirdEn = set(r.FirstPersonKo), set(r.FirstPersonEn), set(r.ThirdPersonEn)
	stop, notInflection := set(r.StopwordsEn), set(r.NotInflectionsEn)

	a.nodes = []trieNode{{entry: -1}}
	addKo := func(e entry) error {
		idx := int32(len(a.entries))
		a.entries = append(a.entries, e)
		variants := []string{e.term}
		if !e.noun {
			variants = koVariants(e.term)
		}
		for _, v := range variants {
			a.insert(v, idx)
		}
		return nil
	}
	if err := parseLexicon("data/lexicon_ko.tsv", addKo); err != nil {
		return err
	}

	a.lemma = make(map[string]string)
	for v, base := range r.LemmasEn {
		a.lemma[v] = base
	}
	var enEntries []int32
	bases := map[string]bool{}
	addEn := func(e entry) error {
		enEntries = append(enEntries, int32(len(a.entries)))
		a.entries = append(a.entries, e)
		// A one-word term is its own base (lovely is not love); words
		// inside phrases are lemmatised like the text.
		if !strings.Contains(e.term, " ") {
			bases[e.term] = true
		}
		return nil
	}
	if err := parseLexicon("data/lexicon_en.tsv", addEn); err != nil {
		return err
	}
	// Inflections map to their base word; a word that is itself a lexicon
	// base always stays itself (thanks is listed, not read as thank).
	for _, idx := range enEntries {
		for _, w := range strings.Fields(a.entries[idx].term) {
			if len(w) < 3 || stop[w] || strings.ContainsRune(w, '\'') {
				continue
			}
			for _, v := range enVariants(w) {
				if _, taken := a.lemma[v]; !taken && !bases[v] && !notInflection[v] {
					a.lemma[v] = w
				}
			}
		}
	}
	// Phrases are stored as lemmas, the form tokens are compared in:
	// "left out" becomes leave out and matches "left out" and "leaving out".
	a.phrases = make(map[string][]phrase)
	for _, idx := range enEntries {
		words := strings.Fields(a.entries[idx].term)
		for i, w := range words {
			if b, ok := a.lemma[w]; ok && !bases[w] {
				words[i] = b
			} else if b, ok := r.LemmasEn[w]; ok {
				words[i] = b
			}
		}
		a.phrases[words[0]] = append(a.phrases[words[0]], phrase{words: words, entry: idx})
	}
	for k := range a.phrases {
		ps := a.phrases[k]
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
	}

	a.symbols = make(map[string]int32)
	addSym := func(e entry) error {
		key := e.term
		for _, r := range key {
			if isJamo(r) {
				key = jamoKey(e.term)
				break
			}
		}
		key = strings.Map(func(r rune) rune {
			if isInvisible(r) {
				return -1
			}
			return r
		}, key)
		if _, dup := a.symbols[key]; dup {
			return fmt.Errorf("symbol %q listed twice", key)
		}
		a.symbols[key] = int32(len(a.entries))
		a.entries = append(a.entries, e)
		return nil
	}
	return parseLexicon("data/symbols.tsv", addSym)
}

// insert adds a surface prefix to the Korean trie; the first term to claim a
// prefix keeps it, so the lexicon's order settles collisions.
func (a *Analyzer) insert(s string, idx int32) {
	n := int32(0)
	for _, r := range s {
		next, ok := a.nodes[n].next[r]
		if !ok {
			next = int32(len(a.nodes))
			a.nodes = append(a.nodes, trieNode{entry: -1})
			if a.nodes[n].next == nil {
				a.nodes[n].next = make(map[rune]int32, 2)
			}
			a.nodes[n].next[r] = next
		}
		n = next
	}
	if a.nodes[n].entry < 0 {
		a.nodes[n].entry = idx
	}
}
