package analyzer

import "testing"

// BenchmarkAnalyze measures throughput (letters/s) on each part of the
// evaluation set and prints the part's accuracy and confusion matrix, so
// `make bench` shows quality and speed together.
func BenchmarkAnalyze(b *testing.B) {
	a := newAnalyzer(b)
	for _, part := range []string{"holdout", "tune", "fresh"} {
		letters := loadLetters(b, part+".jsonl")
		b.Run(part, func(b *testing.B) {
			b.Logf("%s", evaluate(a, part, letters).table())
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				l := letters[n%len(letters)]
				a.Analyze(l.Title, l.Content)
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "letters/s")
		})
	}
}
