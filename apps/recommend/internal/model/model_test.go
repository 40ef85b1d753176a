package model_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/llm"
	"github.com/lettertomyself/ltm/apps/recommend/internal/app"
	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
	"github.com/lettertomyself/ltm/apps/recommend/internal/model"
)

// server answers every chat completion with content; auth, when not nil,
// receives the Authorization header of the last call.
func server(t *testing.T, content string, choices bool, auth ...*string) model.Config {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		for _, a := range auth {
			*a = r.Header.Get("Authorization")
		}
		w.Header().Set("Content-Type", "application/json")
		if !choices {
			fmt.Fprint(w, `{"id":"x","object":"chat.completion","choices":[]}`)
			return
		}
		c, _ := json.Marshal(content)
		fmt.Fprintf(w, `{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}]}`, c)
	}))
	t.Cleanup(srv.Close)
	return model.Config{Config: llm.Config{BaseURL: srv.URL + "/v1/", Model: "m"}, Wait: time.Second, Timeout: 5 * time.Second}
}

const song = `{"items":[{"type":"music","title_ko":"픽스 유","title_en":"Fix You","original_title":"Fix You","creator":"Coldplay","year":2005,"tags":["comfort"],"reason_ko":"위로","reason_en":"Comfort"},{"type":"podcast","title_en":"x"}]}`

func TestSuggest(t *testing.T) {
	req := app.SuggestRequest{Mood: catalog.Sadness, Types: catalog.Types, Max: 4}
	tests := []struct {
		name    string
		content string
		choices bool
		want    int
		wantErr bool
	}{
		{"JSON object; an unknown type left out", song, true, 1, false},
		{"JSON in a Markdown fence", "```json\n" + song + "\n```", true, 1, false},
		{"prose", "Here are some songs: Fix You.", true, 0, true},
		{"no choices", "", false, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := model.New(server(t, tt.content, tt.choices), nil).Suggest(context.Background(), req)
			if (err != nil) != tt.wantErr || len(items) != tt.want {
				t.Fatalf("got %+v, %v; want %d items, error %v", items, err, tt.want, tt.wantErr)
			}
			if tt.want == 1 && (items[0].Type != catalog.Music || items[0].OriginalTitle != "Fix You" || items[0].Year != 2005 || items[0].TitleKo != "픽스 유") {
				t.Errorf("item = %+v", items[0])
			}
		})
	}
}

func TestKeyFromEnvElseSecretStore(t *testing.T) {
	req := app.SuggestRequest{Mood: catalog.Joy, Types: catalog.Types, Max: 2}
	fromStore := func(context.Context) (string, error) { return "sk-from-store", nil }

	var auth string
	cfg := server(t, song, true, &auth)
	cfg.APIKey = "sk-from-env"
	if _, err := model.New(cfg, fromStore).Suggest(context.Background(), req); err != nil || auth != "Bearer sk-from-env" {
		t.Errorf("with OPENAI_API_KEY: %v, sent %q", err, auth)
	}

	cfg = server(t, song, true, &auth)
	if _, err := model.New(cfg, fromStore).Suggest(context.Background(), req); err != nil || auth != "Bearer sk-from-store" {
		t.Errorf("from the secret store: %v, sent %q", err, auth)
	}

	broken := func(context.Context) (string, error) { return "", errors.New("sidecar not ready") }
	if _, err := model.New(server(t, song, true), broken).Suggest(context.Background(), req); err == nil {
		t.Error("a key that cannot be read gave no error")
	}
}
