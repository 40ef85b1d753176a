package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
	_ "time/tzdata" // the zone database travels in the binary (distroless images have none)

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/daprx"
)

// DefaultTimezone is the zone of a user user-service does not know (yet).
const DefaultTimezone = "Asia/Seoul"

// errZoneUnavailable means user-service could not be asked.
var errZoneUnavailable = errors.New("user-service unavailable")

// zones looks up users' timezones in user-service through Dapr invocation.
type zones struct {
	get func(ctx context.Context, app, path string) ([]byte, error)
	log *slog.Logger
}

// Of returns userID's timezone. A user user-service does not know, or one
// with an unusable zone, is in DefaultTimezone; user-service unreachable is
// errZoneUnavailable.
func (z *zones) Of(ctx context.Context, userID uuid.UUID) (*time.Location, error) {
	body, err := z.get(ctx, "user-service", "/internal/users/"+userID.String()+"/contact")
	var status *daprx.StatusError
	switch {
	case errors.As(err, &status) && status.Status == http.StatusNotFound:
		return time.LoadLocation(DefaultTimezone)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", errZoneUnavailable, err)
	}
	var contact struct {
		Timezone string `json:"timezone"`
	}
	if err := json.Unmarshal(body, &contact); err != nil {
		return nil, fmt.Errorf("%w: contact of %s: %w", errZoneUnavailable, userID, err)
	}
	if contact.Timezone == "" {
		return time.LoadLocation(DefaultTimezone)
	}
	loc, err := time.LoadLocation(contact.Timezone)
	if err != nil {
		z.log.WarnContext(ctx, "user timezone unknown here; using the default", "timezone", contact.Timezone, "err", err)
		return time.LoadLocation(DefaultTimezone)
	}
	return loc, nil
}
