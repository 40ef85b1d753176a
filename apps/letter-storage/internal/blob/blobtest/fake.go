// Package blobtest is a fake Dapr sidecar serving the images output
// binding over the HTTP API, behaving like the real components: base64 in,
// raw bytes (localstorage) or base64 (gcp.bucket with encodeBase64) out,
// and the real error texts for missing objects.
package blobtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// Kind selects which component the fake imitates.
type Kind int

const (
	LocalStorage Kind = iota
	GCPBucket
)

// Sidecar is a running fake. Its Objects hold decoded bytes by name.
type Sidecar struct {
	*httptest.Server
	Kind Kind

	mu         sync.Mutex
	objects    map[string][]byte
	loseWrites bool
	failAll    bool
}

// LoseWrites makes create answer 200 without storing, like gcp.bucket in
// 1.14 when the upload fails.
func (s *Sidecar) LoseWrites(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loseWrites = on
}

// FailAll makes every call answer 500 with an error that is not about a
// missing object (the bucket is unreachable).
func (s *Sidecar) FailAll(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAll = on
}

// New starts a fake sidecar serving binding name; it stops with the test.
func New(t testing.TB, name string, kind Kind) *Sidecar {
	s := &Sidecar{Kind: kind, objects: map[string][]byte{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1.0/bindings/"+name, s.serve)
	mux.HandleFunc("GET /v1.0/healthz/outbound", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Port is the fake's TCP port.
func (s *Sidecar) Port() int {
	return s.Listener.Addr().(*net.TCPAddr).Port
}

// Object returns a stored object's bytes.
func (s *Sidecar) Object(name string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objects[name]
	return b, ok
}

// Len is the number of stored objects.
func (s *Sidecar) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.objects)
}

// Put stores an object directly (raw bytes).
func (s *Sidecar) Put(name string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[name] = data
}

type request struct {
	Operation string            `json:"operation"`
	Data      json.RawMessage   `json:"data"`
	Metadata  map[string]string `json:"metadata"`
}

func (s *Sidecar) serve(w http.ResponseWriter, r *http.Request) {
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "ERR_MALFORMED_REQUEST", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failAll {
		fail(w, http.StatusInternalServerError, "ERR_INVOKE_OUTPUT_BINDING", "error invoking output binding images: connection refused")
		return
	}
	name := req.Metadata["fileName"]
	if s.Kind == GCPBucket {
		name = req.Metadata["key"]
	}
	switch req.Operation {
	case "create":
		// daprd re-marshals data; both components unquote, then decode.
		data := []byte(req.Data)
		if u, err := strconv.Unquote(string(data)); err == nil {
			data = []byte(u)
		}
		if dec, err := base64.StdEncoding.DecodeString(string(data)); err == nil {
			data = dec
		} else if s.Kind == GCPBucket {
			fail(w, http.StatusInternalServerError, "ERR_INVOKE_OUTPUT_BINDING", "gcp bucket binding error. Uploading: illegal base64")
			return
		}
		if !s.loseWrites {
			s.objects[name] = data
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"fileName":%q}`, name)
	case "get":
		b, ok := s.objects[name]
		if !ok {
			fail(w, http.StatusInternalServerError, "ERR_INVOKE_OUTPUT_BINDING", s.missing(name))
			return
		}
		if s.Kind == GCPBucket && req.Metadata["encodeBase64"] == "true" {
			b = []byte(base64.StdEncoding.EncodeToString(b))
		}
		_, _ = w.Write(b)
	case "delete":
		if _, ok := s.objects[name]; !ok {
			fail(w, http.StatusInternalServerError, "ERR_INVOKE_OUTPUT_BINDING", s.missing(name))
			return
		}
		delete(s.objects, name)
		w.WriteHeader(http.StatusNoContent)
	default:
		fail(w, http.StatusInternalServerError, "ERR_INVOKE_OUTPUT_BINDING", "unsupported operation "+req.Operation)
	}
}

func (s *Sidecar) missing(name string) string {
	if s.Kind == GCPBucket {
		return "error invoking output binding images: object not found"
	}
	return "error invoking output binding images: file not found: /data/images/" + name
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorCode": code, "message": msg})
}
