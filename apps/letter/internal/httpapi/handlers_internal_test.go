package httpapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/httpx"

	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
)

type failingStore struct{ Store }

func (failingStore) Create(context.Context, letter.Letter) error { return errors.New("database gone") }

type zoneOf string

func (z zoneOf) Timezone(context.Context, uuid.UUID) (string, error) { return string(z), nil }

type images struct{ attached, detached []uuid.UUID }

func (i *images) Attach(_ context.Context, _, letterID uuid.UUID, _ []uuid.UUID, _ time.Time) error {
	i.attached = append(i.attached, letterID)
	return nil
}

func (i *images) Detach(_ context.Context, letterID uuid.UUID) error {
	i.detached = append(i.detached, letterID)
	return nil
}

// A letter whose insert fails gives its images back.
func TestCreateDetachesImagesWhenTheInsertFails(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	imgs := &images{}
	h := &handlers{store: failingStore{}, users: zoneOf("Asia/Seoul"), storage: imgs,
		clock: clock.NewFake(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)), defaultTZ: "Asia/Seoul", log: log}
	r := httpx.NewRouter(log)
	user := uuid.New()
	r.POST("/api/letters", func(c *gin.Context) {
		c.Request = c.Request.WithContext(authn.WithUserID(c.Request.Context(), user.String()))
	}, h.create)

	body := `{"title":"t","content":"c","open_date":"2026-03-11","image_ids":["` + uuid.NewString() + `"]}`
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/letters", strings.NewReader(body)))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if len(imgs.attached) != 1 || len(imgs.detached) != 1 || imgs.attached[0] != imgs.detached[0] {
		t.Errorf("attached %v, detached %v; want the same letter detached", imgs.attached, imgs.detached)
	}
}
