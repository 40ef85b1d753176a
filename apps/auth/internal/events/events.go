// Package events holds the payloads auth-service publishes through the
// outbox. They are its own small structs: consumers decode what they need,
// and no domain type crosses a service boundary.
package events

import (
	"time"

	"github.com/google/uuid"
)

// Topics on the pubsub component.
const (
	TopicRegistered   = "user.registered"
	TopicEmailChanged = "user.email_changed"
	TopicDeleted      = "user.deleted"
)

// Registered announces a new account; user-service creates its profile.
type Registered struct {
	UserID    string `json:"user_id"`
	Username  string `json:"username"`
	Email     string `json:"email"`
	CreatedAt string `json:"created_at"` // RFC 3339, UTC
}

// NewRegistered describes the account created at createdAt.
func NewRegistered(id uuid.UUID, username, email string, createdAt time.Time) Registered {
	return Registered{UserID: id.String(), Username: username, Email: email, CreatedAt: createdAt.UTC().Format(time.RFC3339)}
}

// EmailChanged announces the account's new address; mail goes to it from
// now on.
type EmailChanged struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
}

// Deleted announces that the account is gone; every service holding the
// user's data purges it.
type Deleted struct {
	UserID string `json:"user_id"`
}
