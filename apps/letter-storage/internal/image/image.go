// Package image is letter-storage-service's domain: what an uploaded image
// is, which bytes are accepted (sniffed, size- and quota-limited), how
// location metadata is removed, and when an image may be served (never
// while its letter is sealed).
package image

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The content types accepted, decided from the bytes.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	GIF  = "image/gif"
	WebP = "image/webp"
)

// Sentinel errors, mapped to HTTP answers in one place (httpapi).
var (
	ErrNotFound        = errors.New("image not found")
	ErrSealed          = errors.New("image sealed until its letter opens")
	ErrTooLarge        = errors.New("image too large")
	ErrUnsupportedType = errors.New("unsupported image type")
	ErrEmpty           = errors.New("empty file")
	ErrQuotaExceeded   = errors.New("image quota exceeded")
	// ErrOnALetter: the image belongs to a letter, so it cannot be a
	// profile picture (it would be sealed with the letter).
	ErrOnALetter = errors.New("image belongs to a letter")
	// ErrObjectMissing is what a Blobs adapter returns for an object that
	// is not in the bucket.
	ErrObjectMissing = errors.New("stored object missing")
)

// Image is the metadata of one stored image. The bytes live in the bucket
// under ObjectKey. Build one with New (an upload) or Restore (from
// storage); it never changes after.
type Image struct {
	id          string
	userID      string
	objectKey   string
	contentType string
	size        int64
	sha256      string // hex
	letterID    string // "" while unattached
	openAt      time.Time
	createdAt   time.Time
}

// New is a fresh, unattached upload of size bytes whose SHA-256 is sum
// (hex); its object key is chosen here, never by the client.
func New(id, userID, contentType string, size int64, sum string, createdAt time.Time) (Image, error) {
	switch {
	case uuid.Validate(id) != nil || uuid.Validate(userID) != nil:
		return Image{}, fmt.Errorf("image: ids must be UUIDs")
	case !slices.Contains([]string{JPEG, PNG, GIF, WebP}, contentType):
		return Image{}, ErrUnsupportedType
	case size <= 0:
		return Image{}, ErrEmpty
	case len(sum) != 64 || createdAt.IsZero():
		return Image{}, fmt.Errorf("image: a SHA-256 and a creation time are required")
	}
	return Image{id: id, userID: userID, objectKey: ObjectKey(userID, id), contentType: contentType,
		size: size, sha256: sum, createdAt: createdAt.UTC()}, nil
}

// Restore rebuilds an image read from storage (letterID "" and openAt
// zero while unattached).
func Restore(id, userID, objectKey, contentType string, size int64, sum, letterID string, openAt, createdAt time.Time) Image {
	return Image{id: id, userID: userID, objectKey: objectKey, contentType: contentType, size: size,
		sha256: sum, letterID: letterID, openAt: openAt, createdAt: createdAt}
}

// The image's parts.
func (i Image) ID() string           { return i.id }
func (i Image) UserID() string       { return i.userID }
func (i Image) ObjectKey() string    { return i.objectKey }
func (i Image) ContentType() string  { return i.contentType }
func (i Image) Size() int64          { return i.size }
func (i Image) SHA256() string       { return i.sha256 }
func (i Image) LetterID() string     { return i.letterID }
func (i Image) OpenAt() time.Time    { return i.openAt }
func (i Image) CreatedAt() time.Time { return i.createdAt }

// Attached reports whether a letter uses the image.
func (i Image) Attached() bool { return i.letterID != "" }

// Sealed reports whether the image's letter is still closed at now. An
// unattached image is its uploader's draft and never sealed.
func (i Image) Sealed(now time.Time) bool {
	return i.Attached() && now.Before(i.openAt)
}

// ObjectKey is the server-chosen storage name of an image: the client never
// influences it beyond its (verified) user id.
func ObjectKey(userID, imageID string) string {
	return "users/" + userID + "/" + imageID
}

// SealedError says until when an image stays sealed.
type SealedError struct{ OpenAt time.Time }

func (e *SealedError) Error() string {
	return "image sealed until " + e.OpenAt.UTC().Format(time.RFC3339)
}

// Is makes errors.Is(err, ErrSealed) true.
func (e *SealedError) Is(target error) bool { return target == ErrSealed }

// Limits bound uploads: the size of one image and a per-user quota.
type Limits struct {
	MaxBytes    int64
	QuotaImages int
	QuotaBytes  int64
}

// QuotaError says which quota an upload would exceed.
type QuotaError struct {
	Images int
	Bytes  int64
	Detail string
}

func (e *QuotaError) Error() string { return "image quota exceeded: " + e.Detail }

// Is makes errors.Is(err, ErrQuotaExceeded) true.
func (e *QuotaError) Is(target error) bool { return target == ErrQuotaExceeded }

// CheckQuota reports whether a user who stores count images of used bytes
// may add one more of size bytes.
func (l Limits) CheckQuota(count int, used, size int64) error {
	if l.QuotaImages > 0 && count+1 > l.QuotaImages {
		return &QuotaError{Images: l.QuotaImages, Bytes: l.QuotaBytes,
			Detail: fmt.Sprintf("you already store %d images; the limit is %d", count, l.QuotaImages)}
	}
	if l.QuotaBytes > 0 && used+size > l.QuotaBytes {
		return &QuotaError{Images: l.QuotaImages, Bytes: l.QuotaBytes,
			Detail: fmt.Sprintf("you store %d bytes of images; this one (%d bytes) would pass the limit of %d", used, size, l.QuotaBytes)}
	}
	return nil
}

// AttachError lists, per image id, why a letter cannot take it.
type AttachError struct {
	Reasons map[string]string // image id → reason
}

func (e *AttachError) Error() string { return "cannot attach images: " + e.Summary() }

// Summary is a stable, human-readable "id: reason; …" line.
func (e *AttachError) Summary() string {
	ids := make([]string, 0, len(e.Reasons))
	for id := range e.Reasons {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	parts := make([]string, 0, len(ids))
	for _, id := range ids {
		parts = append(parts, id+": "+e.Reasons[id])
	}
	return strings.Join(parts, "; ")
}

// Reasons an image cannot be attached.
const (
	ReasonNotFound    = "not found"
	ReasonInvalidID   = "is not a valid image id"
	ReasonOtherLetter = "already belongs to another letter"
	ReasonAvatar      = "is your profile picture"
)
