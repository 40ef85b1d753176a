// Package moods asks emotion-store-service for a user's recent mood (GET
// /internal/users/{id}/mood through Dapr service invocation). The answer
// must come quickly: recommendations fall back to neutral rather than
// wait for a slow or missing emotion-store.
package moods

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// AppID is emotion-store-service's Dapr app id.
const AppID = "emotion-store-service"

// Getter performs GET path on app through the sidecar; daprx.Sidecar.Get
// is one.
type Getter func(ctx context.Context, app, path string) ([]byte, error)

// Client implements app.Moods.
type Client struct {
	get     Getter
	timeout time.Duration
}

// New returns a client that gives emotion-store timeout to answer.
func New(get Getter, timeout time.Duration) *Client {
	return &Client{get: get, timeout: timeout}
}

// Recent returns userID's recent mood and emotion-store's reason for it,
// as emotion-store words them. Whether the mood is one the catalog knows
// is the caller's rule, not this adapter's.
func (c *Client) Recent(ctx context.Context, userID string) (mood, because string, err error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	body, err := c.get(ctx, AppID, "/internal/users/"+url.PathEscape(userID)+"/mood")
	if err != nil {
		return "", "", fmt.Errorf("recent mood: %w", err)
	}
	var dto struct {
		Mood    string          `json:"mood"`
		Because json.RawMessage `json:"because"`
	}
	if err := json.Unmarshal(body, &dto); err != nil {
		return "", "", fmt.Errorf("recent mood: decode: %w", err)
	}
	// The contract says only {mood, because}; a reason that is not a
	// plain string is not worth losing the mood over.
	_ = json.Unmarshal(dto.Because, &because)
	return dto.Mood, because, nil
}
