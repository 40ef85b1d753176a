package edge

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
)

// methods are the only ones the API and the web client use. CONNECT,
// TRACE and anything invented would otherwise reach the sidecar, which
// answers them in its own words (issue 15, finding 7).
var methods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// SaneRequest refuses, before anything else runs, a method nobody serves
// (405) and a path that decodes to control characters (400): "%00" and
// friends made daprd answer with its own error naming its internals.
func SaneRequest() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !methods[c.Request.Method] {
			c.Header("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
			httpx.Abort(c, problem.New(http.StatusMethodNotAllowed, "This method is not served here."))
			return
		}
		query, err := url.QueryUnescape(c.Request.URL.RawQuery)
		if err != nil || hasControl(c.Request.URL.Path) || hasControl(query) {
			httpx.Abort(c, problem.New(http.StatusBadRequest, "The address is malformed or contains control characters."))
			return
		}
		c.Next()
	}
}

// hasControl reports C0 controls and DEL in decoded text.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// LoopbackOnly answers 404, as for a path that does not exist, unless the
// connection itself comes from this machine (or pod). The peer address is
// used, never X-Forwarded-For: a forwarded claim proves nothing.
func LoopbackOnly() gin.HandlerFunc {
	return func(c *gin.Context) {
		host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			httpx.Abort(c, problem.New(http.StatusNotFound, "There is nothing at "+c.Request.URL.Path+"."))
			return
		}
		c.Next()
	}
}
