package edge

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
)

// LimitBody caps request bodies: limit for most calls, uploadLimit for
// image uploads. A declared length over the limit is refused before any
// byte is read; a chunked body is cut at the limit (the proxy turns the
// cut into a 413 too).
func LimitBody(limit, uploadLimit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		max := limit
		if c.Request.Method == http.MethodPost && c.Request.URL.Path == "/api/images" {
			max = uploadLimit
		}
		if c.Request.ContentLength > max {
			httpx.Abort(c, TooLarge(max))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

// TooLarge is the problem for a body over max bytes.
func TooLarge(max int64) *problem.Problem {
	return problem.New(http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body is larger than %d bytes.", max))
}
