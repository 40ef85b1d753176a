// Package httpapi is user-service's HTTP surface. Setup lists every route
// and subscription it serves; the platform adds /healthz, /readyz and
// /dapr/subscribe.
package httpapi

import "github.com/lettertomyself/ltm/apps/platform/service"

// Setup registers user-service's routes and returns its background workers.
func Setup(d service.Deps) ([]service.Worker, error) {
	return nil, nil
}
