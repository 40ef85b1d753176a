package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/llm"
	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
	"github.com/lettertomyself/ltm/apps/recommend/internal/model"
)

// chatModel is an OpenAI-compatible server speaking the Chat Completions
// protocol, answering content (or failing with status), optionally
// holding each answer until release is closed.
type chatModel struct {
	t       *testing.T
	srv     *httptest.Server
	content string
	status  int
	release chan struct{}

	mu       sync.Mutex
	requests []chatRequest
	auth     []string
}

type chatRequest struct {
	Model          string `json:"model"`
	ResponseFormat struct {
		Type string `json:"type"`
	} `json:"response_format"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
}

func newChatModel(t *testing.T, content string) *chatModel {
	m := &chatModel{t: t, content: content, status: http.StatusOK}
	m.srv = httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *chatModel) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.NotFound(w, r)
		return
	}
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	m.mu.Lock()
	m.requests = append(m.requests, req)
	m.auth = append(m.auth, r.Header.Get("Authorization"))
	release := m.release
	m.mu.Unlock()
	if release != nil {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if m.status != http.StatusOK {
		w.WriteHeader(m.status)
		fmt.Fprint(w, `{"error":{"message":"overloaded","type":"server_error"}}`)
		return
	}
	content, _ := json.Marshal(m.content)
	fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","created":%d,"model":"test-model",
		"choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}],
		"usage":{"prompt_tokens":10,"completion_tokens":10,"total_tokens":20}}`, time.Now().Unix(), content)
}

func (m *chatModel) calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.requests)
}

func (m *chatModel) config() model.Config {
	return model.Config{Config: llm.Config{BaseURL: m.srv.URL + "/v1", Model: "test-model", APIKey: "sk-test"}, Wait: 2 * time.Second, Timeout: 10 * time.Second}
}

// goodAnswer holds, after four items the app must refuse (three break the
// catalog's rules, one is already in the catalog), two real works that
// are not in the catalog (checked in the test).
func goodAnswer(t *testing.T, dup catalog.Item) string {
	t.Helper()
	items := []map[string]any{
		{"type": "movie", "title_ko": "미래", "title_en": "Future", "original_title": "Future", "creator": "Nobody",
			"year": 3000, "tags": []string{"drama"}, "reason_ko": "아직 없는 영화", "reason_en": "Not made yet"},
		{"type": "movie", "title_ko": dup.TitleKo, "title_en": dup.TitleEn, "original_title": dup.OriginalTitle,
			"creator": dup.Creator, "year": dup.Year, "tags": dup.Tags, "reason_ko": dup.ReasonKo, "reason_en": dup.ReasonEn},
		{"type": "music", "title_ko": "무명", "title_en": "Nameless", "original_title": "Nameless", "creator": "",
			"year": 2001, "tags": []string{"pop"}, "reason_ko": "만든 이가 없다", "reason_en": "No creator"},
		{"type": "poem", "title_ko": "시", "title_en": "Poem", "original_title": "Poem", "creator": "Someone",
			"year": 2001, "tags": []string{"poem"}, "reason_ko": "유형이 없다", "reason_en": "No such type"},
		{"type": "movie", "title_ko": "굿 윌 헌팅", "title_en": "Good Will Hunting", "original_title": "Good Will Hunting",
			"creator": "Gus Van Sant", "year": 1997, "tags": []string{"drama", "friendship", "healing"},
			"reason_ko": "상처를 마주하는 용기를 조용히 건네는 영화", "reason_en": "A quiet push to face old wounds"},
		{"type": "music", "title_ko": "픽스 유", "title_en": "Fix You", "original_title": "Fix You",
			"creator": "Coldplay", "year": 2005, "tags": []string{"rock", "comfort", "grief"},
			"reason_ko": "지친 마음을 다독이는 노래", "reason_en": "A song that sits with you when you are worn out"},
	}
	b, err := json.Marshal(map[string]any{"items": items})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func modelItems(ans answer) []item {
	var out []item
	for _, it := range ans.Items {
		if it.Source == "model" {
			out = append(out, it)
		}
	}
	return out
}

func TestModelAddsValidatedItemsCachedPerDay(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range cat.Items() {
		if it.OriginalTitle == "Good Will Hunting" || it.OriginalTitle == "Fix You" {
			t.Fatalf("the catalog now has %s: pick another work for this test", it.OriginalTitle)
		}
	}
	dup := cat.For(catalog.Sadness, catalog.Movie)[0]
	m := newChatModel(t, goodAnswer(t, dup))
	a := start(t, setup{moods: &moods{mood: "sadness"}, model: m.config()})
	user := uuid.NewString()

	ans := a.recommend(user, "?lang=en")
	got := modelItems(ans)
	if len(got) != 2 || len(ans.Items) != 8 {
		t.Fatalf("answer has %d items, %d from the model (%+v); want 6 + the 2 valid ones", len(ans.Items), len(got), got)
	}
	want := map[string]string{"Good Will Hunting": "movie", "Fix You": "music"}
	for _, it := range got {
		if want[it.OriginalTitle] != it.Type || !strings.HasPrefix(it.ID, "ai-") || it.Title != it.OriginalTitle || it.Creator == "" || it.Year == nil {
			t.Errorf("model item %+v", it)
		}
	}
	if m.calls() != 1 {
		t.Fatalf("model asked %d times, want 1", m.calls())
	}
	m.mu.Lock()
	req, auth := m.requests[0], m.auth[0]
	m.mu.Unlock()
	if req.Model != "test-model" || req.ResponseFormat.Type != "json_object" || auth != "Bearer sk-test" ||
		len(req.Messages) != 2 || !strings.Contains(req.Messages[1].Content, "sadness") {
		t.Errorf("the model was asked %+v with %q", req, auth)
	}

	// Same user, mood and day: from the cache, in the other language.
	again := a.recommend(user, "")
	if m.calls() != 1 || len(modelItems(again)) != 2 {
		t.Errorf("second answer: %d model calls, %d model items; want the cached 2 and no new call", m.calls(), len(modelItems(again)))
	}
	for _, it := range modelItems(again) {
		if it.OriginalTitle == "Good Will Hunting" && it.Title != "굿 윌 헌팅" {
			t.Errorf("Korean title of a model item = %q", it.Title)
		}
	}
	// Only the requested types.
	if books := modelItems(a.recommend(user, "?types=book")); len(books) != 0 {
		t.Errorf("types=book got model items %+v", books)
	}

	// A disliked model item is never shown again and is listed with its title.
	var film item
	for _, it := range got {
		if it.Type == "movie" {
			film = it
		}
	}
	if s := a.feedback(user, film.ID, "dislike"); s != http.StatusNoContent {
		t.Fatalf("dislike of a model item = %d", s)
	}
	for range 3 {
		for _, it := range modelItems(a.recommend(user, "")) {
			if it.ID == film.ID {
				t.Fatal("a disliked model item came back")
			}
		}
	}
	rated := a.rated(user)
	if len(rated) != 1 || rated[0].ID != film.ID || rated[0].Title != "굿 윌 헌팅" || rated[0].Source != "model" {
		t.Errorf("feedback list = %+v", rated)
	}
	// Another user: asked afresh.
	a.recommend(uuid.NewString(), "")
	if m.calls() != 2 {
		t.Errorf("model calls = %d after a second user, want 2", m.calls())
	}
}

func TestModelGarbageMeansCatalogOnly(t *testing.T) {
	m := newChatModel(t, "Sure! Here are some films you might like: Good Will Hunting, ...")
	a := start(t, setup{moods: &moods{mood: "joy"}, model: m.config()})
	user := uuid.NewString()
	for range 2 {
		ans := a.recommend(user, "")
		if len(ans.Items) != 6 || len(modelItems(ans)) != 0 {
			t.Errorf("answer = %d items, %d from the model; want the catalog's 6", len(ans.Items), len(modelItems(ans)))
		}
	}
	if m.calls() != 2 {
		// Garbage is not cached: a model that failed is asked again.
		t.Errorf("model calls = %d, want 2", m.calls())
	}
}

func TestModelFailureMeansCatalogOnly(t *testing.T) {
	m := newChatModel(t, "")
	m.status = http.StatusServiceUnavailable
	a := start(t, setup{moods: &moods{mood: "joy"}, model: m.config()})
	ans := a.recommend(uuid.NewString(), "")
	if len(ans.Items) != 6 || len(modelItems(ans)) != 0 {
		t.Errorf("answer = %d items, %d from the model; want the catalog's 6", len(ans.Items), len(modelItems(ans)))
	}
}

// A model slower than the answer's wait never holds the answer back; its
// late answer is cached and shown next time.
func TestSlowModelDoesNotBlockAndIsCachedLate(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := newChatModel(t, goodAnswer(t, cat.For(catalog.Sadness, catalog.Movie)[0]))
	m.release = make(chan struct{})
	cfg := m.config()
	cfg.Wait = 200 * time.Millisecond
	a := start(t, setup{moods: &moods{mood: "sadness"}, model: cfg})
	user := uuid.NewString()

	ans := a.recommend(user, "")
	if len(ans.Items) != 6 || len(modelItems(ans)) != 0 {
		t.Fatalf("while the model hangs: %d items, %d from the model; want the catalog's 6", len(ans.Items), len(modelItems(ans)))
	}
	close(m.release)
	deadline := time.Now().Add(20 * time.Second)
	for len(modelItems(a.recommend(user, ""))) != 2 {
		if time.Now().After(deadline) {
			t.Fatal("the late model answer never reached the cache")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if m.calls() != 1 {
		t.Errorf("model calls = %d, want 1 (later answers wait for the running call, then use the cache)", m.calls())
	}
}
