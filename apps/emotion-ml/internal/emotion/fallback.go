package emotion

import (
	"context"
	"errors"
	"log/slog"

	"github.com/lettertomyself/ltm/apps/emotion-ml/internal/analyzer"
)

// Fallback asks a model first and lets the embedded analyzer decide when
// the model fails in any way: an error, a timeout, an answer outside the
// mood set. The verdict says who decided and why.
type Fallback struct {
	Model    Analyzer // nil: no model configured
	Embedded Analyzer
	Log      *slog.Logger
}

// Analyze implements Analyzer.
func (f Fallback) Analyze(ctx context.Context, t Text) (Verdict, error) {
	if f.Model == nil {
		return f.Embedded.Analyze(ctx, t)
	}
	v, err := f.Model.Analyze(ctx, t)
	if err == nil {
		return v, nil
	}
	if ctx.Err() != nil {
		// The caller gave up (shutdown, or its own deadline): not the model's
		// failure, and the embedded verdict would be recorded for nobody.
		return Verdict{}, ctx.Err()
	}
	reason := "model failed"
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		reason = "model timed out"
	case errors.Is(err, ErrModelAnswer):
		reason = "model answer invalid"
	}
	// The error may quote the model's answer, which may quote the letter:
	// only its class is logged.
	f.Log.WarnContext(ctx, "model analysis failed; the embedded analyzer decides", "reason", reason)
	v, err = f.Embedded.Analyze(ctx, t)
	if err != nil {
		return Verdict{}, err
	}
	v.Fallback = reason
	return v, nil
}

// ErrModelAnswer marks a model answer that is not a valid verdict.
var ErrModelAnswer = errors.New("model answer invalid")

// Embedded is the analyzer shipped in the binary, as an Analyzer.
type Embedded struct{ A *analyzer.Analyzer }

// Analyze implements Analyzer.
func (e Embedded) Analyze(_ context.Context, t Text) (Verdict, error) {
	r := e.A.Analyze(t.Title, t.Content)
	return NewVerdict(r.Mood, r.Detailed, r.Scores, r.Version)
}
