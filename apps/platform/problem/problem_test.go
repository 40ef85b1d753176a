package problem

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWriteValidationProblem(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, Validation(map[string]string{"email": "must be a valid address"}))

	if got, want := rec.Code, http.StatusBadRequest; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	if got := rec.Header().Get("Content-Type"); got != ContentType {
		t.Errorf("Content-Type = %q, want %q", got, ContentType)
	}
	var body struct {
		Type   string            `json:"type"`
		Title  string            `json:"title"`
		Status int               `json:"status"`
		Detail string            `json:"detail"`
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Status != 400 || body.Type == "" || body.Title == "" || body.Errors["email"] == "" {
		t.Errorf("incomplete problem: %+v", body)
	}
}

func TestExtensionsAreFlattenedAndCannotOverrideStandardMembers(t *testing.T) {
	p := New(http.StatusLocked, "sealed until its open time").
		With("open_at", "2030-01-01T00:00:00Z").
		With("status", 200)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["open_at"] != "2030-01-01T00:00:00Z" {
		t.Errorf("open_at = %v", m["open_at"])
	}
	if m["status"] != 423.0 {
		t.Errorf("status = %v, want 423 (extension must not override)", m["status"])
	}
	if m["title"] != "Locked" {
		t.Errorf("title = %v, want Locked", m["title"])
	}
}

func TestTypeOf(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"a typed problem", `{"type":"https://lettertomyself.app/problems/letter-not-found","status":404}`, "https://lettertomyself.app/problems/letter-not-found"},
		{"about:blank", `{"type":"about:blank","status":404}`, "about:blank"},
		{"not JSON", `404 page not found`, ""},
		{"empty", ``, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TypeOf([]byte(tt.body)); got != tt.want {
				t.Errorf("TypeOf(%s) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

// Every 401 carries a challenge; one set by the caller is kept.
func TestUnauthorizedCarriesAChallenge(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, New(http.StatusUnauthorized, "This account no longer exists."))
	if got := rec.Header().Get("WWW-Authenticate"); got != `Bearer realm="ltm"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	rec = httptest.NewRecorder()
	rec.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	Write(rec, New(http.StatusUnauthorized, ""))
	if got := rec.Header().Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
		t.Errorf("WWW-Authenticate = %q, want the caller's", got)
	}
	rec = httptest.NewRecorder()
	Write(rec, New(http.StatusForbidden, ""))
	if got := rec.Header().Get("WWW-Authenticate"); got != "" {
		t.Errorf("403 with WWW-Authenticate %q", got)
	}
}
