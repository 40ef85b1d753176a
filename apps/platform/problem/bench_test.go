package problem

import (
	"net/http/httptest"
	"testing"
)

func BenchmarkWriteValidation(b *testing.B) {
	p := Validation(map[string]string{"title": "must be 1–200 characters", "open_date": "must not be in the past"})
	b.ReportAllocs()
	for b.Loop() {
		Write(httptest.NewRecorder(), p)
	}
}
