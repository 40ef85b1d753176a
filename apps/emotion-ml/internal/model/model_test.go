package model

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/lettertomyself/ltm/apps/platform/llm"

	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/analyzer"
	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/emotion"
)

// fakeModel speaks the Chat Completions protocol: each call gets the next
// scripted reply (the last one repeats).
type fakeModel struct {
	replies []func(w http.ResponseWriter, r *http.Request)
	calls   atomic.Int32
	last    atomic.Value // the last request body
}

func (f *fakeModel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/chat/completions" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.last.Store(body)
	i := int(f.calls.Add(1)) - 1
	if i >= len(f.replies) {
		i = len(f.replies) - 1
	}
	f.replies[i](w, r)
}

func content(s string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "fake",
			"choices": []any{map[string]any{
				"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": s},
			}},
		})
	}
}

func status(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, `{"error":{"message":"slow down","type":"rate_limit","code":"rate_limited"}}`)
	}
}

func hang(release <-chan struct{}) func(http.ResponseWriter, *http.Request) {
	return func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
}

const good = `{"mood":"sadness","detailed_mood":"loneliness","scores":{"joy":0.05,"sadness":0.7,"anger":0,"anxiety":0.1,"love":0.05,"neutral":0.1}}`

func newClient(t *testing.T, f *fakeModel, timeout time.Duration) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := New(Config{Config: llm.Config{BaseURL: srv.URL, Model: "fake-1", APIKey: "k"}, Timeout: timeout, Concurrency: 2, Retries: 3}, nil)
	c.backoff = func() backoff.BackOff { return backoff.NewConstantBackOff(time.Millisecond) }
	return c
}

func TestModelAnswers(t *testing.T) {
	text := emotion.Text{Title: "혼자", Content: "요즘 너무 외로워."}
	tests := []struct {
		name      string
		replies   []func(http.ResponseWriter, *http.Request)
		wantMood  string
		wantCalls int32
		wantErr   error // nil: a verdict
	}{
		{"a good answer", []func(http.ResponseWriter, *http.Request){content(good)}, "sadness", 1, nil},
		{"429 then success", []func(http.ResponseWriter, *http.Request){status(429), status(503), content(good)}, "sadness", 3, nil},
		{"garbage", []func(http.ResponseWriter, *http.Request){content("I think the writer feels sad.")}, "", 1, emotion.ErrModelAnswer},
		{"an unknown mood", []func(http.ResponseWriter, *http.Request){content(`{"mood":"melancholy","detailed_mood":null,"scores":{"joy":0,"sadness":1,"anger":0,"anxiety":0,"love":0,"neutral":0}}`)}, "", 1, emotion.ErrModelAnswer},
		{"a sub-mood of another mood", []func(http.ResponseWriter, *http.Request){content(`{"mood":"joy","detailed_mood":"rage","scores":{"joy":1,"sadness":0,"anger":0,"anxiety":0,"love":0,"neutral":0}}`)}, "", 1, emotion.ErrModelAnswer},
		{"scores missing a mood", []func(http.ResponseWriter, *http.Request){content(`{"mood":"joy","detailed_mood":"gratitude","scores":{"joy":1}}`)}, "", 1, emotion.ErrModelAnswer},
		{"a refused key is not retried", []func(http.ResponseWriter, *http.Request){status(401)}, "", 1, errAny},
		{"429 every time gives up after the retries", []func(http.ResponseWriter, *http.Request){status(429)}, "", 4, errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeModel{replies: tt.replies}
			v, err := newClient(t, f, 5*time.Second).Analyze(context.Background(), text)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("error %v, want a verdict", err)
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if got := f.calls.Load(); got != tt.wantCalls {
				t.Errorf("%d calls, want %d", got, tt.wantCalls)
			}
			if tt.wantErr != nil {
				return
			}
			if v.Mood != tt.wantMood || v.Detailed != "loneliness" || v.Analyzer != "model:fake-1" {
				t.Errorf("verdict %+v", v)
			}
			sum := 0.0
			for _, s := range v.Scores {
				sum += s
			}
			if sum < 0.999 || sum > 1.001 {
				t.Errorf("scores sum to %v, want 1", sum)
			}
		})
	}
}

var errAny = errors.New("any error")

func TestModelAsksForTheSchema(t *testing.T) {
	f := &fakeModel{replies: []func(http.ResponseWriter, *http.Request){content(good)}}
	if _, err := newClient(t, f, 5*time.Second).Analyze(context.Background(), emotion.Text{Title: "t", Content: "c"}); err != nil {
		t.Fatal(err)
	}
	var req struct {
		Model          string `json:"model"`
		ResponseFormat struct {
			Type       string `json:"type"`
			JSONSchema struct {
				Strict bool            `json:"strict"`
				Schema json.RawMessage `json:"schema"`
			} `json:"json_schema"`
		} `json:"response_format"`
	}
	if err := json.Unmarshal(f.last.Load().([]byte), &req); err != nil {
		t.Fatal(err)
	}
	if req.Model != "fake-1" || req.ResponseFormat.Type != "json_schema" || !req.ResponseFormat.JSONSchema.Strict {
		t.Errorf("request %+v", req)
	}
	var s struct {
		Properties struct {
			Mood struct {
				Enum []string `json:"enum"`
			} `json:"mood"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(req.ResponseFormat.JSONSchema.Schema, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Properties.Mood.Enum) != len(analyzer.Moods) {
		t.Errorf("schema moods %v", s.Properties.Mood.Enum)
	}
}

// A model that hangs past the timeout: the embedded analyzer decides, and
// the verdict says why.
func TestHangingModelFallsBackToEmbedded(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	f := &fakeModel{replies: []func(http.ResponseWriter, *http.Request){hang(release)}}
	a, err := analyzer.New()
	if err != nil {
		t.Fatal(err)
	}
	fb := emotion.Fallback{Model: newClient(t, f, 200*time.Millisecond), Embedded: emotion.Embedded{A: a}, Log: slog.New(slog.DiscardHandler)}
	v, err := fb.Analyze(context.Background(), emotion.Text{Title: "감사", Content: "정말 고마워요. 덕분에 행복했어요."})
	if err != nil {
		t.Fatal(err)
	}
	if v.Fallback != "model timed out" || v.Analyzer == "model:fake-1" {
		t.Errorf("verdict %+v, want the embedded analyzer after a timeout", v)
	}
	if v.Mood != "joy" {
		t.Errorf("embedded mood %q, want joy", v.Mood)
	}
}

func TestGarbageFallsBackToEmbedded(t *testing.T) {
	f := &fakeModel{replies: []func(http.ResponseWriter, *http.Request){content("no json here")}}
	a, err := analyzer.New()
	if err != nil {
		t.Fatal(err)
	}
	fb := emotion.Fallback{Model: newClient(t, f, 5*time.Second), Embedded: emotion.Embedded{A: a}, Log: slog.New(slog.DiscardHandler)}
	v, err := fb.Analyze(context.Background(), emotion.Text{Title: "", Content: "I miss you so much. I feel so lonely without you."})
	if err != nil {
		t.Fatal(err)
	}
	if v.Fallback != "model answer invalid" || v.Mood != "sadness" {
		t.Errorf("verdict %+v", v)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"off", Config{}, true},
		{"on", Config{Config: llm.Config{BaseURL: "http://127.0.0.1:11434/v1", Model: "llama3"}, Timeout: time.Second, Concurrency: 1}, true},
		{"half set", Config{Config: llm.Config{Model: "gpt-4o-mini"}}, false},
		{"no concurrency", Config{Config: llm.Config{BaseURL: "http://x", Model: "m"}, Timeout: time.Second}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
