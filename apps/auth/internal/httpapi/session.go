package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/problem"
)

// Cookie sessions for the web client (architecture.md, "Web client"): a
// caller that sends X-Session: cookie gets its refresh token in an
// HttpOnly, SameSite=Strict cookie scoped to /api/auth/, never in the JSON,
// so no script on the page can read it. Refresh and logout then read the
// cookie from an empty body. A cookie is sent by the browser on its own, so
// a request that uses it must prove it comes from the web client itself:
// the custom header (which a cross-site form cannot send, and a cross-site
// script only after a CORS preflight the gateway refuses) and, when the
// browser names one, the gateway's own Origin.

const (
	sessionHeader = "X-Session"
	cookieMode    = "cookie"
	refreshCookie = "ltm_refresh"
	cookiePath    = "/api/auth/"
)

// wantsCookie reports whether the caller asked for a cookie session.
func wantsCookie(c *gin.Context) bool {
	return strings.EqualFold(strings.TrimSpace(c.GetHeader(sessionHeader)), cookieMode)
}

// refreshFrom picks the refresh token of a refresh or logout: the body's
// when it has one (API clients), else the cookie's. fromCookie says which,
// so the caller can answer in the same mode. A cookie used without the
// web client's header or from a foreign origin is refused (403).
func refreshFrom(c *gin.Context, body string) (raw string, fromCookie bool, p *problem.Problem) {
	if body != "" {
		return body, false, nil
	}
	if !wantsCookie(c) {
		// No body token and no cookie session asked for: an API client
		// that forgot the token. A cookie alone never counts.
		if _, err := c.Cookie(refreshCookie); err == nil {
			return "", false, problem.Typed(http.StatusForbidden, "cookie-session-refused", "Cookie session refused.",
				"A session cookie is only accepted with the header "+sessionHeader+": "+cookieMode+".")
		}
		return "", false, nil
	}
	if origin := c.GetHeader("Origin"); origin != "" && origin != ownOrigin(c) {
		return "", false, problem.Typed(http.StatusForbidden, "cookie-session-refused", "Cookie session refused.",
			"This session can only be used from the site itself.")
	}
	raw, _ = c.Cookie(refreshCookie)
	return raw, true, nil
}

// ownOrigin is the origin the browser used to reach the gateway: the
// gateway forwards the host and scheme it was asked on (X-Forwarded-Host,
// X-Forwarded-Proto, overwriting whatever a client sent), and auth-service
// is reachable only through it. Dapr appends values of its own after the
// gateway's, so only the first counts.
func ownOrigin(c *gin.Context) string {
	host := firstValue(c.GetHeader("X-Forwarded-Host"))
	if host == "" {
		host = c.Request.Host
	}
	return scheme(c) + "://" + host
}

func scheme(c *gin.Context) string {
	if strings.EqualFold(firstValue(c.GetHeader("X-Forwarded-Proto")), "https") {
		return "https"
	}
	return "http"
}

func firstValue(h string) string {
	first, _, _ := strings.Cut(h, ",")
	return strings.TrimSpace(first)
}

// setRefreshCookie stores raw in the session cookie for ttl.
func setRefreshCookie(c *gin.Context, raw string, ttl time.Duration) {
	writeCookie(c, raw, int(ttl.Seconds()))
}

// clearRefreshCookie tells the browser to drop the session cookie.
func clearRefreshCookie(c *gin.Context) { writeCookie(c, "", -1) }

func writeCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     refreshCookie,
		Value:    value,
		Path:     cookiePath,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   scheme(c) == "https",
		SameSite: http.SameSiteStrictMode,
	})
}
