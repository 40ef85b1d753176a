package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

type handlers struct {
	store notify.History
	log   *slog.Logger
}

// Page sizes of GET /api/notifications.
const (
	defaultLimit = 50
	maxLimit     = 100
)

type itemDTO struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Subject   string     `json:"subject"`
	Status    string     `json:"status"`
	SentAt    *time.Time `json:"sent_at"`
	CreatedAt time.Time  `json:"created_at"`
}

type listDTO struct {
	Items []itemDTO `json:"items"`
}

// list answers the caller's history, newest first.
func (h *handlers) list(c *gin.Context) {
	id, ok := authn.Caller(c)
	if !ok {
		return
	}
	userID := id.String()
	limit := defaultLimit
	if raw, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxLimit {
			httpx.Abort(c, problem.Validation(map[string]string{"limit": "must be a whole number from 1 to " + strconv.Itoa(maxLimit)}))
			return
		}
		limit = n
	}
	records, err := h.store.List(c, userID, limit)
	if err != nil {
		httpx.Fail(c, h.log, err)
		return
	}
	out := listDTO{Items: make([]itemDTO, 0, len(records))}
	for _, r := range records {
		out.Items = append(out.Items, itemDTO{
			ID: r.ID, Kind: string(r.Kind), Subject: r.Subject, Status: r.Status.Public(),
			SentAt: r.SentAt, CreatedAt: r.CreatedAt,
		})
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}
