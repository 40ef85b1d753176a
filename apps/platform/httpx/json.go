package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/problem"
)

// DefaultMaxJSONBytes bounds JSON request bodies; a letter of 20,000
// characters in UTF-8 with JSON escaping fits well inside it.
const DefaultMaxJSONBytes = 256 << 10

// DecodeJSON reads the request body into dst. It enforces the JSON content
// type and a size limit (maxBytes, or DefaultMaxJSONBytes when 0), rejects
// trailing data, refuses text no field accepts (fields.Text: control
// characters, bidi controls) in any string it decoded, and returns a
// *problem.Problem describing what was wrong.
func DecodeJSON(c *gin.Context, dst any, maxBytes int64) error {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxJSONBytes
	}
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return problem.New(http.StatusUnsupportedMediaType, "Send the body as application/json.")
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxBytes))
	if err := dec.Decode(dst); err != nil {
		return decodeProblem(err, maxBytes)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return problem.New(http.StatusBadRequest, "The body must be a single JSON value.")
	}
	if errs := textProblems(dst); len(errs) > 0 {
		return problem.Validation(errs)
	}
	return nil
}

func decodeProblem(err error, maxBytes int64) *problem.Problem {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return problem.New(http.StatusRequestEntityTooLarge, fmt.Sprintf("The body is larger than %d bytes.", maxBytes))
	case errors.Is(err, io.EOF):
		return problem.New(http.StatusBadRequest, "The body is empty; send a JSON object.")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return problem.New(http.StatusBadRequest, "The body is not valid JSON.")
	case errors.As(err, &typ):
		if typ.Field != "" {
			return problem.Validation(map[string]string{typ.Field: "has the wrong type; expected " + typ.Type.String()})
		}
		return problem.New(http.StatusBadRequest, "The body has the wrong shape; expected a JSON object.")
	default:
		return problem.New(http.StatusBadRequest, "The body could not be read.")
	}
}
