package httpx

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/logging"
	"github.com/lettertomyself/ltm/apps/platform/problem"
)

// RequestIDHeader carries the request id between the edge and the services.
const RequestIDHeader = "X-Request-ID"

// RequestContext puts the request id (taken from the caller when it is
// well-formed, new otherwise) and the W3C trace id into the request context
// and echoes the request id in the response.
func RequestContext() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !validRequestID(id) {
			id = uuid.NewString()
		}
		ctx := logging.WithRequestID(c.Request.Context(), id)
		if tid := logging.TraceIDFromTraceparent(c.GetHeader("traceparent")); tid != "" {
			ctx = logging.WithTraceID(ctx, tid)
		}
		c.Request = c.Request.WithContext(ctx)
		c.Request.Header.Set(RequestIDHeader, id)
		c.Header(RequestIDHeader, id)
		c.Next()
	}
}

// validRequestID accepts short ids of safe characters only, so a caller
// cannot inject log lines or huge values.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// quietKey marks a request whose success is routine (see Quiet).
const quietKey = "httpx.quiet"

// Quiet asks AccessLog to log this request at debug level when it succeeds:
// for ticks that arrive every few seconds (cron bindings), whose successes
// would drown everything else.
func Quiet(c *gin.Context) { c.Set(quietKey, true) }

// AccessLog logs one line per request: method, route, status, duration.
// Never the query string, headers or body: they may carry tokens or letters.
// Probe endpoints and requests marked Quiet log at debug level so they do
// not drown the rest.
func AccessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		switch {
		case status >= 500:
			level = slog.LevelError
		case c.Request.URL.Path == "/healthz" || c.Request.URL.Path == "/readyz":
			level = slog.LevelDebug
		case c.GetBool(quietKey) && status < 400:
			level = slog.LevelDebug
		}
		route := c.FullPath()
		if route == "" {
			route = "(unmatched)"
		}
		log.Log(c.Request.Context(), level, "http request",
			"method", c.Request.Method,
			"route", route,
			"status", status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000,
			"bytes", c.Writer.Size(),
		)
	}
}

// Recover turns a panic into a 500 problem and logs the stack; the client
// never sees a stack trace.
func Recover(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if rec == http.ErrAbortHandler {
				panic(rec)
			}
			log.ErrorContext(c.Request.Context(), "panic", "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				Abort(c, problem.New(http.StatusInternalServerError, "Something went wrong on our side. Please try again."))
			}
			c.Abort()
		}()
		c.Next()
	}
}
