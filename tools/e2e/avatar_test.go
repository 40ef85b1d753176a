//go:build e2e

package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// A profile picture is the user's own upload, kept (not swept as an
// unattached image) and readable by its owner; someone else's image id is
// refused, and a new picture replaces the old one.
func TestAvatarIsTheUsersOwnImage(t *testing.T) {
	w, other := newWriter(t), newWriter(t)
	first, img := w.uploadPNG(t)
	second, _ := w.uploadPNG(t)
	theirs, _ := other.uploadPNG(t)

	r := w.call(t, http.MethodPatch, "/api/users/me", map[string]any{"avatar_image_id": theirs})
	expect(t, r, http.StatusBadRequest, "another user's image as avatar")
	if !strings.Contains(string(r.Body), "avatar_image_id") {
		t.Errorf("refusal names no field: %s", r.Body)
	}
	expect(t, w.call(t, http.MethodPatch, "/api/users/me", map[string]any{"avatar_image_id": first}), http.StatusOK, "set the avatar")
	r = w.call(t, http.MethodGet, "/api/images/"+first, nil)
	expect(t, r, http.StatusOK, "the owner reads the avatar")
	if len(r.Body) != len(img) {
		t.Errorf("avatar bytes: %d, want %d", len(r.Body), len(img))
	}
	expect(t, w.call(t, http.MethodPatch, "/api/users/me", map[string]any{"avatar_image_id": second}), http.StatusOK, "replace the avatar")
	expect(t, w.call(t, http.MethodGet, "/api/images/"+first, nil), http.StatusNotFound, "the replaced avatar")
	expect(t, other.call(t, http.MethodGet, "/api/images/"+second, nil), http.StatusNotFound, "someone else reading the avatar")
}
