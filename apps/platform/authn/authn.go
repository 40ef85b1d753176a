// Package authn verifies access tokens where they are used: every service
// checks the EdDSA JWT locally against the auth service's published keys
// (JWKS), so no request waits on a call to auth. It also guards the routes
// only the Dapr sidecar may call.
package authn

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
)

// The claims every access token carries.
const (
	Issuer   = "ltm-auth"
	Audience = "ltm"
)

// ErrInvalidToken covers every reason a token is refused; callers never
// learn which check failed.
var ErrInvalidToken = errors.New("invalid access token")

// KeySource resolves a verification key by key id.
type KeySource interface {
	Key(ctx context.Context, kid string) (ed25519.PublicKey, error)
}

// Claims are what a verified token says.
type Claims struct {
	UserID string
	ID     string // jti
	// SessionID (claim sid) names the login the token comes from (auth's
	// refresh family): a logout revokes it. Tokens minted before sid
	// existed have none.
	SessionID string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// accessClaims is the token's payload as parsed.
type accessClaims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid,omitempty"`
}

// Verifier checks access tokens.
type Verifier struct {
	keys    KeySource
	clock   clock.Clock
	leeway  time.Duration
	revoked *Revocations
	cache   *tokenCache // nil: every token is parsed and its signature checked
	// guards counts Require calls: a service that mounts none verifies no
	// user token and needs no revocations.
	guards atomic.Int32
}

// TokenCacheSize is how many verified tokens a Verifier remembers by
// default (CacheTokens).
const TokenCacheSize = 10_000

// NewVerifier returns a verifier using keys and the time from c, with a
// cache of TokenCacheSize verified tokens.
func NewVerifier(keys KeySource, c clock.Clock) *Verifier {
	v := &Verifier{keys: keys, clock: c, leeway: Leeway}
	v.CacheTokens(TokenCacheSize)
	return v
}

// CacheTokens makes Verify remember up to n verified tokens (0: none), so
// a token presented again skips the signature check and the JSON parse.
// Call it before serving.
func (v *Verifier) CacheTokens(n int) {
	v.cache = nil
	if n > 0 {
		v.cache = newTokenCache(n)
	}
}

// UseRevocations makes Verify refuse the tokens r names. Call it before
// serving; platform/service does, with a poller feeding r.
func (v *Verifier) UseRevocations(r *Revocations) { v.revoked = r }

// Guards reports whether Require was called, i.e. some route is guarded.
func (v *Verifier) Guards() bool { return v.guards.Load() > 0 }

// Verify checks signature (EdDSA only), issuer, audience, expiry, the
// subject's form and, with UseRevocations, that the session has not ended.
// A token verified before (the cache) is taken on its earlier check until
// its expiry; revocation is checked every time.
func (v *Verifier) Verify(ctx context.Context, token string) (Claims, error) {
	now := v.clock.Now()
	var (
		c   Claims
		key [sha256.Size]byte
		hit bool
	)
	if v.cache != nil {
		key = sha256.Sum256([]byte(token))
		c, hit = v.cache.get(key, now)
	}
	if !hit {
		var err error
		if c, err = v.parse(ctx, token); err != nil {
			return Claims{}, err
		}
		if v.cache != nil {
			v.cache.put(key, c)
		}
	}
	if v.revoked != nil && v.revoked.Revoked(c, now) {
		return Claims{}, fmt.Errorf("%w: the session has ended", ErrInvalidToken)
	}
	return c, nil
}

// parse is the full check of a token: signature and claims.
func (v *Verifier) parse(ctx context.Context, token string) (Claims, error) {
	var ac accessClaims
	rc := &ac.RegisteredClaims
	parsed, err := jwt.ParseWithClaims(token, &ac, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("no kid")
		}
		return v.keys.Key(ctx, kid)
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(v.leeway),
		jwt.WithTimeFunc(v.clock.Now),
	)
	if err != nil || !parsed.Valid {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if _, err := uuid.Parse(rc.Subject); err != nil {
		return Claims{}, fmt.Errorf("%w: subject is not a user id", ErrInvalidToken)
	}
	c := Claims{UserID: rc.Subject, ID: rc.ID, SessionID: ac.SessionID}
	if rc.IssuedAt != nil {
		c.IssuedAt = rc.IssuedAt.Time
	}
	if rc.ExpiresAt != nil {
		c.ExpiresAt = rc.ExpiresAt.Time
	}
	return c, nil
}

type ctxKey struct{}

// WithUserID returns ctx carrying the authenticated user's id.
func WithUserID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// UserID returns the authenticated user's id, or "" outside Require.
func UserID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Caller is the authenticated user behind a request guarded by Require.
// Outside Require it answers 401 and returns false, so a route mounted
// without the guard by mistake fails closed.
func Caller(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(UserID(c.Request.Context()))
	if err != nil {
		Unauthorized(c, "Sign in first: this needs an access token.")
		return uuid.Nil, false
	}
	return id, true
}

// BearerToken returns the token of an "Authorization: Bearer …" header.
func BearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// Require refuses requests without a valid access token (401 problem)
// and puts the user id in the request context for the handlers after it.
func (v *Verifier) Require() gin.HandlerFunc {
	v.guards.Add(1)
	return func(c *gin.Context) {
		token, ok := BearerToken(c.Request)
		if !ok {
			Unauthorized(c, "Sign in first: this needs an access token.")
			return
		}
		claims, err := v.Verify(c.Request.Context(), token)
		if err != nil {
			Unauthorized(c, "The access token is invalid or expired.")
			return
		}
		c.Request = c.Request.WithContext(WithUserID(c.Request.Context(), claims.UserID))
		c.Next()
	}
}

// Unauthorized answers 401 with the Bearer challenge.
func Unauthorized(c *gin.Context, detail string) {
	c.Header("WWW-Authenticate", `Bearer realm="ltm", error="invalid_token"`)
	httpx.Abort(c, problem.New(http.StatusUnauthorized, detail))
}
