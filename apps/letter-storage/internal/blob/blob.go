// Package blob stores image bytes through the Dapr "images" output binding.
// One adapter serves both components the binding can be:
//
//   - bindings.localstorage (local runs) names the object by metadata
//     "fileName", base64-decodes any data that is valid base64, and returns
//     raw bytes on get;
//   - bindings.gcp.bucket (production) names it by "key", decodes base64
//     when "decodeBase64" is true, returns base64 on get with
//     "encodeBase64", and in 1.14 can answer create with 200 although the
//     upload failed.
//
// So the adapter always sends base64 and both names, recognises the bytes
// it gets back by their checksum (raw or base64), and reads every object
// back after writing it.
//
// It uses the sidecar's HTTP API rather than the Go SDK: the SDK's gRPC
// client keeps grpc-go's 4 MiB receive limit, below a 5 MiB image.
package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lettertomyself/ltm/apps/letter-storage/internal/image"
)

// Binding is the images binding seen through a Dapr sidecar.
type Binding struct {
	endpoint string // sidecar HTTP API base, e.g. http://127.0.0.1:3500
	name     string
	maxBytes int64
	client   *http.Client
}

// New returns an adapter for the binding called name behind the sidecar at
// endpoint, reached through transport (which adds the sidecar's API token).
// maxObjectBytes bounds what a get may return.
func New(endpoint string, transport http.RoundTripper, name string, maxObjectBytes int64) *Binding {
	return &Binding{
		endpoint: strings.TrimRight(endpoint, "/"),
		name:     name,
		maxBytes: maxObjectBytes,
		client:   &http.Client{Timeout: 60 * time.Second, Transport: transport},
	}
}

// ErrChecksum means the bucket returned bytes other than those stored.
var ErrChecksum = errors.New("stored object does not match its checksum")

// Put stores data under key, then reads it back.
func (b *Binding) Put(ctx context.Context, key string, data []byte) error {
	enc := base64.StdEncoding.EncodeToString(data)
	meta := b.names(key)
	meta["decodeBase64"] = "true"
	if _, err := b.invoke(ctx, "create", &enc, meta); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if _, err := b.Get(ctx, key, hex.EncodeToString(sum[:])); err != nil {
		return fmt.Errorf("verify %s after create: %w", key, err)
	}
	return nil
}

// Get returns the object's bytes, raw or base64 on the wire, whichever
// matches the checksum.
func (b *Binding) Get(ctx context.Context, key, sha256Hex string) ([]byte, error) {
	meta := b.names(key)
	meta["encodeBase64"] = "true"
	body, err := b.invoke(ctx, "get", nil, meta)
	if err != nil {
		return nil, err
	}
	if matches(body, sha256Hex) {
		return body, nil
	}
	text := string(body)
	if s, err := strconv.Unquote(text); err == nil {
		text = s
	}
	if dec, err := base64.StdEncoding.DecodeString(text); err == nil && matches(dec, sha256Hex) {
		return dec, nil
	}
	return nil, fmt.Errorf("get %s: %w", key, ErrChecksum)
}

// Delete removes the object; one that is already gone is fine.
func (b *Binding) Delete(ctx context.Context, key string) error {
	_, err := b.invoke(ctx, "delete", nil, b.names(key))
	if errors.Is(err, image.ErrObjectMissing) {
		return nil
	}
	return err
}

func (b *Binding) names(key string) map[string]string {
	return map[string]string{"key": key, "fileName": key}
}

func matches(data []byte, sha256Hex string) bool {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]) == sha256Hex
}

type request struct {
	Operation string            `json:"operation"`
	Data      *string           `json:"data,omitempty"`
	Metadata  map[string]string `json:"metadata"`
}

func (b *Binding) invoke(ctx context.Context, op string, data *string, meta map[string]string) ([]byte, error) {
	payload, err := json.Marshal(request{Operation: op, Data: data, Metadata: meta})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.endpoint+"/v1.0/bindings/"+b.name, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("binding %s %s: %w", b.name, op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return nil, bindingError(b.name, op, meta["key"], resp.StatusCode, msg)
	}
	// base64 is 4/3 of the bytes; leave room for quoting.
	limit := b.maxBytes/3*4 + 64<<10
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("binding %s %s: %w", b.name, op, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("binding %s %s: answer larger than %d bytes", b.name, op, limit)
	}
	return body, nil
}

// missingObject are the phrases the two components use for an absent
// object (localstorage: "file not found", "no such file or directory";
// gcp.bucket: "object not found", "object doesn't exist"). Dapr passes the
// component's error on only as text.
var missingObject = []string{"not found", "no such file", "doesn't exist", "does not exist"}

func bindingError(name, op, key string, status int, body []byte) error {
	var e struct {
		ErrorCode string `json:"errorCode"`
		Message   string `json:"message"`
	}
	_ = json.Unmarshal(body, &e)
	msg := strings.ToLower(e.Message)
	// A 404 from daprd itself would mean a missing component, not object.
	if status == http.StatusInternalServerError && e.ErrorCode == "ERR_INVOKE_OUTPUT_BINDING" {
		for _, m := range missingObject {
			if strings.Contains(msg, m) {
				return fmt.Errorf("binding %s %s %s: %w", name, op, key, image.ErrObjectMissing)
			}
		}
	}
	return fmt.Errorf("binding %s %s %s: status %d: %s %s", name, op, key, status, e.ErrorCode, e.Message)
}
