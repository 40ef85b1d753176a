package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/app"
	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
)

type handlers struct {
	svc *app.Service
	log *slog.Logger
}

type comfortDTO struct {
	Mood    *string `json:"mood"`
	Message string  `json:"message"`
}

type summaryDTO struct {
	Analysed             int            `json:"analysed"`
	Moods                map[string]int `json:"moods"`
	Detailed             map[string]int `json:"detailed"`
	MostFrequent         *string        `json:"most_frequent"`
	MostFrequentDetailed *string        `json:"most_frequent_detailed"`
	RecentMood           string         `json:"recent_mood"`
	Comfort              comfortDTO     `json:"comfort"`
}

func (h *handlers) summary(c *gin.Context) {
	user, ok := authn.Caller(c)
	if !ok {
		return
	}
	s, err := h.svc.Summary(c, user.String(), c.Query("lang"))
	if err != nil {
		h.fail(c, err)
		return
	}
	out := summaryDTO{
		Analysed: s.Analysed, Moods: map[string]int{}, Detailed: s.Detailed,
		MostFrequent: orNull(string(s.MostFrequent)), MostFrequentDetailed: orNull(s.MostFrequentDetailed),
		RecentMood: string(s.Recent.Mood),
		Comfort:    comfortDTO{Mood: orNull(string(s.Comfort.Mood)), Message: s.Comfort.Message},
	}
	for m, n := range s.Moods {
		out.Moods[string(m)] = n
	}
	c.JSON(http.StatusOK, out)
}

type bucketDTO struct {
	Start    string         `json:"start"`
	Counts   map[string]int `json:"counts"`
	Dominant *string        `json:"dominant"`
}

func (h *handlers) timeline(c *gin.Context) {
	user, ok := authn.Caller(c)
	if !ok {
		return
	}
	buckets, err := h.svc.Timeline(c, user.String(), c.Query("period"), c.Query("from"), c.Query("to"))
	if err != nil {
		h.fail(c, err)
		return
	}
	out := make([]bucketDTO, len(buckets))
	for i, b := range buckets {
		counts := make(map[string]int, len(b.Counts))
		for m, n := range b.Counts {
			counts[string(m)] = n
		}
		out[i] = bucketDTO{Start: b.Start.Format(time.RFC3339), Counts: counts, Dominant: orNull(string(b.Dominant))}
	}
	c.JSON(http.StatusOK, out)
}

func (h *handlers) reanalyze(c *gin.Context) {
	user, ok := authn.Caller(c)
	if !ok {
		return
	}
	id, err := h.svc.StartReanalysis(c, user.String())
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"job_id": id})
}

func (h *handlers) reanalysis(c *gin.Context) {
	user, ok := authn.Caller(c)
	if !ok {
		return
	}
	j, err := h.svc.Job(c, user.String(), c.Param("job_id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": j.Status, "total": j.Total, "done": j.Done})
}

func (h *handlers) recentMood(c *gin.Context) {
	m, err := h.svc.RecentMood(c, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"mood": m.Mood, "because": m.Because})
}

// fail maps the domain's errors to problems, in one place; validation
// errors are mapped by httpx.Fail.
func (h *handlers) fail(c *gin.Context, err error) {
	var status *daprx.StatusError
	switch {
	case errors.Is(err, emotion.ErrJobNotFound):
		httpx.Abort(c, problem.Typed(http.StatusNotFound, "reanalysis-not-found", "No such re-analysis.", "There is no re-analysis with this id for you."))
	case errors.Is(err, emotion.ErrUserGone):
		// A token outliving its account deletion: the user's document is
		// their tombstone (emotion.Record.Purge).
		httpx.Fail(c, h.log, tombstone.ErrGone)
	case errors.Is(err, daprx.ErrNotReady), errors.As(err, &status):
		// A service we depend on is unavailable; the request can be
		// repeated as is.
		h.log.WarnContext(c, "dependency unavailable", "path", c.FullPath(), "err", err)
		httpx.Abort(c, problem.New(http.StatusServiceUnavailable, "A service this needs is unavailable. Please try again shortly."))
	default:
		httpx.Fail(c, h.log, err)
	}
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
