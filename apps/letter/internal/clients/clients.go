// Package clients calls letter-storage-service, through the Dapr sidecar,
// to attach and detach images (the writer's timezone comes from the
// platform's contact lookup).
package clients

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprx"

	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
)

// StorageService is letter-storage-service's app id.
const StorageService = "letter-storage-service"

// Storage implements letter.Images with letter-storage-service's internal
// image endpoints, through Dapr service invocation.
type Storage struct {
	post Poster
}

// Poster sends a JSON POST to another service through Dapr; the sidecar
// handle (daprx.Sidecar) is one.
type Poster interface {
	Post(ctx context.Context, app, path string, body any) ([]byte, error)
}

// NewStorage returns a client posting through post.
func NewStorage(post Poster) *Storage {
	return &Storage{post: post}
}

type attachRequest struct {
	UserID   uuid.UUID   `json:"user_id"`
	LetterID uuid.UUID   `json:"letter_id"`
	ImageIDs []uuid.UUID `json:"image_ids"`
	OpenAt   string      `json:"open_at"`
}

// Attach marks images as letterID's, opening at openAt. All of them must
// be userID's and unattached, or none is attached (*ImagesError).
func (s *Storage) Attach(ctx context.Context, userID, letterID uuid.UUID, images []uuid.UUID, openAt time.Time) error {
	_, err := s.post.Post(ctx, StorageService, "/internal/images/attach", attachRequest{
		UserID: userID, LetterID: letterID, ImageIDs: images, OpenAt: openAt.UTC().Format(time.RFC3339),
	})
	var se *daprx.StatusError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && (se.Status == http.StatusUnprocessableEntity || se.Status == http.StatusBadRequest):
		var p struct {
			Errors map[string]string `json:"errors"`
		}
		_ = json.Unmarshal(se.Body, &p)
		msg := p.Errors["image_ids"]
		if msg == "" {
			msg = "must be images you uploaded that no other letter uses"
		}
		return &letter.ImagesError{Message: msg}
	default:
		return fmt.Errorf("%w: letter-storage attach: %w", letter.ErrUnavailable, err)
	}
}

// Detach undoes Attach for letterID.
func (s *Storage) Detach(ctx context.Context, letterID uuid.UUID) error {
	if _, err := s.post.Post(ctx, StorageService, "/internal/images/detach", map[string]uuid.UUID{"letter_id": letterID}); err != nil {
		return fmt.Errorf("%w: letter-storage detach: %w", letter.ErrUnavailable, err)
	}
	return nil
}
