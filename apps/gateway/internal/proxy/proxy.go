package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
)

// New returns a handler forwarding /api/* requests to their owning service
// through the Dapr sidecar at sidecar (e.g. http://127.0.0.1:3500), using
// Dapr's HTTP proxy mode: the path stays, the dapr-app-id header picks the
// app. Bodies stream through, so uploads are not buffered here. transport
// carries the requests to the sidecar (with its API token: see
// daprx.Sidecar.Transport around Transport()).
func New(sidecar string, transport http.RoundTripper, log *slog.Logger) (http.Handler, error) {
	target, err := url.Parse(sidecar)
	if err != nil {
		return nil, err
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.URL.Path = r.In.URL.Path
			r.Out.URL.RawPath = r.In.URL.RawPath
			// A client must not steer Dapr: drop every dapr-* header it sent,
			// then name the target app ourselves.
			for k := range r.Out.Header {
				if strings.HasPrefix(strings.ToLower(k), "dapr-") {
					r.Out.Header.Del(k)
				}
			}
			r.Out.Header.Set("dapr-app-id", Owner(r.In.URL.Path))
			r.SetXForwarded()
			if ip, ok := r.In.Context().Value(clientIPKey{}).(string); ok && ip != "" {
				r.Out.Header.Set("X-Forwarded-For", ip)
			}
			if scheme, ok := r.In.Context().Value(schemeKey{}).(string); ok && scheme != "" {
				r.Out.Header.Set("X-Forwarded-Proto", scheme)
			}
		},
		Transport:      transport,
		ModifyResponse: translateDaprErrors,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				problem.Write(w, problem.New(http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body is larger than %d bytes.", tooLarge.Limit)))
				return
			}
			log.ErrorContext(r.Context(), "proxy to sidecar failed", "app", Owner(r.URL.Path), "err", err)
			problem.Write(w, problem.New(http.StatusBadGateway, "The service is not reachable right now. Please try again."))
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !routable(r.URL) {
			problem.Write(w, problem.New(http.StatusNotFound, "There is nothing at "+r.URL.Path+"."))
			return
		}
		rp.ServeHTTP(w, r)
	}), nil
}

// Transport is the connection pool to the sidecar: many idle connections,
// since every API call goes through it, and a bound on a silent service.
func Transport() *http.Transport {
	return &http.Transport{
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
}

type clientIPKey struct{}

// WithClientIP records the client address the edge determined (honouring
// only trusted proxies); the proxy forwards it as X-Forwarded-For so
// services (auth's throttling) see the real client.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

type schemeKey struct{}

// WithScheme records how the client reached the edge (edge.Scheme); the
// proxy forwards it as X-Forwarded-Proto, with the host as
// X-Forwarded-Host, so auth-service knows the site's own origin.
func WithScheme(ctx context.Context, scheme string) context.Context {
	return context.WithValue(ctx, schemeKey{}, scheme)
}

// KnownArea answers 404 for anything the proxy would not route, before
// any other edge check runs.
func KnownArea() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !routable(c.Request.URL) {
			httpx.Abort(c, problem.New(http.StatusNotFound, "There is nothing at "+c.Request.URL.Path+"."))
			return
		}
		c.Next()
	}
}

// routable accepts only clean /api/<known area> paths: no dot segments, no
// encoded slashes, nothing that could be rewritten into /internal/.
func routable(u *url.URL) bool {
	p := u.Path
	if Owner(p) == "" || strings.Contains(p, "/internal/") {
		return false
	}
	if u.RawPath != "" && strings.Contains(strings.ToLower(u.RawPath), "%2f") {
		return false
	}
	clean := path.Clean(p)
	return clean == p || clean+"/" == p
}

// errServiceDown replaces Dapr's own error bodies, which name internals.
var errServiceDown = errors.New("service unavailable")

// translateDaprErrors turns every error the sidecar made itself (the
// target app is down, unknown or timed out; an address it could not use)
// into a problem naming nothing internal; the services' own answers, which
// are problem+json when they are errors, pass through untouched.
func translateDaprErrors(resp *http.Response) error {
	// The gateway already answers with the request id it forwarded.
	resp.Header.Del("X-Request-Id")
	if resp.StatusCode < 400 {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == problem.ContentType {
		return nil
	}
	// Dapr error bodies are JSON with an errorCode and its own wording.
	_ = resp.Body.Close()
	if resp.StatusCode >= 500 {
		return errServiceDown
	}
	body, err := json.Marshal(problem.New(resp.StatusCode, "The request could not be handled."))
	if err != nil {
		return err
	}
	for k := range resp.Header {
		if k != "Date" {
			resp.Header.Del(k)
		}
	}
	resp.Header.Set("Content-Type", problem.ContentType)
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp.ContentLength = int64(len(body))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return nil
}
