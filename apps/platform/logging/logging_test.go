package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestLoggerStampsServiceAndIDs(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelInfo, "letter-service")
	ctx := WithTraceID(WithRequestID(context.Background(), "req-1"), "0af7651916cd43dd8448eb211c80319c")
	log.InfoContext(ctx, "hello", "n", 1)
	log.DebugContext(ctx, "dropped below level")

	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("not one JSON record: %v\n%s", err, buf.String())
	}
	for k, want := range map[string]any{
		"service": "letter-service", "request_id": "req-1",
		"trace_id": "0af7651916cd43dd8448eb211c80319c", "msg": "hello", "n": 1.0,
	} {
		if rec[k] != want {
			t.Errorf("%s = %v, want %v", k, rec[k], want)
		}
	}
}

func TestTraceIDFromTraceparent(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"valid", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "0af7651916cd43dd8448eb211c80319c"},
		{"empty", "", ""},
		{"garbage", "hello-world", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TraceIDFromTraceparent(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
