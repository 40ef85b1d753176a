package httpapi

import (
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/httpx"

	"github.com/lettertomyself/ltm/apps/auth/internal/account"
	"github.com/lettertomyself/ltm/apps/auth/internal/token"
)

// Bodies here are a few fields; a small limit keeps argon2id and the JSON
// decoder from being fed megabytes.
const maxBody = 8 << 10

func (a *api) signup(c *gin.Context) {
	var req signupRequest
	if err := httpx.DecodeJSON(c, &req, maxBody); err != nil {
		a.fail(c, err)
		return
	}
	acct, err := a.Accounts.Signup(c, req.Username, req.Email, req.Password)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, accountResponse{ID: acct.ID().String(), Username: acct.Username(), Email: acct.Email()})
}

func (a *api) login(c *gin.Context) {
	var req loginRequest
	if err := httpx.DecodeJSON(c, &req, maxBody); err != nil {
		a.fail(c, err)
		return
	}
	if errs := required(map[string]string{"username": req.Username, "password": req.Password}); errs != nil {
		a.fail(c, errs)
		return
	}
	pair, err := a.Accounts.Login(c, req.Username, req.Password, clientAddress(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	a.writeTokens(c, pair, wantsCookie(c))
}

func (a *api) refresh(c *gin.Context) {
	var req refreshRequest
	if err := decodeOptional(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	raw, fromCookie, refused := refreshFrom(c, req.RefreshToken)
	if refused != nil {
		a.fail(c, refused)
		return
	}
	if !fromCookie {
		if errs := required(map[string]string{"refresh_token": raw}); errs != nil {
			a.fail(c, errs)
			return
		}
	}
	pair, err := a.Accounts.Refresh(c, raw)
	if err != nil {
		if fromCookie {
			// A spent, revoked or missing cookie is of no further use.
			clearRefreshCookie(c)
		}
		a.fail(c, err)
		return
	}
	a.writeTokens(c, pair, wantsCookie(c))
}

func (a *api) logout(c *gin.Context) {
	var req refreshRequest
	if err := decodeOptional(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	raw, fromCookie, refused := refreshFrom(c, req.RefreshToken)
	if refused != nil {
		a.fail(c, refused)
		return
	}
	if err := a.Accounts.Logout(c, raw); err != nil {
		a.fail(c, err)
		return
	}
	if fromCookie || wantsCookie(c) {
		clearRefreshCookie(c)
	}
	c.Status(http.StatusNoContent)
}

// decodeOptional decodes a JSON body when there is one: refresh and
// logout in a cookie session may send none at all.
func decodeOptional(c *gin.Context, dst any) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	return httpx.DecodeJSON(c, dst, maxBody)
}

func (a *api) jwks(c *gin.Context) {
	set, err := a.Keys.JWKS()
	if err != nil {
		a.fail(c, err)
		return
	}
	// Short enough that a rotation spreads quickly; verifiers refetch at
	// once on an unknown kid anyway.
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, set)
}

func (a *api) changePassword(c *gin.Context) {
	var req changePasswordRequest
	if err := httpx.DecodeJSON(c, &req, maxBody); err != nil {
		a.fail(c, err)
		return
	}
	if err := a.Accounts.ChangePassword(c, authn.UserID(c), req.CurrentPassword, req.NewPassword, clientAddress(c)); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *api) changeEmail(c *gin.Context) {
	var req changeEmailRequest
	if err := httpx.DecodeJSON(c, &req, maxBody); err != nil {
		a.fail(c, err)
		return
	}
	if err := a.Accounts.ChangeEmail(c, authn.UserID(c), req.Password, req.Email, clientAddress(c)); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *api) deleteAccount(c *gin.Context) {
	var req deleteAccountRequest
	if err := httpx.DecodeJSON(c, &req, maxBody); err != nil {
		a.fail(c, err)
		return
	}
	if err := a.Accounts.Delete(c, authn.UserID(c), req.Password, clientAddress(c)); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *api) keysReady(c *gin.Context) {
	if !a.Keys.Loaded() {
		a.fail(c, token.ErrKeysNotLoaded)
		return
	}
	c.Next()
}

// writeTokens answers a new pair; in a cookie session the refresh token
// goes into the cookie and stays out of the JSON.
func (a *api) writeTokens(c *gin.Context, p account.Pair, cookie bool) {
	// Tokens must never sit in a cache (RFC 6749 §5.1).
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	res := tokenResponse{
		AccessToken: p.AccessToken, RefreshToken: p.RefreshToken,
		TokenType: "Bearer", ExpiresIn: int64(p.ExpiresIn.Seconds()),
	}
	if cookie {
		setRefreshCookie(c, p.RefreshToken, a.Accounts.RefreshTTL)
		res.RefreshToken = ""
	}
	c.JSON(http.StatusOK, res)
}

// required reports the empty fields, all at once.
func required(values map[string]string) error {
	var errs fields.Set
	for name, v := range values {
		if strings.TrimSpace(v) == "" {
			errs.Add(name, "is required")
		}
	}
	return errs.Err()
}

// clientAddress is the caller's address for throttling: the first hop of
// X-Forwarded-For, which the gateway sets (the service is reachable only
// through Dapr, behind the gateway), else the peer address.
func clientAddress(c *gin.Context) string {
	if xff := c.GetHeader("X-Forwarded-For"); xff != "" {
		first, _, _ := strings.Cut(xff, ",")
		if ip := net.ParseIP(strings.TrimSpace(first)); ip != nil {
			return ip.String()
		}
	}
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		return c.Request.RemoteAddr
	}
	return host
}

// revocations answers GET /internal/revocations?after=<seq>: the live
// revocations after the cursor, at most authn.RevocationsPageMax, and the
// cursor to ask with next.
func (a *api) revocations(c *gin.Context) {
	after := int64(0)
	if s := c.Query("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			a.fail(c, fields.New("after", "must be a whole number, 0 or more"))
			return
		}
		after = n
	}
	page, err := a.Revocations.RevocationsAfter(c, after, authn.RevocationsPageMax)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, page)
}
