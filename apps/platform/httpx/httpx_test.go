package httpx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
)

func newRouter(logs io.Writer) *gin.Engine {
	return httpx.NewRouter(slog.New(slog.NewJSONHandler(logs, nil)))
}

func decodeProblem(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != problem.ContentType {
		t.Fatalf("Content-Type = %q, want %q (body %s)", ct, problem.ContentType, rec.Body)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestUnknownRouteAndMethodAreProblems(t *testing.T) {
	r := newRouter(io.Discard)
	r.GET("/things", func(c *gin.Context) { c.Status(http.StatusOK) })

	tests := []struct {
		name, method, path string
		want               int
	}{
		{"unknown path", http.MethodGet, "/nowhere", http.StatusNotFound},
		{"wrong method", http.MethodDelete, "/things", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d", rec.Code, tt.want)
			}
			if got := decodeProblem(t, rec)["status"]; got != float64(tt.want) {
				t.Errorf("problem status = %v", got)
			}
		})
	}
}

func TestPanicBecomes500WithoutStack(t *testing.T) {
	var logs bytes.Buffer
	r := newRouter(&logs)
	r.GET("/boom", func(c *gin.Context) { panic("secret internal detail") })

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", rec.Code)
	}
	decodeProblem(t, rec)
	if strings.Contains(rec.Body.String(), "secret internal detail") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Errorf("response leaks internals: %s", rec.Body)
	}
	if !strings.Contains(logs.String(), "secret internal detail") {
		t.Errorf("panic not logged: %s", logs.String())
	}
}

func TestRequestIDIsKeptWhenSafeAndReplacedOtherwise(t *testing.T) {
	r := newRouter(io.Discard)
	r.GET("/", func(c *gin.Context) { c.Status(http.StatusNoContent) })

	tests := []struct {
		name, in string
		kept     bool
	}{
		{"safe id kept", "abc-123_x.y", true},
		{"injection replaced", "abc\ninjected", false},
		{"too long replaced", strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set(httpx.RequestIDHeader, tt.in)
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			got := rec.Header().Get(httpx.RequestIDHeader)
			if got == "" {
				t.Fatal("no request id in response")
			}
			if (got == tt.in) != tt.kept {
				t.Errorf("request id = %q, kept = %v, want kept = %v", got, got == tt.in, tt.kept)
			}
		})
	}
}

func TestAccessLogNeverContainsQueryOrHeaders(t *testing.T) {
	var logs bytes.Buffer
	r := newRouter(&logs)
	r.GET("/x", func(c *gin.Context) { c.Status(http.StatusOK) })
	req := httptest.NewRequest(http.MethodGet, "/x?token=supersecret", nil)
	req.Header.Set("Authorization", "Bearer supersecret")
	r.ServeHTTP(httptest.NewRecorder(), req)
	if strings.Contains(logs.String(), "supersecret") {
		t.Errorf("access log leaks: %s", logs.String())
	}
	if !strings.Contains(logs.String(), `"route":"/x"`) {
		t.Errorf("access log lacks the route: %s", logs.String())
	}
}

// Quiet requests (cron ticks) log below info when they succeed, and as
// usual when they are refused or fail: a failing sweep must still be seen.
func TestAccessLogQuietOnlyWhileSucceeding(t *testing.T) {
	var logs bytes.Buffer
	r := newRouter(&logs) // the default handler level is info
	r.POST("/tick", func(c *gin.Context) { httpx.Quiet(c); c.Status(http.StatusOK) })
	r.POST("/failing-tick", func(c *gin.Context) { httpx.Quiet(c); c.Status(http.StatusInternalServerError) })
	r.POST("/refused-tick", func(c *gin.Context) { httpx.Quiet(c); c.Status(http.StatusBadRequest) })
	r.POST("/loud", func(c *gin.Context) { c.Status(http.StatusOK) })
	for _, path := range []string{"/tick", "/failing-tick", "/refused-tick", "/loud"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, path, nil))
	}
	out := logs.String()
	if strings.Contains(out, `"route":"/tick"`) {
		t.Errorf("a successful quiet request was logged at info: %s", out)
	}
	if !strings.Contains(out, `"route":"/failing-tick"`) || !strings.Contains(out, `"level":"ERROR"`) {
		t.Errorf("a failing quiet request was not logged as an error: %s", out)
	}
	if !strings.Contains(out, `"route":"/refused-tick"`) {
		t.Errorf("a refused quiet request was not logged: %s", out)
	}
	if !strings.Contains(out, `"route":"/loud"`) {
		t.Errorf("an ordinary request was not logged: %s", out)
	}
}

func TestDecodeJSON(t *testing.T) {
	type body struct {
		Name string `json:"name"`
		Age  int    `json:"age"`
	}
	tests := []struct {
		name, contentType, in string
		limit                 int64
		wantStatus            int
	}{
		{"valid", "application/json", `{"name":"a","age":3}`, 0, 0},
		{"charset ok", "application/json; charset=utf-8", `{"name":"a"}`, 0, 0},
		{"wrong content type", "text/plain", `{"name":"a"}`, 0, http.StatusUnsupportedMediaType},
		{"malformed", "application/json", `{"name":`, 0, http.StatusBadRequest},
		{"empty", "application/json", ``, 0, http.StatusBadRequest},
		{"wrong type", "application/json", `{"age":"old"}`, 0, http.StatusBadRequest},
		{"trailing data", "application/json", `{"name":"a"} {"name":"b"}`, 0, http.StatusBadRequest},
		{"too large", "application/json", `{"name":"` + strings.Repeat("a", 100) + `"}`, 50, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(rec)
			c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.in))
			c.Request.Header.Set("Content-Type", tt.contentType)
			var dst body
			err := httpx.DecodeJSON(c, &dst, tt.limit)
			if tt.wantStatus == 0 {
				if err != nil {
					t.Fatalf("DecodeJSON: %v", err)
				}
				return
			}
			var p *problem.Problem
			if !errors.As(err, &p) {
				t.Fatalf("err = %v, want a problem", err)
			}
			if p.Status != tt.wantStatus {
				t.Errorf("status = %d, want %d (%s)", p.Status, tt.wantStatus, p.Detail)
			}
		})
	}
}

func TestReadyzReportsFailingChecksAndDraining(t *testing.T) {
	var dbUp = true
	h := httpx.NewHealth(map[string]httpx.Check{
		"database": func(context.Context) error {
			if !dbUp {
				return errors.New("connection refused")
			}
			return nil
		},
	})
	r := newRouter(io.Discard)
	h.Mount(r)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}

	if rec := get("/readyz"); rec.Code != http.StatusOK {
		t.Errorf("ready: status %d, want 200", rec.Code)
	}
	dbUp = false
	rec := get("/readyz")
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("db down: status %d, want 503", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), "connection refused") {
		t.Errorf("db down: body does not say why: %s", rec.Body)
	}
	dbUp = true
	h.Drain()
	if rec := get("/readyz"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("draining: status %d, want 503", rec.Code)
	}
	if rec := get("/healthz"); rec.Code != http.StatusOK {
		t.Errorf("healthz while draining: status %d, want 200", rec.Code)
	}
}

func TestFailMapsErrorsInOnePlace(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantType   string
	}{
		{"problem as itself", problem.Typed(http.StatusLocked, "sealed", "Sealed", "later"), http.StatusLocked, problem.TypeURI("sealed")},
		{"field error as the validation problem", fmt.Errorf("create: %w", fields.New("title", "required")), http.StatusBadRequest, problem.TypeURI("validation")},
		{"anything else as 500", errors.New("db down"), http.StatusInternalServerError, "about:blank"},
		{"an unreachable database as 503", fmt.Errorf("list: %w", &pgconn.ConnectError{}), http.StatusServiceUnavailable, "about:blank"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			r := newRouter(&logs)
			log := slog.New(slog.NewJSONHandler(&logs, nil))
			r.GET("/x", func(c *gin.Context) { httpx.Fail(c, log, tt.err) })
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
			p := decodeProblem(t, rec)
			if rec.Code != tt.wantStatus || p["type"] != tt.wantType {
				t.Fatalf("got %d %v, want %d %s", rec.Code, p["type"], tt.wantStatus, tt.wantType)
			}
			if tt.wantStatus == http.StatusBadRequest {
				if errs, _ := p["errors"].(map[string]any); errs["title"] != "required" {
					t.Errorf("errors = %v", p["errors"])
				}
			}
			if tt.wantStatus == http.StatusServiceUnavailable && rec.Header().Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
			if tt.wantStatus == http.StatusInternalServerError && strings.Contains(rec.Body.String(), "db down") {
				t.Errorf("500 leaks its cause: %s", rec.Body)
			}
		})
	}
}
