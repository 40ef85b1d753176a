// Package model asks an OpenAI-compatible chat model (OpenAI, Azure,
// Ollama, vLLM: a base URL, a model name, a key) for a few extra items in
// the catalog's shape. It only transports and decodes: whether an item is
// acceptable is decided by the app package, which validates everything the
// model says.
package model

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/lettertomyself/ltm/apps/platform/llm"

	"github.com/lettertomyself/ltm/apps/recommend/internal/app"
	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
)

// Config is the model's settings: the connection every service shares,
// and how long recommend waits for it.
type Config struct {
	llm.Config
	// Wait is how long one answer waits for the model; Timeout bounds the
	// call itself, which may finish after the answer and fill the cache.
	Wait    time.Duration `env:"MODEL_WAIT" envDefault:"2s"`
	Timeout time.Duration `env:"MODEL_TIMEOUT" envDefault:"20s"`
}

// Validate checks the settings that matter when the model is on.
func (c Config) Validate() error {
	if err := c.Config.Validate(); err != nil || !c.Enabled() {
		return err
	}
	if c.Wait <= 0 || c.Timeout < c.Wait {
		return fmt.Errorf("MODEL_WAIT (%s) must be positive and at most MODEL_TIMEOUT (%s)", c.Wait, c.Timeout)
	}
	return nil
}

// Client implements app.Suggester.
type Client struct {
	cfg Config
	api *llm.Lazy
}

// New returns a client for cfg. The key is cfg.APIKey when set, otherwise
// it is read from key (openai-api-key in the secret store) on first use:
// the sidecar is not up when New runs.
func New(cfg Config, key llm.KeySource) *Client {
	return &Client{cfg: cfg, api: llm.NewLazy(cfg.Config, key, &http.Client{Timeout: cfg.Timeout})}
}

const system = `You recommend real, existing works and simple activities to someone who keeps a private diary of letters to their future self.
Only name works that really exist, with their real creator and year of first release. Never invent a title.
Answer with one JSON object and nothing else:
{"items":[{"type":"movie|music|book|activity","title_ko":"Korean title (in Hangul)","title_en":"English title","original_title":"title in the original language","creator":"director, artist or author (empty for an activity)","year":1999,"tags":["lowercase-tag"],"reason_ko":"one short line in Korean","reason_en":"one short line in English"}]}
An activity has no creator and year 0. Tags are 1 to 4 lowercase English words joined by hyphens.`

// answer is the object the model is asked for.
type answer struct {
	Items []struct {
		Type          string   `json:"type"`
		TitleKo       string   `json:"title_ko"`
		TitleEn       string   `json:"title_en"`
		OriginalTitle string   `json:"original_title"`
		Creator       string   `json:"creator"`
		Year          int      `json:"year"`
		Tags          []string `json:"tags"`
		ReasonKo      string   `json:"reason_ko"`
		ReasonEn      string   `json:"reason_en"`
	} `json:"items"`
}

// Suggest asks for req.Max items for req.Mood. Items with an unknown type
// are left out here; everything else is the caller's to validate.
func (c *Client) Suggest(ctx context.Context, req app.SuggestRequest) ([]catalog.Item, error) {
	types := make([]string, len(req.Types))
	for i, t := range req.Types {
		types[i] = string(t)
	}
	user := fmt.Sprintf("Recent mood: %s. Suggest %d items, of the types %s, that suit this mood.",
		req.Mood, req.Max, strings.Join(types, ", "))
	if len(req.Avoid) > 0 {
		// Normalised titles the user disliked; the app filters them
		// anyway, this only saves a wasted suggestion.
		user += " Do not suggest anything titled like: " + strings.Join(req.Avoid, "; ") + "."
	}
	api, err := c.api.Client(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := api.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model: c.cfg.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
		ResponseFormat: &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject},
		Temperature:    0.7,
	})
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if len(resp.Choices) == 0 {
		return nil, errors.New("model: no choices in the answer")
	}
	var a answer
	content := strings.TrimSpace(resp.Choices[0].Message.Content)
	// Some servers wrap JSON in a Markdown fence despite the format.
	content = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(content, "```json"), "```"), "```")
	if err := json.Unmarshal([]byte(content), &a); err != nil {
		return nil, fmt.Errorf("model: answer is not the JSON asked for: %w", err)
	}
	out := make([]catalog.Item, 0, len(a.Items))
	for _, x := range a.Items {
		t, err := catalog.ParseType(x.Type)
		if err != nil {
			continue
		}
		out = append(out, catalog.Item{
			Type: t, TitleKo: x.TitleKo, TitleEn: x.TitleEn, OriginalTitle: x.OriginalTitle,
			Creator: x.Creator, Year: x.Year, Tags: x.Tags, ReasonKo: x.ReasonKo, ReasonEn: x.ReasonEn,
		})
	}
	return out, nil
}
