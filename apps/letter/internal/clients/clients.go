// Package clients calls the services letter-service depends on, through
// the Dapr sidecar: user-service for the writer's timezone and
// letter-storage-service to attach and detach images.
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
)

// App ids of the services called.
const (
	UserService    = "user-service"
	StorageService = "letter-storage-service"
)

// ErrUnavailable: the other service could not answer; the request fails
// with 503 rather than guessing.
var ErrUnavailable = errors.New("a service this needs is unavailable")

// ErrImagesRejected: letter-storage refused the image ids (not the
// writer's, already attached, unknown). Its message is in ImagesError.
var ErrImagesRejected = errors.New("images rejected")

// ImagesError is ErrImagesRejected with letter-storage's explanation.
type ImagesError struct{ Message string }

func (e *ImagesError) Error() string { return "images rejected: " + e.Message }

// Unwrap makes errors.Is(err, ErrImagesRejected) true.
func (e *ImagesError) Unwrap() error { return ErrImagesRejected }

// Getter invokes GET on another app (daprx.Sidecar is one).
type Getter interface {
	Get(ctx context.Context, app, path string) ([]byte, error)
}

// Users asks user-service about writers.
type Users struct {
	get Getter
}

// NewUsers returns a client invoking through get.
func NewUsers(get Getter) *Users { return &Users{get: get} }

// Timezone returns the writer's IANA zone name; "" when user-service has
// no profile for them (yet), so the caller applies the default. Any other
// failure is ErrUnavailable.
func (u *Users) Timezone(ctx context.Context, userID uuid.UUID) (string, error) {
	body, err := u.get.Get(ctx, UserService, "/internal/users/"+userID.String()+"/contact")
	var se *daprx.StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("%w: user-service: %w", ErrUnavailable, err)
	}
	var contact struct {
		Timezone string `json:"timezone"`
	}
	if err := json.Unmarshal(body, &contact); err != nil {
		return "", fmt.Errorf("%w: user-service contact: %w", ErrUnavailable, err)
	}
	return contact.Timezone, nil
}

// Storage calls letter-storage-service's internal image endpoints through
// the sidecar's HTTP API (daprx only offers GET).
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
		return &ImagesError{Message: msg}
	default:
		return fmt.Errorf("%w: letter-storage attach: %w", ErrUnavailable, err)
	}
}

// Detach undoes Attach for letterID.
func (s *Storage) Detach(ctx context.Context, letterID uuid.UUID) error {
	if _, err := s.post.Post(ctx, StorageService, "/internal/images/detach", map[string]uuid.UUID{"letter_id": letterID}); err != nil {
		return fmt.Errorf("%w: letter-storage detach: %w", ErrUnavailable, err)
	}
	return nil
}
