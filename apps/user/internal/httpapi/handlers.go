package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/fields"

	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

type handlers struct {
	store   profile.Store
	avatars profile.Avatars
	clock   clock.Clock
	log     *slog.Logger
}

// maxPatchBytes bounds a profile update: a few short fields.
const maxPatchBytes = 16 << 10

func (h *handlers) getMe(c *gin.Context) {
	id, ok := authn.Caller(c)
	if !ok {
		return
	}
	p, err := h.store.Get(c, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, toProfileDTO(p))
}

func (h *handlers) patchMe(c *gin.Context) {
	id, ok := authn.Caller(c)
	if !ok {
		return
	}
	patch, fieldErrs, err := decodePatch(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	p, err := h.store.Update(c, id, func(cur profile.Profile) (profile.Profile, error) {
		next, err := cur.Apply(patch, h.clock.Now())
		// Shape errors (wrong types, read-only and unknown fields) and rule
		// errors are reported together, so one round trip shows them all.
		if err := mergeErrors(fieldErrs, err); err != nil {
			return next, err
		}
		return next, h.claimAvatar(c, id, cur, next)
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, toProfileDTO(p))
}

func (h *handlers) contact(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		// Not a user id, so certainly not a user.
		h.fail(c, profile.ErrNotFound)
		return
	}
	p, err := h.store.Get(c, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, toContactDTO(p))
}

// claimAvatar tells letter-storage about a new profile picture (or none),
// inside the profile's update: only the user's own loose upload is
// accepted, it is kept from the unattached-image sweep, and the previous
// one is deleted. An unchanged picture costs nothing.
func (h *handlers) claimAvatar(ctx context.Context, userID uuid.UUID, cur, next profile.Profile) error {
	was, now := cur.Snapshot().AvatarImageID, next.Snapshot().AvatarImageID
	if (was == nil && now == nil) || (was != nil && now != nil && *was == *now) {
		return nil
	}
	err := h.avatars.Claim(ctx, userID, now)
	if errors.Is(err, profile.ErrNotYourImage) {
		return fields.New("avatar_image_id", "must be one of your own uploaded images")
	}
	return err
}
