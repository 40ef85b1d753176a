package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"

	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

// Profiles is what the handlers need from storage.
type Profiles interface {
	Get(ctx context.Context, userID uuid.UUID) (profile.Profile, error)
	Update(ctx context.Context, userID uuid.UUID, change func(profile.Profile) (profile.Profile, error)) (profile.Profile, error)
}

type handlers struct {
	store Profiles
	clock clock.Clock
	log   *slog.Logger
}

// maxPatchBytes bounds a profile update: a few short fields.
const maxPatchBytes = 16 << 10

func (h *handlers) getMe(c *gin.Context) {
	id, ok := h.caller(c)
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
	id, ok := h.caller(c)
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
		return next, mergeErrors(fieldErrs, err)
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

// caller returns the authenticated user's id (Require put it there).
func (h *handlers) caller(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(authn.UserID(c.Request.Context()))
	if err != nil {
		authn.Unauthorized(c, "Sign in first: this needs an access token.")
		return uuid.Nil, false
	}
	return id, true
}
