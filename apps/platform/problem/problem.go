// Package problem writes RFC 9457 problem details (application/problem+json),
// the one error format every service answers with.
package problem

import (
	"encoding/json"
	"maps"
	"net/http"
)

// ContentType is the media type of a problem response.
const ContentType = "application/problem+json"

// Problem is an RFC 9457 problem details object. Errors carries per-field
// validation messages; Extensions carries members such as open_at.
type Problem struct {
	Type       string            `json:"type"`
	Title      string            `json:"title"`
	Status     int               `json:"status"`
	Detail     string            `json:"detail,omitempty"`
	Instance   string            `json:"instance,omitempty"`
	Errors     map[string]string `json:"errors,omitempty"`
	Extensions map[string]any    `json:"-"`
}

// New returns a problem of the generic type for status, with detail.
func New(status int, detail string) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
}

// Typed returns a problem with its own type URI and title, for errors
// clients may want to tell apart (e.g. a sealed letter).
func Typed(status int, slug, title, detail string) *Problem {
	return &Problem{Type: TypeURI(slug), Title: title, Status: status, Detail: detail}
}

// TypeURI is the type URI of a named problem.
func TypeURI(slug string) string { return "https://lettertomyself.app/problems/" + slug }

// Validation returns a 400 problem listing every invalid field.
func Validation(errs map[string]string) *Problem {
	p := Typed(http.StatusBadRequest, "validation", "Your request has invalid fields.", "See errors for each field.")
	p.Errors = errs
	return p
}

// With adds an extension member and returns p.
func (p *Problem) With(key string, value any) *Problem {
	if p.Extensions == nil {
		p.Extensions = map[string]any{}
	}
	p.Extensions[key] = value
	return p
}

func (p *Problem) Error() string {
	if p.Detail != "" {
		return p.Title + ": " + p.Detail
	}
	return p.Title
}

// MarshalJSON flattens extension members into the object, as RFC 9457 wants.
func (p *Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	base, err := json.Marshal((*plain)(p))
	if err != nil || len(p.Extensions) == 0 {
		return base, err
	}
	var m map[string]any
	if err := json.Unmarshal(base, &m); err != nil {
		return nil, err
	}
	ext := maps.Clone(p.Extensions)
	for k := range m {
		delete(ext, k) // standard members win over extensions of the same name
	}
	maps.Copy(m, ext)
	return json.Marshal(m)
}

// Write sends p as the response.
func Write(w http.ResponseWriter, p *Problem) {
	body, err := json.Marshal(p)
	if err != nil {
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
		p = New(http.StatusInternalServerError, "")
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Cache-Control", "no-store")
	if p.Status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		// A 401 carries a challenge (RFC 9110 §15.5.2), whoever refused:
		// the token check sets its own, with the error.
		w.Header().Set("WWW-Authenticate", `Bearer realm="ltm"`)
	}
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}

// TypeOf is the type of the problem in body ("" when body is not a
// problem): how a caller tells one 404 from another.
func TypeOf(body []byte) string {
	var p struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	return p.Type
}
