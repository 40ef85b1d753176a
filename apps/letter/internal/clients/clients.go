// Package clients calls the services letter-service depends on, through
// the Dapr sidecar: user-service for the writer's timezone and
// letter-storage-service to attach and detach images.
package clients

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/logging"
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
	endpoint string // sidecar HTTP API base
	http     *http.Client
}

// NewStorage returns a client posting through the sidecar at endpoint.
func NewStorage(endpoint string) *Storage {
	return &Storage{endpoint: endpoint, http: &http.Client{Timeout: 20 * time.Second}}
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
	status, body, err := s.post(ctx, "internal/images/attach", attachRequest{
		UserID: userID, LetterID: letterID, ImageIDs: images, OpenAt: openAt.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return err
	}
	switch {
	case status >= 200 && status < 300:
		return nil
	case status == http.StatusUnprocessableEntity, status == http.StatusBadRequest:
		var p struct {
			Detail string            `json:"detail"`
			Errors map[string]string `json:"errors"`
		}
		_ = json.Unmarshal(body, &p)
		msg := p.Errors["image_ids"]
		if msg == "" {
			msg = "must be images you uploaded that no other letter uses"
		}
		return &ImagesError{Message: msg}
	default:
		return fmt.Errorf("%w: letter-storage attach: status %d", ErrUnavailable, status)
	}
}

// Detach undoes Attach for letterID.
func (s *Storage) Detach(ctx context.Context, letterID uuid.UUID) error {
	status, _, err := s.post(ctx, "internal/images/detach", map[string]uuid.UUID{"letter_id": letterID})
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("%w: letter-storage detach: status %d", ErrUnavailable, status)
	}
	return nil
}

func (s *Storage) post(ctx context.Context, method string, v any) (int, []byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, nil, err
	}
	url := s.endpoint + "/v1.0/invoke/" + StorageService + "/method/" + method
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if id := logging.RequestID(ctx); id != "" {
		req.Header.Set("X-Request-ID", id)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: letter-storage %s: %w", ErrUnavailable, method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, nil, fmt.Errorf("%w: letter-storage %s: %w", ErrUnavailable, method, err)
	}
	return resp.StatusCode, body, nil
}
