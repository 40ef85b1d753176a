package analyzer

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestAnalyzeTrickySentences(t *testing.T) {
	a := newAnalyzer(t)
	tests := []struct {
		name, title, content string
		mood, detailed       string // detailed "*": any sub-mood of mood
	}{
		// Korean morphology: one stem under many endings and particles.
		{"ko anger 화가 났다", "", "화가 났다", "anger", "rage"},
		{"ko anger 화났어", "", "오늘 진짜 화났어", "anger", "rage"},
		{"ko anger 화나서", "", "화나서 잠을 못 잤다", "anger", "rage"},
		{"ko anger 화남", "", "오늘 회의 때문에 화남", "anger", "rage"},
		{"ko sadness 슬퍼", "", "슬퍼", "sadness", "*"},
		{"ko sadness 슬펐다", "", "어제는 하루 종일 슬펐다.", "sadness", "*"},
		{"ko sadness 슬픈", "", "슬픈 하루였다", "sadness", "*"},
		{"ko gratitude 고마워", "", "항상 곁에 있어 줘서 고마워", "joy", "gratitude"},
		{"ko gratitude 고맙다", "", "그때 도와준 친구가 정말 고맙다", "joy", "gratitude"},
		{"ko gratitude 감사해요", "", "늘 감사해요", "joy", "gratitude"},
		{"ko ㅂ-irregular 외로웠다", "", "주말 내내 외로웠다", "sadness", "loneliness"},
		{"ko glued intensifier 너무슬퍼", "", "너무슬퍼", "sadness", "*"},
		{"ko phrase across an intensifier", "", "화가 너무 났다", "anger", "rage"},
		{"ko 하다 root 긴장감", "", "면접장의 긴장감 때문에 손이 떨렸다", "anxiety", "nervousness"},

		// Negation.
		{"ko negated joy is sad", "", "요즘 기분이 안 좋다", "sadness", "*"},
		{"ko negated fear then relief", "", "더 이상 무섭지 않아. 이제는 마음이 편안하다.", "joy", "satisfaction"},
		{"ko no regrets", "", "후회는 없다. 최선을 다했으니까.", "joy", "satisfaction"},
		{"ko don't worry is not worry", "", "걱정하지 마, 다 잘 될 거야.", "neutral", ""},
		{"en not sad anymore", "", "I'm not sad anymore.", "joy", "satisfaction"},
		{"en not happy", "", "I am not happy with how today went.", "sadness", "*"},
		{"en no longer angry", "", "I'm no longer angry at him.", "joy", "satisfaction"},
		{"en never so happy is emphasis", "", "I have never been so happy.", "joy", "*"},
		{"en can't stop smiling is not negation", "", "I can't stop smiling!", "joy", "*"},
		{"en modifier inside a phrase", "", "Feeling pretty good about today.", "joy", "satisfaction"},
		{"en crying with joy", "", "I cried with joy when I heard the news.", "joy", "ecstasy"},
		{"en number is not numb", "", "This is letter number three. Same job, same apartment.", "neutral", ""},
		{"en not really angry just annoyed", "", "I'm not really angry, just a little annoyed.", "anger", "annoyance"},
		{"en don't regret", "", "I don't regret anything.", "joy", "satisfaction"},

		// Contrast: the clause after the turn weighs more.
		{"ko 지만", "", "피곤했지만 정말 행복한 하루였다", "joy", "*"},
		{"ko 하지만", "", "좋았다. 하지만 집에 오니 너무 외로웠다.", "sadness", "loneliness"},
		{"ko 그래도", "", "시험은 망쳤다. 그래도 끝까지 해낸 내가 뿌듯하다.", "joy", "satisfaction"},
		{"en but", "", "I was scared, but I did it and I'm proud of myself.", "joy", "satisfaction"},
		{"en though first", "", "Though I was nervous, it went well and I'm relieved.", "joy", "satisfaction"},
		{"en happy but", "", "I'm happy for her, but I'll miss her so much.", "sadness", "*"},
		{"ko trailing 는데 changes nothing", "", "면접에서 떨어졌다. 정말 붙을 줄 알았는데.", "sadness", "*"},

		// Emoji and emoticons.
		{"emoji only sad", "", "오늘 😢😢", "sadness", "*"},
		{"emoji only angry", "", "😡", "anger", "rage"},
		{"emoticon :(", "", "Today :(", "sadness", "*"},
		{"ko crying jamo", "", "보고 싶어ㅠㅠ", "sadness", "*"},
		{"ko laughing jamo with words", "", "ㅋㅋㅋ 오늘 진짜 재밌었다", "joy", "*"},
		{"ko crying jamo in a happy letter", "", "오늘 면접 합격함!!! 진짜 꿈인가 싶음 ㅠㅠ 너무 좋다", "joy", "*"},
		{"ko casual endings", "", "아니 택배 또 분실됨 ㅡㅡ 진짜 짜증남", "anger", "annoyance"},
		{"heart emoji with thanks", "", "Thank you 엄마 ❤️", "joy", "gratitude"},

		// Reported feelings weigh less than the writer's own.
		{"ko reported anger alone", "", "엄마가 화가 났다.", "neutral", ""},
		{"ko reported plural", "", "친구들이 화가 났다.", "neutral", ""},
		{"en reported plural", "", "My friends were angry about the game.", "neutral", ""},
		{"ko reported vs own", "", "친구가 화를 냈다. 나는 그냥 슬펐다.", "sadness", "*"},
		{"ko honorific", "", "부장님이 화를 내셨다. 나는 회의록을 정리했다.", "neutral", ""},
		{"ko appearance", "", "다들 즐거워 보였는데 나만 겉도는 느낌이었다.", "sadness", "loneliness"},
		{"en reported", "", "My coworker was furious today. I just took notes and went home.", "neutral", ""},
		{"en reported vs own", "", "My friend was angry, but I felt calm and content.", "joy", "satisfaction"},
		{"en phrase with me is the writer's", "", "My boss yelled at me for something that was not my fault.", "anger", "*"},

		// Sub-moods.
		{"ecstasy", "", "합격했다! 날아갈 것 같아!", "joy", "ecstasy"},
		{"plain joy said with force is ecstasy", "", "너무 기뻐서 소리를 질렀다", "joy", "ecstasy"},
		{"plain joy is satisfaction", "", "오늘 친구를 만나서 기뻤다", "joy", "satisfaction"},
		{"excitement", "", "I'm so excited for the trip next week, I can't wait!", "joy", "excitement"},
		{"loss", "", "Grandpa passed away yesterday. I miss him so much.", "sadness", "loss"},
		{"regret", "", "그때 그 말을 하지 말걸. 너무 후회된다.", "sadness", "regret"},
		{"regret -ㄹ걸 alone", "", "돈을 좀 아껴 쓸걸.", "sadness", "regret"},
		{"en wish I had someone is loneliness", "", "I wish I had someone to talk to.", "sadness", "loneliness"},
		{"en wish I had done is regret", "", "I wish I had called her back.", "sadness", "regret"},
		{"resentment", "", "It's not fair. I did all the work and he got the credit.", "anger", "resentment"},
		{"restlessness", "", "결과 발표를 기다리는데 초조해서 아무것도 손에 안 잡힌다.", "anxiety", "restlessness"},
		{"nervousness", "", "Big interview tomorrow and I'm so nervous.", "anxiety", "nervousness"},
		{"fear", "", "I'm scared of what the doctor will say.", "anxiety", "fear"},
		{"romance", "", "우리 처음 만난 날처럼 여전히 너를 사랑해.", "love", "romance"},
		{"friendship", "", "20년 지기 단짝 친구들, 우리 우정 영원하자.", "love", "friendship"},
		{"respect", "", "I really look up to my mentor.", "love", "respect"},
		{"a phrase is not a negator for the next term", "", "She's been my rock. I don't know what I'd do without my best friend.", "love", "friendship"},
		{"waiting after the event is restlessness", "", "It's been two weeks since the interview and I still haven't heard anything. I'm anxious.", "anxiety", "restlessness"},
		{"nothing but is not a negation or a turn", "", "They are heroes. I have nothing but respect for them.", "love", "respect"},
		{"specific sub-mood over generic anger", "", "I'm so sick of it. It's not fair.", "anger", "resentment"},

		// Neutral diaries and plans.
		{"ko plan", "다음 주 계획", "월요일 회의, 수요일 병원, 금요일 장보기.", "neutral", ""},
		{"en diary", "", "Woke up at seven, took the bus, had two meetings and cooked dinner.", "neutral", ""},
		{"mixed plan", "", "Meeting 2시, gym 7시. 내일은 report 마감.", "neutral", ""},
		{"ko parting after a meeting is not a breakup", "", "친구들과 저녁을 먹고 9시에 헤어지고 집에 왔다.", "neutral", ""},
		{"ko losing the way is not a loss", "", "오늘 시내에서 길을 잃어서 한참 돌아갔다. 그래도 약속 시간에는 맞췄다.", "neutral", ""},
		{"en everyday phrase is not a feeling", "", "Get in the car at eight and we will drive to the store.", "neutral", ""},
		{"ko negated fun is boredom", "", "영화가 너무 재미없었다. 돈이 아깝다.", "anger", "annoyance"},

		// Mixed Korean and English, including English glued to Korean.
		{"mixed lonely하다", "", "요즘 너무 lonely하다. 주말엔 혼자 있다.", "sadness", "loneliness"},
		{"mixed nervous해서", "", "Interview 내일이야. 너무 nervous해서 잠이 안 와.", "anxiety", "nervousness"},
		{"title counts", "너무 화가 난 날", "오늘 있었던 일을 적어 둔다.", "anger", "rage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := a.Analyze(tt.title, tt.content)
			if got.Mood != tt.mood {
				t.Fatalf("Analyze(%q, %q).Mood = %q, want %q (cues %v)", tt.title, tt.content, got.Mood, tt.mood, got.Cues)
			}
			if tt.detailed != "*" && got.Detailed != tt.detailed {
				t.Errorf("Analyze(%q, %q).Detailed = %q, want %q (cues %v)", tt.title, tt.content, got.Detailed, tt.detailed, got.Cues)
			}
			checkResult(t, got)
		})
	}
}

// checkResult asserts what every result must satisfy.
func checkResult(t *testing.T, r Result) {
	t.Helper()
	if !Valid(r.Mood, r.Detailed) {
		t.Errorf("mood %q with sub-mood %q is not a valid pair", r.Mood, r.Detailed)
	}
	if len(r.Scores) != len(Moods) {
		t.Errorf("scores for %d moods, want %d: %v", len(r.Scores), len(Moods), r.Scores)
	}
	sum, best := 0.0, ""
	for _, m := range Moods {
		v, ok := r.Scores[m]
		if !ok || v < 0 || v > 1 || math.IsNaN(v) {
			t.Errorf("score of %s = %v (present %v)", m, v, ok)
		}
		sum += v
		if best == "" || v > r.Scores[best] {
			best = m
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("scores sum to %v, want 1", sum)
	}
	if r.Scores[r.Mood] != r.Scores[best] {
		t.Errorf("mood %s scores %v, but %s scores %v", r.Mood, r.Scores[r.Mood], best, r.Scores[best])
	}
	if r.Version == "" {
		t.Error("no analyzer version")
	}
	if len(r.Cues) > maxCues {
		t.Errorf("%d cues, want at most %d", len(r.Cues), maxCues)
	}
	for _, c := range r.Cues {
		if c.Weight <= 0 || c.Token == "" || c.Rule == "" || !slices.Contains(Moods, c.Mood) {
			t.Errorf("bad cue %+v", c)
		}
	}
}

// TestAnalyzeWeighs checks the direction of each rule on pairs of texts that
// differ only in it.
func TestAnalyzeWeighs(t *testing.T) {
	a := newAnalyzer(t)
	tests := []struct {
		name, more, less, mood string
	}{
		{"ko intensifier", "너무 슬프다", "슬프다", "sadness"},
		{"ko diminisher", "슬프다", "조금 슬프다", "sadness"},
		{"en intensifier", "I'm very angry", "I'm angry", "anger"},
		{"en diminisher", "I'm annoyed", "I'm slightly annoyed", "anger"},
		{"en intensifier inside a phrase", "I feel really good", "I feel a bit good", "joy"},
		{"ko first person over reported", "나는 화가 났다", "엄마가 화가 났다", "anger"},
		{"en first person over reported", "I was sad today", "My friend was sad today", "sadness"},
		{"ko -어하다 is reported", "외로웠다", "친구가 외로워했다", "sadness"},
		{"ko after 지만 over before", "슬펐지만 행복했다", "행복했지만 슬펐다", "joy"},
		{"en after but over before", "I was sad but happy", "I was happy but sad", "joy"},
		{"ko negation", "무서웠다", "하나도 안 무서웠다", "anxiety"},
		{"en negation", "I was scared", "I wasn't scared", "anxiety"},
		{"emoji adds", "좋은 하루 😊", "좋은 하루", "joy"},
		{"ko a wish is not yet a feeling", "나는 행복하다", "나는 행복하길", "joy"},
		{"en a wish is not yet a feeling", "I am happy", "I hope you are happy", "joy"},
		{"ko said in passing", "무섭다", "무섭기도 하다", "anxiety"},
		{"exclamation", "I'm so happy!", "I'm so happy.", "joy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			more, less := a.Analyze("", tt.more).Scores[tt.mood], a.Analyze("", tt.less).Scores[tt.mood]
			if more <= less {
				t.Errorf("%s: %q scores %.3f, %q scores %.3f; want the first higher", tt.mood, tt.more, more, tt.less, less)
			}
		})
	}
}

func TestAnalyzeOddInput(t *testing.T) {
	a := newAnalyzer(t)
	long := strings.Repeat("오늘은 정말 행복했지만 조금 외로웠다. I was so happy, but then I felt sad :( ", 2000)
	tests := []struct {
		name, title, content string
	}{
		{"empty", "", ""},
		{"whitespace", "  \t ", "\n\n   \r\n"},
		{"control characters", "\x00\x01", "슬퍼\x00\x07\x1b[31m화가 났다\x7f"},
		{"invalid utf-8", "\xff\xfe", "행복\xc3\x28해 \xe2\x82"},
		{"lone jamo and emoji parts", "ㄱ", "\u200d\ufe0f\U0001F3FB ㅠ ㅋ"},
		{"only punctuation", "!!!", "...???,,,;;;:::"},
		{"negation and contrast with nothing to act on", "", "안 못 않 없 but not never 지만 하지만"},
		{"emoticon prefixes at the end", "", ":"},
		{"very long", "", long},
		{"one giant word", "", strings.Repeat("슬", 100000)},
		{"one endless sentence", "", strings.Repeat("not sad and not happy 안 슬프고 ", 20000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.Analyze(tt.title, tt.content)
			checkResult(t, r)
		})
	}
	if r := a.Analyze("", ""); r.Mood != "neutral" || r.Detailed != "" || r.Scores["neutral"] != 1 || len(r.Cues) != 0 {
		t.Errorf("empty letter: got %+v, want neutral with score 1 and no cues", r)
	}
}

func TestAnalyzeDeterministicAndConcurrent(t *testing.T) {
	a := newAnalyzer(t)
	letters := append(loadLetters(t, "tune.jsonl"), loadLetters(t, "holdout.jsonl")...)
	want := make([]Result, len(letters))
	for i, l := range letters {
		want[i] = a.Analyze(l.Title, l.Content)
	}
	// A second analyzer built from the same data, and concurrent calls on
	// the first, give identical results.
	b := newAnalyzer(t)
	var wg sync.WaitGroup
	errs := make(chan string, len(letters))
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for i, l := range letters {
				an := a
				if (i+w)%2 == 0 {
					an = b
				}
				if got := an.Analyze(l.Title, l.Content); !reflect.DeepEqual(got, want[i]) {
					errs <- l.ID
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for id := range errs {
		t.Errorf("letter %s: result differs between runs", id)
	}
}

func TestValidAndSubMoods(t *testing.T) {
	if got := len(Moods); got != 6 {
		t.Fatalf("%d moods, want 6", got)
	}
	total := 0
	for _, m := range Moods {
		subs := SubMoods(m)
		total += len(subs)
		if m == "neutral" {
			if len(subs) != 0 || !Valid(m, "") || Valid(m, "joy") {
				t.Errorf("neutral: sub-moods %v, Valid(neutral, \"\") %v", subs, Valid(m, ""))
			}
			continue
		}
		if len(subs) == 0 || Valid(m, "") {
			t.Errorf("%s: sub-moods %v; a mood other than neutral needs one", m, subs)
		}
		for _, s := range subs {
			if !Valid(m, s) {
				t.Errorf("Valid(%s, %s) = false", m, s)
			}
			for _, other := range Moods {
				if other != m && Valid(other, s) {
					t.Errorf("Valid(%s, %s) = true, but %s belongs to %s", other, s, s, m)
				}
			}
		}
	}
	if total != 16 {
		t.Errorf("%d sub-moods, want 16", total)
	}
	for _, bad := range [][2]string{{"", ""}, {"happy", ""}, {"JOY", "ecstasy"}, {"joy", "rage"}, {"anger", "Rage"}} {
		if Valid(bad[0], bad[1]) {
			t.Errorf("Valid(%q, %q) = true", bad[0], bad[1])
		}
	}
	// SubMoods hands out a copy.
	SubMoods("joy")[0] = "changed"
	if SubMoods("joy")[0] != "ecstasy" {
		t.Error("SubMoods returned shared state")
	}
}

func TestKoVariants(t *testing.T) {
	tests := []struct {
		term string
		want []string
	}{
		{"슬프다", []string{"슬프", "슬픈", "슬플", "슬픔", "슬퍼", "슬펐"}},
		{"아프다", []string{"아파", "아팠"}},
		{"외롭다", []string{"외롭", "외로워", "외로웠", "외로운", "외로움"}},
		{"행복하다", []string{"행복하", "행복해", "행복했", "행복한", "행복"}},
		{"화가 나다", []string{"화가 나", "화가 났", "화가 난"}},
		{"힘들다", []string{"힘들", "힘든", "힘드"}},
		{"지치다", []string{"지쳐", "지쳤"}},
		{"걱정되다", []string{"걱정돼", "걱정됐"}},
		{"후회", []string{"후회"}},
	}
	for _, tt := range tests {
		got := koVariants(tt.term)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("koVariants(%q) = %v, missing %q", tt.term, got, w)
			}
		}
	}
}

// TestLexiconCoverage keeps the lexicon broad: every sub-mood has emotion
// terms of its own in both languages.
func TestLexiconCoverage(t *testing.T) {
	a := newAnalyzer(t)
	counts := map[string]map[int]int{"ko": {}, "en": {}}
	for _, e := range a.entries {
		if e.kind != kindEmotion || e.sub < 0 {
			continue
		}
		lang := "en"
		for _, r := range e.term {
			if isSyllable(r) {
				lang = "ko"
				break
			}
			if isPictograph(r) || isJamo(r) || r < 'a' && r != ' ' && r != '\'' {
				lang = ""
				break
			}
		}
		if lang != "" {
			counts[lang][e.sub]++
		}
	}
	for lang, c := range counts {
		for i, s := range subMoodKeys {
			if c[i] < 20 {
				t.Errorf("%s: %d emotion terms for %s, want at least 20", lang, c[i], s)
			}
		}
	}
}
