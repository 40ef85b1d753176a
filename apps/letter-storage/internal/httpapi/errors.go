package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/letter-storage/internal/image"
)

// fail maps every domain error to its problem answer; this is the only
// place that does.
func fail(c *gin.Context, log *slog.Logger, err error, maxBytes int64) {
	var sealed *image.SealedError
	var quota *image.QuotaError
	var attach *image.AttachError
	switch {
	case errors.As(err, &sealed):
		httpx.Abort(c, problem.Typed(http.StatusLocked, "sealed", "This image is sealed.",
			"Its letter opens at "+sealed.OpenAt.UTC().Format(time.RFC3339)+".").
			With("open_at", sealed.OpenAt.UTC().Format(time.RFC3339)))
	case errors.Is(err, image.ErrOnALetter):
		httpx.Abort(c, problem.Typed(http.StatusUnprocessableEntity, "image-on-a-letter", "This image belongs to a letter.",
			"An image of a letter cannot be a profile picture; upload it again."))
	case errors.Is(err, image.ErrNotFound):
		httpx.Abort(c, problem.New(http.StatusNotFound, "There is no such image."))
	case errors.Is(err, image.ErrTooLarge):
		httpx.Abort(c, problem.Typed(http.StatusRequestEntityTooLarge, "image-too-large", "The image is too large.",
			fmt.Sprintf("An image may have at most %d bytes.", maxBytes)).With("max_bytes", maxBytes))
	case errors.As(err, &quota):
		httpx.Abort(c, problem.Typed(http.StatusRequestEntityTooLarge, "image-quota-exceeded", "Your image storage is full.",
			"Delete letters with images to make room: "+quota.Detail+".").
			With("quota_images", quota.Images).With("quota_bytes", quota.Bytes))
	case errors.Is(err, image.ErrUnsupportedType):
		httpx.Abort(c, problem.Typed(http.StatusUnsupportedMediaType, "unsupported-image-type", "This file type is not supported.",
			"Upload a JPEG, PNG, GIF or WebP image."))
	case errors.Is(err, image.ErrEmpty):
		httpx.Abort(c, problem.Validation(map[string]string{"file": "is empty"}))
	case errors.As(err, &attach):
		p := problem.Typed(http.StatusUnprocessableEntity, "images-unavailable", "Some images cannot be attached.",
			"Every image must be yours and not used by another letter.")
		p.Errors = map[string]string{"image_ids": attach.Summary()}
		httpx.Abort(c, p)
	default:
		httpx.Fail(c, log, err)
	}
}
