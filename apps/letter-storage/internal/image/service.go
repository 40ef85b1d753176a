package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/delivery"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"
)

// Store keeps image metadata. Implementations: postgres.Store.
type Store interface {
	// Create records img if the user's quota (checked against limits
	// atomically with the insert) allows it; else a *QuotaError.
	Create(ctx context.Context, img Image, limits Limits) error
	// Get returns the user's image, or ErrNotFound (also for others' ids).
	Get(ctx context.Context, userID, id string) (Image, error)
	// Delete removes one row (missing is fine).
	Delete(ctx context.Context, id string) error
	// Attach gives letterID (opening at openAt) the images in one
	// transaction, or none of them: a *AttachError says why.
	Attach(ctx context.Context, userID, letterID string, ids []string, openAt time.Time) error
	// Detach makes the letter's images unattached again.
	Detach(ctx context.Context, letterID string) (int64, error)
	// Purge deletes the rows sel picks and records their object keys as
	// doomed, in one transaction, and returns the images that went. The
	// objects are the caller's to delete, outside any transaction.
	Purge(ctx context.Context, sel Selection, at time.Time) ([]Image, error)
	// Doomed lists object keys doomed before at whose deletion has not
	// been confirmed (at most limit).
	Doomed(ctx context.Context, before time.Time, limit int) ([]string, error)
	// Forget drops doomed keys whose objects are deleted.
	Forget(ctx context.Context, keys []string) error
	// SetAvatar makes id (nil: none) userID's avatar: ErrNotFound unless
	// it is the user's image, ErrOnALetter when a letter holds it. The
	// previous avatar goes; its object keys are returned, doomed.
	SetAvatar(ctx context.Context, userID string, id *string, at time.Time) ([]string, error)
}

// Selection picks images to purge: exactly one of LetterID, UserID,
// UnattachedBefore.
type Selection struct {
	LetterID         string
	UserID           string
	UnattachedBefore time.Time
	// Limit bounds one batch (0: no limit).
	Limit int
	// SkipLocked leaves rows other transactions hold (an attach in
	// progress, another replica's sweep) for later.
	SkipLocked bool
	// Claim, when set, dedupes an event inside the same transaction.
	Claim *delivery.Ref
}

// Blobs keeps the bytes. Implementations: blob.Binding.
type Blobs interface {
	// Put stores data under key and verifies it is there.
	Put(ctx context.Context, key string, data []byte) error
	// Get returns the object's bytes, checked against their sha256 (hex);
	// an absent object is ErrObjectMissing.
	Get(ctx context.Context, key, sha256Hex string) ([]byte, error)
	// Delete removes the object; an absent one is not an error.
	Delete(ctx context.Context, key string) error
}

// Service is what the HTTP API and event handlers call.
type Service struct {
	store  Store
	blobs  Blobs
	clock  clock.Clock
	limits Limits
	ttl    time.Duration
	log    *slog.Logger
}

// Options configure a Service.
type Options struct {
	Limits Limits
	// UnattachedTTL is how long an uploaded image may stay unattached.
	UnattachedTTL time.Duration
	Clock         clock.Clock
	Log           *slog.Logger
}

// NewService wires the store and the bucket.
func NewService(store Store, blobs Blobs, o Options) *Service {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{store: store, blobs: blobs, clock: o.Clock, limits: o.Limits, ttl: o.UnattachedTTL, log: o.Log}
}

// MaxBytes is the largest image accepted.
func (s *Service) MaxBytes() int64 { return s.limits.MaxBytes }

// Upload validates data (already read within MaxBytes+1), strips location
// and text metadata (stripMetadata), records the image and stores its bytes.
//
// The row is written before the object: an object without a row could
// never be found again (the gcp.bucket binding cannot list safely), while
// a row whose object never arrived is unattached and swept after the TTL.
func (s *Service) Upload(ctx context.Context, userID string, data []byte) (Image, error) {
	if s.limits.MaxBytes > 0 && int64(len(data)) > s.limits.MaxBytes {
		return Image{}, ErrTooLarge
	}
	ct, err := Sniff(data)
	if err != nil {
		return Image{}, err
	}
	if data, err = stripMetadata(ct, data); err != nil {
		return Image{}, fmt.Errorf("%w: %v", ErrUnsupportedType, err)
	}
	sum := sha256.Sum256(data)
	id := uuid.NewString()
	img, err := New(id, userID, ct, int64(len(data)), hex.EncodeToString(sum[:]), s.clock.Now())
	if err != nil {
		return Image{}, err
	}
	if err := s.store.Create(ctx, img, s.limits); err != nil {
		return Image{}, err
	}
	putErr := s.blobs.Put(ctx, img.ObjectKey(), data)
	// A purge of the user (account deleted) that ran between the row and
	// the object deleted the row and an object not there yet (or half
	// verified): delete what we put. If the row is still here, any later
	// purge deletes the object after this point.
	if _, err := s.store.Get(ctx, userID, id); errors.Is(err, ErrNotFound) {
		if derr := s.blobs.Delete(context.WithoutCancel(ctx), img.ObjectKey()); derr != nil {
			s.log.WarnContext(ctx, "object of an upload purged meanwhile not deleted", "image_id", id, "err", derr)
		}
		return Image{}, tombstone.ErrGone
	}
	if putErr != nil {
		// Best effort: the sweep removes the row later if this fails.
		if derr := s.store.Delete(context.WithoutCancel(ctx), id); derr != nil {
			s.log.WarnContext(ctx, "removing the row of a failed upload", "image_id", id, "err", derr)
		}
		return Image{}, fmt.Errorf("store image: %w", putErr)
	}
	return img, nil
}

// Open returns the user's image and its bytes, unless its letter is
// sealed at the current time.
func (s *Service) Open(ctx context.Context, userID, id string) (Image, []byte, error) {
	if uuid.Validate(id) != nil || uuid.Validate(userID) != nil {
		return Image{}, nil, ErrNotFound
	}
	img, err := s.store.Get(ctx, userID, id)
	if err != nil {
		return Image{}, nil, err
	}
	if img.Sealed(s.clock.Now()) {
		return Image{}, nil, &SealedError{OpenAt: img.OpenAt()}
	}
	data, err := s.blobs.Get(ctx, img.ObjectKey(), img.SHA256())
	if errors.Is(err, ErrObjectMissing) {
		return Image{}, nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if err != nil {
		return Image{}, nil, err
	}
	return img, data, nil
}

// Attach gives a letter its images; ids that are not UUIDs are refused
// like unknown ones. Repeating the same attach is a no-op.
func (s *Service) Attach(ctx context.Context, userID, letterID string, ids []string, openAt time.Time) error {
	reasons := map[string]string{}
	uniq := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if uuid.Validate(id) != nil {
			reasons[id] = ReasonInvalidID
			continue
		}
		if id = uuid.MustParse(id).String(); !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	if len(reasons) > 0 {
		return &AttachError{Reasons: reasons}
	}
	if len(uniq) == 0 {
		return nil
	}
	return s.store.Attach(ctx, userID, letterID, uniq, openAt.UTC())
}

// Detach releases a letter's images (the letter was never written).
func (s *Service) Detach(ctx context.Context, letterID string) error {
	_, err := s.store.Detach(ctx, letterID)
	return err
}

// PurgeLetter deletes a deleted letter's images: the rows (with the event's
// claim) in one short transaction, then their objects. Safe to repeat.
func (s *Service) PurgeLetter(ctx context.Context, letterID, eventID string) error {
	sel := Selection{LetterID: letterID}
	if eventID != "" {
		ref, err := delivery.New("letter-storage.letter-deleted", eventID)
		if err != nil {
			return err
		}
		sel.Claim = &ref
	}
	_, err := s.purge(ctx, sel)
	return err
}

// purgeBatch bounds how many rows one purge transaction deletes.
const purgeBatch = 100

// PurgeUser deletes every image of a deleted account, in batches. Safe to
// repeat: each batch deletes what is left.
func (s *Service) PurgeUser(ctx context.Context, userID string) error {
	for {
		n, err := s.purge(ctx, Selection{UserID: userID, Limit: purgeBatch})
		if err != nil {
			return err
		}
		if n < purgeBatch {
			return nil
		}
	}
}

// Sweep deletes images left unattached for longer than the TTL, in
// batches. Replicas sweep at the same time: locked rows are skipped, and a
// row an attach holds is either attached when the sweep sees it (and so no
// longer selected) or gone when the attach sees it (and refused).
func (s *Service) Sweep(ctx context.Context) (int, error) {
	cutoff := s.clock.Now().Add(-s.ttl)
	total := 0
	for {
		n, err := s.purge(ctx, Selection{UnattachedBefore: cutoff, Limit: purgeBatch, SkipLocked: true})
		total += n
		if err != nil {
			return total, err
		}
		if n < purgeBatch {
			break
		}
	}
	// Objects a purge could not delete (bucket down, process killed).
	// Only keys doomed a while ago: a purge running now deletes its own.
	keys, err := s.store.Doomed(ctx, s.clock.Now().Add(-doomedGrace), purgeBatch)
	if err != nil {
		return total, err
	}
	return total, s.removeObjects(ctx, keys)
}

// doomedGrace is how long a purge has to delete its own objects before the
// sweep takes over.
const doomedGrace = 10 * time.Minute

// SetAvatar makes imageID (nil: none) the user's profile picture: kept
// from the sweep, readable by its owner, never on a letter. The previous
// one is deleted.
func (s *Service) SetAvatar(ctx context.Context, userID string, imageID *string) error {
	if uuid.Validate(userID) != nil || (imageID != nil && uuid.Validate(*imageID) != nil) {
		return ErrNotFound
	}
	doomed, err := s.store.SetAvatar(ctx, userID, imageID, s.clock.Now())
	if err != nil {
		return err
	}
	if err := s.removeObjects(ctx, doomed); err != nil {
		s.log.WarnContext(ctx, "previous avatar's object not deleted yet; the sweep will retry", "err", err)
	}
	return nil
}

// purge deletes the rows sel picks (and records their objects as doomed)
// in one transaction, then deletes the objects outside it. A failed object
// deletion loses nothing: the key stays doomed and the sweep retries it.
func (s *Service) purge(ctx context.Context, sel Selection) (int, error) {
	imgs, err := s.store.Purge(ctx, sel, s.clock.Now())
	if err != nil || len(imgs) == 0 {
		return 0, err
	}
	keys := make([]string, len(imgs))
	for i, img := range imgs {
		keys[i] = img.ObjectKey()
	}
	if err := s.removeObjects(ctx, keys); err != nil {
		s.log.WarnContext(ctx, "image objects not deleted yet; the sweep will retry", "images", len(imgs), "err", err)
	}
	return len(imgs), nil
}

// removeObjects deletes objects and forgets the keys of those deleted.
func (s *Service) removeObjects(ctx context.Context, keys []string) error {
	var done []string
	var errs []error
	for _, key := range keys {
		if err := s.blobs.Delete(ctx, key); err != nil {
			errs = append(errs, fmt.Errorf("delete object %s: %w", key, err))
			continue
		}
		done = append(done, key)
	}
	if len(done) > 0 {
		if err := s.store.Forget(ctx, done); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// stripMetadata removes what can locate or describe the writer: GPS from a
// JPEG's EXIF and its XMP, EXIF and text chunks from a PNG, EXIF and XMP
// chunks from a WebP. GIF carries no EXIF; its comment and application
// extensions are left (see docs/security.md).
func stripMetadata(ct string, data []byte) ([]byte, error) {
	switch ct {
	case JPEG:
		return StripLocation(data)
	case PNG:
		return StripPNG(data)
	case WebP:
		return StripWebP(data)
	}
	return data, nil
}
