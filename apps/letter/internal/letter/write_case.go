package letter

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/clock"
)

// Writer is the use case of writing a letter: validated in the writer's
// timezone, its images attached in letter-storage first, then stored with
// letter.created; when storing fails the attach is undone.
type Writer struct {
	Store  Store
	Zones  Zones
	Images Images
	Clock  clock.Clock
	Log    *slog.Logger
}

// Write validates d for userID and stores the letter.
func (w *Writer) Write(ctx context.Context, userID uuid.UUID, d Draft) (Letter, error) {
	loc, err := w.Zone(ctx, userID)
	if err != nil {
		return Letter{}, err
	}
	l, err := New(uuid.New(), userID, d, loc, w.Clock.Now())
	if err != nil {
		return Letter{}, err
	}
	images := l.ImageIDs()
	if len(images) > 0 {
		if err := w.Images.Attach(ctx, userID, l.ID(), images, l.OpenAt()); err != nil {
			return Letter{}, err
		}
	}
	if err := w.Store.Create(ctx, l); err != nil {
		if len(images) > 0 {
			w.detach(ctx, l.ID())
		}
		return Letter{}, err
	}
	return l, nil
}

// Zone is the writer's current timezone; a failed lookup is
// ErrUnavailable.
func (w *Writer) Zone(ctx context.Context, userID uuid.UUID) (*time.Location, error) {
	loc, err := w.Zones.Zone(ctx, userID.String())
	if err != nil {
		return nil, fmt.Errorf("%w: timezone: %w", ErrUnavailable, err)
	}
	return loc, nil
}

// detach releases images attached to a letter that was never stored, so
// the writer can use them again, even if the request is gone. Best effort:
// if it fails the images stay attached to a letter that does not exist,
// and the log line says which.
func (w *Writer) detach(ctx context.Context, letterID uuid.UUID) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := w.Images.Detach(ctx, letterID); err != nil {
		w.Log.ErrorContext(ctx, "images stay attached to a letter that was not stored", "letter_id", letterID, "err", err)
	}
}
