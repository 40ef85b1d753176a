// Package letters reads a letter's text from letter-service by service
// invocation (GET /internal/letters/{id}/text, which answers emotion-ml
// only). The text is handed to the analyzer and nowhere else.
package letters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/emotion"
)

// App is letter-service's app id.
const App = "letter-service"

// Getter is the part of the sidecar this needs.
type Getter interface {
	Get(ctx context.Context, app, path string) ([]byte, error)
}

// Client implements emotion.Letters.
type Client struct{ sidecar Getter }

// New returns a client calling through sidecar.
func New(sidecar Getter) *Client { return &Client{sidecar: sidecar} }

// NotFoundType is the problem type letter-service answers for a letter
// that does not exist. Only it means "gone": a 404 of any other kind (a
// route missing during a rolling update) is an error worth retrying.
var NotFoundType = problem.TypeURI("letter-not-found")

// Text implements emotion.Letters.
func (c *Client) Text(ctx context.Context, letterID uuid.UUID) (emotion.Text, error) {
	body, err := c.sidecar.Get(ctx, App, "/internal/letters/"+letterID.String()+"/text")
	var se *daprx.StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotFound && problem.TypeOf(se.Body) == NotFoundType {
		return emotion.Text{}, fmt.Errorf("letter %s: %w", letterID, emotion.ErrLetterGone)
	}
	if err != nil {
		return emotion.Text{}, fmt.Errorf("read letter %s: %w", letterID, err)
	}
	var out struct {
		Title     string    `json:"title"`
		Content   string    `json:"content"`
		WrittenAt time.Time `json:"written_at"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return emotion.Text{}, fmt.Errorf("read letter %s: undecodable answer", letterID)
	}
	return emotion.Text{Title: out.Title, Content: out.Content, WrittenAt: out.WrittenAt}, nil
}
