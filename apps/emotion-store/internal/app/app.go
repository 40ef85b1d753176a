// Package app holds emotion-store-service's use cases: folding analysis
// and deletion events into a user's record, reading statistics from it,
// and running re-analysis jobs. It calls the domain's ports, never an
// adapter.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/fields"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
)

// Deps are the ports and edges the use cases need.
type Deps struct {
	Store    emotion.Store
	Letters  emotion.Letters
	Analyzer emotion.Analyzer
	Profiles emotion.Profiles
	Comforts *emotion.Comforts
	Clock    clock.Clock
	// NewID names re-analysis jobs (a UUID in production).
	NewID func() string
	Log   *slog.Logger
	// Jobs tunes how re-analyses are dispatched; zero values are the
	// defaults.
	Jobs JobPolicy
}

// Service is the use cases.
type Service struct {
	Deps
	jobs *jobRunner
}

// New returns the use cases over d.
func New(d Deps) *Service {
	s := &Service{Deps: d}
	s.jobs = newJobRunner(s, d.Jobs.withDefaults())
	return s
}

// Analyzed is an emotion.analyzed event as the store needs it.
type Analyzed struct {
	LetterID   string
	UserID     string
	Mood       string
	Detailed   string
	WrittenAt  time.Time
	AnalyzedAt time.Time
	JobID      string
}

// ApplyAnalysis folds one analysis into its user's record. A malformed
// one is emotion.ErrInvalid (poison); a storage failure is worth a retry.
func (s *Service) ApplyAnalysis(ctx context.Context, a Analyzed) error {
	if a.UserID == "" {
		return fmt.Errorf("%w: an analysis needs a user id", emotion.ErrInvalid)
	}
	res, err := emotion.NewResult(a.LetterID, a.Mood, a.Detailed, a.WrittenAt, a.AnalyzedAt, a.JobID)
	if err != nil {
		return err
	}
	finished := false
	err = s.Store.Update(ctx, a.UserID, func(r *emotion.Record) (bool, error) {
		now := s.Clock.Now()
		changed := r.Apply(res, now)
		finished = false
		if a.JobID != "" {
			if j, err := r.Job(a.JobID); err == nil && j.Status(now) != emotion.JobRunning {
				finished = true
			}
		}
		return changed, nil
	})
	if err != nil {
		return err
	}
	if finished {
		return s.Store.SetRunning(ctx, a.UserID, a.JobID, false)
	}
	return nil
}

// RemoveLetter forgets a deleted letter's result.
func (s *Service) RemoveLetter(ctx context.Context, userID, letterID string) error {
	if userID == "" || letterID == "" {
		return fmt.Errorf("%w: letter.deleted needs letter_id and user_id", emotion.ErrInvalid)
	}
	return s.Store.Update(ctx, userID, func(r *emotion.Record) (bool, error) {
		return r.Remove(letterID, s.Clock.Now()), nil
	})
}

// PurgeUser forgets everything about a deleted user.
func (s *Service) PurgeUser(ctx context.Context, userID string) error {
	if userID == "" {
		return fmt.Errorf("%w: user.deleted needs user_id", emotion.ErrInvalid)
	}
	err := s.Store.Update(ctx, userID, func(r *emotion.Record) (bool, error) {
		return r.Purge(s.Clock.Now()), nil
	})
	if err != nil {
		return err
	}
	return s.Store.SetRunning(ctx, userID, "", false)
}

// Summary is the statistics the user sees, with the comfort message in
// their language.
type Summary struct {
	emotion.Summary
	Comfort Comfort
}

// Comfort is the message for the most frequent mood ("" for no data).
type Comfort struct {
	Mood    emotion.Mood
	Message string
}

// Summary computes userID's summary; lang (ko, en) overrides the locale
// of the user's profile.
func (s *Service) Summary(ctx context.Context, userID, lang string) (Summary, error) {
	if lang != "" && lang != emotion.Korean && lang != emotion.English {
		return Summary{}, fields.New("lang", "must be ko or en")
	}
	rec, err := s.Store.Record(ctx, userID)
	if err != nil {
		return Summary{}, err
	}
	if lang == "" {
		p, err := s.Profiles.Profile(ctx, userID)
		if err != nil {
			return Summary{}, err
		}
		lang = p.Locale
	}
	sum := emotion.Summarize(rec.Results(), s.Clock.Now())
	return Summary{Summary: sum, Comfort: Comfort{Mood: sum.MostFrequent, Message: s.Comforts.For(sum.MostFrequent, lang)}}, nil
}

// Timeline buckets userID's letters in their timezone.
func (s *Service) Timeline(ctx context.Context, userID, period, from, to string) ([]emotion.Bucket, error) {
	// Validate before asking user-service, in UTC; the range is rebuilt
	// in the user's zone below (only "today" depends on the zone).
	if _, err := emotion.NewRange(period, from, to, time.UTC, s.Clock.Now()); err != nil {
		return nil, err
	}
	p, err := s.Profiles.Profile(ctx, userID)
	if err != nil {
		return nil, err
	}
	rg, err := emotion.NewRange(period, from, to, p.Location, s.Clock.Now())
	if err != nil {
		return nil, err
	}
	rec, err := s.Store.Record(ctx, userID)
	if err != nil {
		return nil, err
	}
	return emotion.Timeline(rec.Results(), rg), nil
}

// RecentMood is the mood recommendations follow for userID.
func (s *Service) RecentMood(ctx context.Context, userID string) (emotion.RecentMood, error) {
	rec, err := s.Store.Record(ctx, userID)
	if err != nil {
		return emotion.RecentMood{}, err
	}
	return emotion.Recent(rec.Results(), s.Clock.Now()), nil
}

// JobView is a re-analysis's progress.
type JobView struct {
	Status emotion.JobStatus
	Total  int
	Done   int
}

// Job reports userID's job; another user's job is ErrJobNotFound.
func (s *Service) Job(ctx context.Context, userID, jobID string) (JobView, error) {
	rec, err := s.Store.Record(ctx, userID)
	if err != nil {
		return JobView{}, err
	}
	j, err := rec.Job(jobID)
	if err != nil {
		return JobView{}, err
	}
	return JobView{Status: j.Status(s.Clock.Now()), Total: j.Total(), Done: j.Done()}, nil
}

// StartReanalysis starts re-analysing all of userID's letters and returns
// the job id, or the id of the job already running.
func (s *Service) StartReanalysis(ctx context.Context, userID string) (string, error) {
	id := s.NewID()
	var jobID string
	started := false
	err := s.Store.Update(ctx, userID, func(r *emotion.Record) (bool, error) {
		j, ok, err := r.StartJob(id, s.Clock.Now())
		if err != nil {
			return false, err
		}
		jobID, started = j.ID(), ok
		return ok, nil
	})
	if err != nil {
		return "", err
	}
	// Listed before it runs: a restart in between resumes it. A running
	// job is listed and submitted again too (both are no-ops when done
	// already), so one whose listing failed the first time is not stuck.
	if err := s.Store.SetRunning(ctx, userID, jobID, true); err != nil {
		return "", err
	}
	if started {
		s.Log.InfoContext(ctx, "re-analysis started", "job_id", jobID)
	}
	s.jobs.submit(userID, jobID)
	return jobID, nil
}

// RunJobs dispatches re-analyses until ctx ends, resuming the ones a
// previous run left running. It is a service worker.
func (s *Service) RunJobs(ctx context.Context) error { return s.jobs.run(ctx) }

// isPermanent tells a refusal apart from a failure worth retrying.
func isPermanent(err error) bool {
	return errors.Is(err, emotion.ErrPermanent) || errors.Is(err, emotion.ErrInvalid)
}
