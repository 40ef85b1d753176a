package httpx_test

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
)

type letterLike struct {
	Title    string          `json:"title"`
	Content  string          `json:"content"`
	ImageIDs []string        `json:"image_ids"`
	Prefs    *prefs          `json:"notifications"`
	Birthday json.RawMessage `json:"birthday"`
	Extra    map[string]any  `json:"extra"`
	Ignored  string          `json:"-"`
}

type prefs struct {
	Zone string `json:"timezone"`
}

func decode(t *testing.T, body string, dst any) error {
	t.Helper()
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	c.Request.Header.Set("Content-Type", "application/json")
	return httpx.DecodeJSON(c, dst, 0)
}

// Issue 15, finding 5: "\u0000" in a title or content made a 500 (Postgres
// refuses NUL). Every decoded string is checked, wherever it sits.
func TestDecodeJSONRefusesControlCharactersInAnyField(t *testing.T) {
	tests := []struct {
		name, body string
		want       map[string]string
	}{
		{"clean letter, line breaks and emoji kept", `{"title":"편지 ❤️","content":"첫 줄\r\n둘째 줄\t끝","image_ids":["a"]}`, nil},
		{"NUL in the title", `{"title":"a\u0000b"}`, map[string]string{"title": fields.MsgControl}},
		{"NUL in content", `{"content":"\u0000"}`, map[string]string{"content": fields.MsgControl}},
		{"escape in an id", `{"image_ids":["ok","\u001b[31m"]}`, map[string]string{"image_ids": fields.MsgControl}},
		{"override in a nested field", `{"notifications":{"timezone":"Asia/\u202eSeoul"}}`, map[string]string{"notifications.timezone": fields.MsgBidi}},
		{"NUL in a field decoded later", `{"birthday":"2000-01-0\u00001"}`, map[string]string{"birthday": fields.MsgControl}},
		{"NUL in a map value", `{"extra":{"k":["\u0000"]}}`, map[string]string{"extra.k": fields.MsgControl}},
		{"NUL in a map key", `{"extra":{"\u0000":1}}`, map[string]string{"extra.key": fields.MsgControl}},
		{"several fields at once", `{"title":"\u0007","content":"\u0000"}`, map[string]string{"title": fields.MsgControl, "content": fields.MsgControl}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst letterLike
			err := decode(t, tt.body, &dst)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("DecodeJSON: %v", err)
				}
				return
			}
			var p *problem.Problem
			if !errors.As(err, &p) || p.Status != http.StatusBadRequest {
				t.Fatalf("err = %v, want a 400 problem", err)
			}
			if !maps.Equal(p.Errors, tt.want) {
				t.Errorf("errors = %q, want %q", p.Errors, tt.want)
			}
		})
	}
}

func TestDecodeJSONChecksUntypedBodies(t *testing.T) {
	var m map[string]any
	err := decode(t, `{"nickname":"\u0000"}`, &m)
	var p *problem.Problem
	if !errors.As(err, &p) || p.Errors["nickname"] != fields.MsgControl {
		t.Fatalf("err = %v", err)
	}
	var s string
	if err := decode(t, `"\u0000"`, &s); !errors.As(err, &p) || p.Errors["body"] != fields.MsgControl {
		t.Fatalf("bare string: %v", err)
	}
}

// FuzzDecodeJSON: any body gives either a decoded value whose every string
// passes fields.Text, or a problem with a 4xx status; never a panic.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"title":"편지","content":"a\nb"}`, `{"title":"\u0000"}`, `{"image_ids":["\u202e"]}`,
		`{"notifications":{"timezone":"UTC"}}`, `{"birthday":"2000-01-01"}`, `{"extra":{"a":[1,"b",null]}}`,
		`{"title":`, `[]`, `null`, `"x"`, `{"title":"a"} 1`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var dst letterLike
		err := decode(t, body, &dst)
		if err != nil {
			var p *problem.Problem
			if !errors.As(err, &p) || p.Status < 400 || p.Status > 499 {
				t.Fatalf("body %q: %v, want a 4xx problem", body, err)
			}
			return
		}
		for _, s := range append([]string{dst.Title, dst.Content}, dst.ImageIDs...) {
			if msg := fields.Text(s); msg != "" {
				t.Fatalf("body %q decoded %q, which %s", body, s, msg)
			}
		}
	})
}
