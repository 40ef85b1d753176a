package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/emotion"
)

type handlers struct {
	svc *emotion.Service
	log *slog.Logger
}

type analyzeRequest struct {
	LetterID string  `json:"letter_id"`
	UserID   string  `json:"user_id"`
	JobID    *string `json:"job_id"`
}

// analyze analyses one letter for a re-analysis job before answering 202:
// by then the result and its emotion.analyzed event are committed (the
// event is published by the outbox relay). The same request twice is
// analysed once.
func (h *handlers) analyze(c *gin.Context) {
	var body analyzeRequest
	if err := httpx.DecodeJSON(c, &body, 4<<10); err != nil {
		httpx.Fail(c, h.log, err)
		return
	}
	var errs fields.Set
	req := emotion.Request{}
	var err error
	if req.LetterID, err = uuid.Parse(body.LetterID); err != nil {
		errs.Add("letter_id", "must be a letter id (UUID)")
	}
	if req.UserID, err = uuid.Parse(body.UserID); err != nil {
		errs.Add("user_id", "must be a user id (UUID)")
	}
	if body.JobID != nil {
		job, err := uuid.Parse(*body.JobID)
		if err != nil {
			errs.Add("job_id", "must be a job id (UUID) or null")
		}
		req.JobID = &job
	}
	if err := errs.Err(); err != nil {
		httpx.Fail(c, h.log, err)
		return
	}
	switch err := h.svc.Analyze(c.Request.Context(), req); {
	case err == nil:
		c.JSON(http.StatusAccepted, gin.H{"letter_id": req.LetterID, "job_id": body.JobID})
	case errors.Is(err, emotion.ErrLetterGone):
		httpx.Abort(c, problem.Typed(http.StatusNotFound, "letter-not-found", "No such letter.", "The letter no longer exists."))
	default:
		// letter-service or the database unreachable: the caller may try again.
		h.log.WarnContext(c, "analysis failed", "letter_id", req.LetterID, "err", err)
		httpx.Abort(c, problem.New(http.StatusServiceUnavailable, "The letter could not be analysed right now. Try again."))
	}
}
