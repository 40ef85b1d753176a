package httpapi

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/letter-storage/internal/image"
)

type handlers struct {
	svc *image.Service
	log *slog.Logger
}

type imageResponse struct {
	ID          string    `json:"id"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
}

// upload: POST /api/images (multipart/form-data, field "file").
func (h *handlers) upload(c *gin.Context) {
	data, err := readFilePart(c.Request, h.svc.MaxBytes())
	if err != nil {
		h.fail(c, err)
		return
	}
	img, err := h.svc.Upload(c, authn.UserID(c), data)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", "/api/images/"+img.ID())
	c.JSON(http.StatusCreated, imageResponse{ID: img.ID(), ContentType: img.ContentType(), Size: img.Size(), CreatedAt: img.CreatedAt()})
}

// serve: GET /api/images/{id}.
func (h *handlers) serve(c *gin.Context) {
	img, data, err := h.svc.Open(c, authn.UserID(c), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	etag := `"` + img.SHA256() + `"`
	hdr := c.Writer.Header()
	hdr.Set("Cache-Control", "private, max-age=3600")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("ETag", etag)
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Type", img.ContentType())
	hdr.Set("Content-Length", strconv.Itoa(len(data)))
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(data)
}

type attachRequest struct {
	UserID   string     `json:"user_id"`
	LetterID string     `json:"letter_id"`
	ImageIDs []string   `json:"image_ids"`
	OpenAt   *time.Time `json:"open_at"`
}

// attach: POST /internal/images/attach.
func (h *handlers) attach(c *gin.Context) {
	var req attachRequest
	if err := httpx.DecodeJSON(c, &req, 0); err != nil {
		h.fail(c, err)
		return
	}
	errs := map[string]string{}
	if uuid.Validate(req.UserID) != nil {
		errs["user_id"] = "must be a user id"
	}
	if uuid.Validate(req.LetterID) != nil {
		errs["letter_id"] = "must be a letter id"
	}
	if req.OpenAt == nil {
		errs["open_at"] = "is required (RFC 3339)"
	}
	if len(errs) > 0 {
		h.fail(c, problem.Validation(errs))
		return
	}
	if err := h.svc.Attach(c, req.UserID, req.LetterID, req.ImageIDs, *req.OpenAt); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// detach: POST /internal/images/detach.
func (h *handlers) detach(c *gin.Context) {
	var req struct {
		LetterID string `json:"letter_id"`
	}
	if err := httpx.DecodeJSON(c, &req, 0); err != nil {
		h.fail(c, err)
		return
	}
	if uuid.Validate(req.LetterID) != nil {
		h.fail(c, problem.Validation(map[string]string{"letter_id": "must be a letter id"}))
		return
	}
	if err := h.svc.Detach(c, req.LetterID); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handlers) fail(c *gin.Context, err error) {
	fail(c, h.log, err, h.svc.MaxBytes())
}

// Multipart overhead allowed on top of the image: boundaries, part headers
// and small extra fields.
const multipartSlack = 64 << 10

// drainLimit is how much of a refused body is read and thrown away, so the
// client (the sidecar) can read our 413 instead of a reset connection. It
// matches the sidecar's raised request limit.
const drainLimit = 16 << 20

// readFilePart returns the bytes of the "file" part, reading at most
// maxBytes+1 of it and never buffering anything else. A refused body is
// drained (bounded) first: answering before the client finished sending
// makes Go close the connection, and the caller would see a reset.
func readFilePart(r *http.Request, maxBytes int64) ([]byte, error) {
	data, err := filePart(r, maxBytes)
	if errors.Is(err, image.ErrTooLarge) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, drainLimit))
	}
	return data, err
}

func filePart(r *http.Request, maxBytes int64) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, problem.Validation(map[string]string{"file": `send the image as multipart/form-data in the field "file"`})
	}
	if r.ContentLength > maxBytes+multipartSlack {
		return nil, image.ErrTooLarge
	}
	body := &boundedReader{r: r.Body, left: maxBytes + multipartSlack}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		switch {
		case errors.Is(err, io.EOF):
			return nil, problem.Validation(map[string]string{"file": "is required"})
		case errors.Is(err, errBodyTooLarge):
			return nil, image.ErrTooLarge
		case err != nil:
			return nil, problem.New(http.StatusBadRequest, "The multipart body could not be read.")
		}
		if part.FormName() != "file" {
			if _, err := io.Copy(io.Discard, part); err != nil {
				return nil, partError(err)
			}
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, maxBytes+1))
		if err != nil {
			return nil, partError(err)
		}
		if int64(len(data)) > maxBytes {
			return nil, image.ErrTooLarge
		}
		return data, nil
	}
}

func partError(err error) error {
	if errors.Is(err, errBodyTooLarge) {
		return image.ErrTooLarge
	}
	return problem.New(http.StatusBadRequest, "The multipart body could not be read.")
}

// boundedReader fails once more than left bytes were asked of it, so parts
// other than "file" cannot make the request unbounded.
type boundedReader struct {
	r    io.Reader
	left int64
}

var errBodyTooLarge = errors.New("request body too large")

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// avatar: POST /internal/images/avatar {user_id, image_id} (null: none).
func (h *handlers) avatar(c *gin.Context) {
	var req struct {
		UserID  string  `json:"user_id"`
		ImageID *string `json:"image_id"`
	}
	if err := httpx.DecodeJSON(c, &req, 0); err != nil {
		h.fail(c, err)
		return
	}
	if uuid.Validate(req.UserID) != nil {
		h.fail(c, problem.Validation(map[string]string{"user_id": "must be a user id"}))
		return
	}
	if err := h.svc.SetAvatar(c, req.UserID, req.ImageID); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
