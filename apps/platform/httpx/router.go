// Package httpx is the HTTP kit every service shares: a gin router with the
// standard middleware pipeline, problem responses for unknown routes and
// panics, health endpoints, JSON decoding with limits, and the server
// lifecycle with graceful shutdown.
package httpx

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/problem"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// NewRouter returns a gin engine with the pipeline every service uses:
// request ids → access log → panic recovery. Unknown routes answer 404 and
// wrong methods 405, both as problem+json.
func NewRouter(log *slog.Logger) *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	// Handlers pass c to functions taking a context.Context; with this the
	// request's context (deadline, ids) is what they get.
	r.ContextWithFallback = true
	r.RemoveExtraSlash = true
	r.Use(RequestContext(), AccessLog(log), Recover(log))
	r.NoRoute(func(c *gin.Context) {
		Abort(c, problem.New(http.StatusNotFound, "There is nothing at "+c.Request.URL.Path+"."))
	})
	r.NoMethod(func(c *gin.Context) {
		Abort(c, problem.New(http.StatusMethodNotAllowed, c.Request.Method+" is not allowed on "+c.Request.URL.Path+"."))
	})
	return r
}

// Abort writes p and stops the handler chain.
func Abort(c *gin.Context, p *problem.Problem) {
	problem.Write(c.Writer, p)
	c.Abort()
}

// Fail answers with err: a *problem.Problem as itself, a *fields.Error as
// the validation problem (the one place it is mapped), an unreachable
// database as a 503 (Unavailable), anything else as a 500 whose cause is
// logged, never shown.
func Fail(c *gin.Context, log *slog.Logger, err error) {
	var p *problem.Problem
	if errors.As(err, &p) {
		Abort(c, p)
		return
	}
	var fe *fields.Error
	if errors.As(err, &fe) {
		Abort(c, problem.Validation(fe.Fields()))
		return
	}
	if Unavailable(err) {
		log.WarnContext(c, "request failed: the database is not reachable", "method", c.Request.Method, "path", c.FullPath(), "err", err)
		c.Header("Retry-After", "1")
		Abort(c, problem.New(http.StatusServiceUnavailable, "The service cannot reach its database right now. Please try again."))
		return
	}
	log.ErrorContext(c, "request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
	Abort(c, problem.New(http.StatusInternalServerError, "Something went wrong on our side. Please try again."))
}
