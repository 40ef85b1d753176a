// Package avatars is user-service's client of letter-storage-service's
// profile-picture endpoint (POST /internal/images/avatar, through Dapr).
package avatars

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprx"

	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

// App is letter-storage-service's app id.
const App = "letter-storage-service"

// Poster is the part of the sidecar this needs; daprx.Sidecar is one.
type Poster interface {
	Post(ctx context.Context, app, path string, body any) ([]byte, error)
}

// Client implements profile.Avatars.
type Client struct{ sidecar Poster }

// New returns a client calling through sidecar.
func New(sidecar Poster) *Client { return &Client{sidecar: sidecar} }

// Claim implements profile.Avatars: 404 (not the user's) and 422 (on a
// letter) are the user's mistake; anything else is an error.
func (c *Client) Claim(ctx context.Context, userID uuid.UUID, imageID *uuid.UUID) error {
	body := map[string]any{"user_id": userID, "image_id": imageID}
	_, err := c.sidecar.Post(ctx, App, "/internal/images/avatar", body)
	var se *daprx.StatusError
	if errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusUnprocessableEntity) {
		return profile.ErrNotYourImage
	}
	if err != nil {
		return fmt.Errorf("profile picture: %w", err)
	}
	return nil
}
