package emotion

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/uuid"
)

// Service analyses letters: the use case behind both the letter.created
// subscription and re-analysis requests.
type Service struct {
	letters  Letters
	analyzer Analyzer
	store    Store
	clock    Clock
	log      *slog.Logger
}

// NewService wires the use case to its ports.
func NewService(letters Letters, a Analyzer, store Store, clock Clock, log *slog.Logger) *Service {
	return &Service{letters: letters, analyzer: a, store: store, clock: clock, log: log}
}

// Analyze reads the letter, decides its mood and records the result with
// its event. A request already analysed is not analysed again, so a
// redelivered event or a repeated re-analysis call changes nothing twice.
// ErrLetterGone means there is nothing to analyse; ErrInvalid that the
// request can never succeed; other errors are transient.
func (s *Service) Analyze(ctx context.Context, req Request) error {
	if req.LetterID == uuid.Nil || req.UserID == uuid.Nil {
		return fmt.Errorf("%w: letter and user ids are required", ErrInvalid)
	}
	done, err := s.store.Done(ctx, req)
	if err != nil || done {
		return err
	}
	text, err := s.letters.Text(ctx, req.LetterID)
	if err != nil {
		return err
	}
	a := Analysis{Request: req, WrittenAt: text.WrittenAt}
	if a.Verdict, err = s.analyzer.Analyze(ctx, text); err != nil {
		return err
	}
	a.AnalyzedAt = s.clock.Now().UTC()
	if err := s.store.Record(ctx, a); err != nil {
		return err
	}
	// Only ids, the verdict and who decided are logged: never the text.
	s.log.InfoContext(ctx, "letter analysed", "letter_id", req.LetterID, "mood", a.Verdict.Mood,
		"analyzer", a.Verdict.Analyzer, "job_id", req.JobID, "fallback", a.Verdict.Fallback)
	return nil
}

// ForgetLetter purges what is kept of a deleted letter.
func (s *Service) ForgetLetter(ctx context.Context, letterID uuid.UUID) error {
	return s.store.ForgetLetter(ctx, letterID)
}

// ForgetUser purges what is kept of a deleted user.
func (s *Service) ForgetUser(ctx context.Context, userID uuid.UUID) error {
	return s.store.ForgetUser(ctx, userID)
}
