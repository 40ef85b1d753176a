// Package proxy forwards public API calls to the service that owns them,
// through the gateway's Dapr sidecar (service invocation), and nothing else:
// /internal/ paths are never routed.
package proxy

import "strings"

// Areas maps the first segment after /api/ to the owning app id. This table
// is the whole public routing surface; architecture.md is its contract.
var Areas = map[string]string{
	"auth":            "auth-service",
	"users":           "user-service",
	"letters":         "letter-service",
	"images":          "letter-storage-service",
	"routines":        "routine-service",
	"special-dates":   "routine-service",
	"calendar":        "routine-service",
	"emotions":        "emotion-store-service",
	"recommendations": "recommend-service",
	"notifications":   "notification-service",
}

// Services lists every app the gateway reaches, each once, in a stable order.
var Services = []string{
	"auth-service", "user-service", "routine-service", "scheduler-service",
	"notification-service", "letter-service", "letter-storage-service",
	"emotion-ml-service", "emotion-store-service", "recommend-service",
}

// Owner returns the app id owning an /api/ path, or "" when none does.
func Owner(path string) string {
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		return ""
	}
	area, _, _ := strings.Cut(rest, "/")
	return Areas[area]
}
