// Package httpapi is emotion-ml-service's HTTP surface: the one internal
// endpoint emotion-store-service calls for a re-analysis. Subscriptions are
// in package events; the platform adds /healthz, /readyz and /dapr/*.
package httpapi

import (
	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/emotion"
)

// Routes registers every route of emotion-ml-service.
func Routes(d service.Deps, svc *emotion.Service) {
	h := &handlers{svc: svc, log: d.Log}
	// POST /internal/analyze {letter_id, user_id, job_id} → 202: re-analysis, for emotion-store only.
	d.Internal.POST("/analyze", authn.RequireCallerApp("emotion-store-service"), h.analyze)
}
