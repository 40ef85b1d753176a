package statestore

import (
	"fmt"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
)

// BenchmarkRecordCodec measures decoding and encoding a record at its
// bound, which every event for that user pays once per attempt, and
// reports the document's size.
func BenchmarkRecordCodec(b *testing.B) {
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	rec := emotion.NewRecord()
	for i := range emotion.MaxResults {
		r, err := emotion.NewResult(fmt.Sprintf("%08d-0000-4000-8000-000000000000", i), "joy", "gratitude", t0.Add(-time.Duration(i)*time.Hour), t0, "")
		if err != nil {
			b.Fatal(err)
		}
		rec.Apply(r, t0)
	}
	data, err := encodeRecord(rec)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r, err := decodeRecord(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := encodeRecord(r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "doc-bytes")
}
