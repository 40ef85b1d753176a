package letter_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/clock"

	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
)

type failingStore struct{ letter.Store }

var errGone = errors.New("database gone")

func (failingStore) Create(context.Context, letter.Letter) error { return errGone }

type zoneOf string

func (z zoneOf) Zone(context.Context, string) (*time.Location, error) {
	if z == "" {
		return nil, errors.New("user-service unreachable")
	}
	return time.LoadLocation(string(z))
}

type images struct{ attached, detached []uuid.UUID }

func (i *images) Attach(_ context.Context, _, letterID uuid.UUID, _ []uuid.UUID, _ time.Time) error {
	i.attached = append(i.attached, letterID)
	return nil
}

func (i *images) Detach(_ context.Context, letterID uuid.UUID) error {
	i.detached = append(i.detached, letterID)
	return nil
}

func newWriter(store letter.Store, zone zoneOf, imgs *images) *letter.Writer {
	return &letter.Writer{
		Store: store, Zones: zone, Images: imgs,
		Clock: clock.NewFake(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)),
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// A letter whose insert fails gives its images back.
func TestWriteDetachesImagesWhenTheInsertFails(t *testing.T) {
	imgs := &images{}
	draft := letter.Draft{Title: "t", Content: "c", OpenDate: "2026-03-11", ImageIDs: []string{uuid.NewString()}}
	_, err := newWriter(failingStore{}, "Asia/Seoul", imgs).Write(context.Background(), uuid.New(), draft)
	if !errors.Is(err, errGone) {
		t.Fatalf("Write: %v, want the store's error", err)
	}
	if len(imgs.attached) != 1 || len(imgs.detached) != 1 || imgs.attached[0] != imgs.detached[0] {
		t.Errorf("attached %v, detached %v; want the same letter detached", imgs.attached, imgs.detached)
	}
}

// Without the writer's zone nothing is attached or stored: the request
// fails as unavailable instead of guessing a zone.
func TestWriteFailsWithoutTheZone(t *testing.T) {
	imgs := &images{}
	draft := letter.Draft{Title: "t", Content: "c", OpenDate: "2026-03-11", ImageIDs: []string{uuid.NewString()}}
	_, err := newWriter(failingStore{}, "", imgs).Write(context.Background(), uuid.New(), draft)
	if !errors.Is(err, letter.ErrUnavailable) || len(imgs.attached) != 0 {
		t.Errorf("Write: %v, attached %v; want ErrUnavailable before any attach", err, imgs.attached)
	}
}
