// Package model asks an OpenAI-compatible chat model (OpenAI, Azure,
// Ollama, vLLM: a base URL, a model name, a key) for a letter's mood as a
// structured answer. It transports, bounds and retries; every answer is
// checked against the mood set by the emotion package, and any failure is
// the caller's cue to let the embedded analyzer decide.
package model

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	openai "github.com/sashabaranov/go-openai"

	"github.com/lettertomyself/ltm/apps/platform/llm"

	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/analyzer"
	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/emotion"
)

// Config is the model's settings: the connection every service shares,
// and how emotion-ml bounds it.
type Config struct {
	llm.Config
	// Timeout bounds one analysis, retries included; then the embedded
	// analyzer decides. It stays below the 15 s invocation timeout
	// (components/resiliency.yaml) of a re-analysis request.
	Timeout time.Duration `env:"OPENAI_TIMEOUT" envDefault:"10s"`
	// Concurrency bounds the calls in flight, so a burst of letters (a
	// re-analysis) does not run into the provider's rate limit at once.
	Concurrency int `env:"OPENAI_CONCURRENCY" envDefault:"4"`
	// Retries is how many times a 429 or 5xx is retried, with backoff.
	Retries int `env:"OPENAI_RETRIES" envDefault:"3"`
}

// Validate checks the settings when the model is on.
func (c Config) Validate() error {
	if err := c.Config.Validate(); err != nil || !c.Enabled() {
		return err
	}
	var errs []error
	if c.Timeout <= 0 {
		errs = append(errs, errors.New("OPENAI_TIMEOUT must be positive"))
	}
	if c.Concurrency < 1 {
		errs = append(errs, errors.New("OPENAI_CONCURRENCY must be at least 1"))
	}
	if c.Retries < 0 {
		errs = append(errs, errors.New("OPENAI_RETRIES must not be negative"))
	}
	return errors.Join(errs...)
}

// Client implements emotion.Analyzer with a chat model.
type Client struct {
	cfg     Config
	api     *llm.Lazy
	slots   chan struct{}
	backoff func() backoff.BackOff
}

// New returns a client for cfg. The key is cfg.APIKey when set, otherwise
// it is read from key on first use (the sidecar is not up when New runs).
func New(cfg Config, key llm.KeySource) *Client {
	return &Client{
		cfg:   cfg,
		api:   llm.NewLazy(cfg.Config, key, nil),
		slots: make(chan struct{}, cfg.Concurrency),
		backoff: func() backoff.BackOff {
			b := backoff.NewExponentialBackOff()
			b.InitialInterval = 250 * time.Millisecond
			b.MaxInterval = 2 * time.Second
			return b
		},
	}
}

const system = `You read a private letter that someone wrote to their future self, in Korean, English or both, and name the feeling of the writer when writing it.
Answer with one JSON object that follows the schema: the mood, the sub-mood of that mood (null for neutral), and a score from 0 to 1 for every mood.
Moods and their sub-moods:
joy: ecstasy, satisfaction, gratitude, excitement
sadness: loneliness, loss, regret
anger: annoyance, rage, resentment
anxiety: fear, nervousness, restlessness
love: romance, friendship, respect
neutral: (none)
Read negation ("not sad anymore", "안 슬퍼"), contrast (what follows "but" or "지만" weighs more) and feelings reported about other people (they are not the writer's).`

// answer is the structured answer asked for.
type answer struct {
	Mood     string             `json:"mood"`
	Detailed *string            `json:"detailed_mood"`
	Scores   map[string]float64 `json:"scores"`
}

// schema is the JSON schema of answer, strict: every field required.
func schema() json.RawMessage {
	subs := []any{nil}
	for _, m := range analyzer.Moods {
		for _, s := range analyzer.SubMoods(m) {
			subs = append(subs, s)
		}
	}
	scoreProps := map[string]any{}
	for _, m := range analyzer.Moods {
		scoreProps[m] = map[string]any{"type": "number"}
	}
	s := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"mood":          map[string]any{"type": "string", "enum": analyzer.Moods},
			"detailed_mood": map[string]any{"type": []string{"string", "null"}, "enum": subs},
			"scores": map[string]any{
				"type": "object", "properties": scoreProps,
				"required": analyzer.Moods, "additionalProperties": false,
			},
		},
		"required":             []string{"mood", "detailed_mood", "scores"},
		"additionalProperties": false,
	}
	b, _ := json.Marshal(s)
	return b
}

var answerSchema = schema()

// Analyze implements emotion.Analyzer. Errors wrap emotion.ErrModelAnswer
// when the model answered something that is not a verdict.
func (c *Client) Analyze(ctx context.Context, t emotion.Text) (emotion.Verdict, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	case <-ctx.Done():
		return emotion.Verdict{}, ctx.Err()
	}
	req := openai.ChatCompletionRequest{
		Model: c.cfg.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: "Title: " + t.Title + "\n\n" + t.Content},
		},
		Temperature: 0,
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name: "letter_mood", Schema: answerSchema, Strict: true,
			},
		},
	}
	api, err := c.api.Client(ctx)
	if err != nil {
		return emotion.Verdict{}, err
	}
	var resp openai.ChatCompletionResponse
	op := func() error {
		var err error
		resp, err = api.CreateChatCompletion(ctx, req)
		if err != nil && !retryable(err) {
			return backoff.Permanent(err)
		}
		return err
	}
	policy := backoff.WithContext(backoff.WithMaxRetries(c.backoff(), uint64(c.cfg.Retries)), ctx)
	if err := backoff.Retry(op, policy); err != nil {
		if ctx.Err() != nil {
			return emotion.Verdict{}, fmt.Errorf("model: %w", context.DeadlineExceeded)
		}
		return emotion.Verdict{}, fmt.Errorf("model: %w", err)
	}
	if len(resp.Choices) == 0 {
		return emotion.Verdict{}, fmt.Errorf("%w: no choices", emotion.ErrModelAnswer)
	}
	var a answer
	content := strings.TrimSpace(resp.Choices[0].Message.Content)
	if err := json.Unmarshal([]byte(content), &a); err != nil {
		return emotion.Verdict{}, fmt.Errorf("%w: not the JSON asked for", emotion.ErrModelAnswer)
	}
	detailed := ""
	if a.Detailed != nil {
		detailed = *a.Detailed
	}
	v, err := emotion.NewVerdict(a.Mood, detailed, a.Scores, "model:"+c.cfg.Model)
	if err != nil {
		return emotion.Verdict{}, fmt.Errorf("%w: %w", emotion.ErrModelAnswer, err)
	}
	return v, nil
}

// retryable: rate limits and server errors may pass; anything else (a bad
// key, a model that does not exist, a refused request) will not.
func retryable(err error) bool {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode == http.StatusTooManyRequests || apiErr.HTTPStatusCode >= 500
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode == http.StatusTooManyRequests || reqErr.HTTPStatusCode >= 500
	}
	// Transport errors (connection refused or reset) are worth another try.
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}
