package emotion

import (
	"cmp"
	"errors"
	"slices"
	"time"
)

// Bounds of one user's record, which is one document in the state store.
const (
	// MaxResults bounds the letters a record keeps: a letter a day for
	// 27 years. Beyond it the earliest written letters leave the
	// statistics, so the document stays near 1.2 MB (BenchmarkRecordCodec).
	MaxResults = 10000
	// tombstoneTTL is how long a deleted letter is remembered, so that
	// its analysis arriving late (the broker redelivers for ~1 minute,
	// a dead-lettered replay much later) does not bring it back.
	tombstoneTTL = 30 * 24 * time.Hour
	// maxTombstones bounds those memories when a user deletes in bulk.
	maxTombstones = 1000
	// keepJobs is how many finished re-analyses stay readable.
	keepJobs = 5
)

// ErrUserGone is returned for a user whose data was purged.
var ErrUserGone = errors.New("user deleted")

// ErrJobNotFound is returned for a job id the user does not have.
var ErrJobNotFound = errors.New("re-analysis job not found")

// Record is everything emotion-store keeps about one user: each letter's
// latest result, recently deleted letters, re-analysis jobs, and whether
// the user was deleted. Every change is idempotent: applying the same
// event twice changes nothing the second time, so the record can be
// saved with optimistic concurrency and the change re-applied on a
// conflict.
type Record struct {
	results  map[string]Result
	removed  map[string]time.Time
	purgedAt time.Time
	jobs     []*Job // oldest first
}

// Snapshot is a record's persistent form, for storage adapters.
type Snapshot struct {
	Results  []Result
	Removed  map[string]time.Time
	PurgedAt time.Time
	Jobs     []JobState
}

// NewRecord returns the empty record of a user nothing is known about.
func NewRecord() *Record {
	return &Record{results: map[string]Result{}, removed: map[string]time.Time{}}
}

// Restore rebuilds a record from its snapshot.
func Restore(s Snapshot) *Record {
	r := NewRecord()
	for _, res := range s.Results {
		r.results[res.letterID] = res
	}
	for id, at := range s.Removed {
		r.removed[id] = at
	}
	r.purgedAt = s.PurgedAt
	for _, j := range s.Jobs {
		r.jobs = append(r.jobs, restoreJob(j))
	}
	return r
}

// Snapshot returns the record's persistent form, results ordered by
// letter id so equal records encode equally.
func (r *Record) Snapshot() Snapshot {
	s := Snapshot{Removed: map[string]time.Time{}, PurgedAt: r.purgedAt}
	for _, res := range r.results {
		s.Results = append(s.Results, res)
	}
	slices.SortFunc(s.Results, func(a, b Result) int { return cmp.Compare(a.letterID, b.letterID) })
	for id, at := range r.removed {
		s.Removed[id] = at
	}
	for _, j := range r.jobs {
		s.Jobs = append(s.Jobs, j.state())
	}
	return s
}

// Purged reports whether the user was deleted.
func (r *Record) Purged() bool { return !r.purgedAt.IsZero() }

// Results returns every letter's latest result.
func (r *Record) Results() []Result {
	out := make([]Result, 0, len(r.results))
	for _, res := range r.results {
		out = append(out, res)
	}
	return out
}

// Apply folds in an analysis and reports whether the record changed. The
// later analysis of a letter replaces the earlier (a re-analysis never
// counts twice); an older or repeated one changes nothing; results for
// deleted letters or a deleted user are ignored. A result carrying the
// id of the running job also counts towards that job.
func (r *Record) Apply(res Result, now time.Time) bool {
	if r.Purged() {
		return false
	}
	changed := false
	if res.jobID != "" {
		if j := r.job(res.jobID); j != nil {
			changed = j.count(res.letterID, now)
		}
	}
	if _, gone := r.removed[res.letterID]; gone {
		return changed
	}
	if old, ok := r.results[res.letterID]; ok && !res.analyzedAt.After(old.analyzedAt) {
		// Equal instants: the same event again, or a tie that must not
		// flip back and forth between deliveries; keep what is there.
		return changed
	}
	r.results[res.letterID] = res
	r.evict()
	return true
}

// Remove forgets a deleted letter and remembers that it was deleted.
func (r *Record) Remove(letterID string, now time.Time) bool {
	if r.Purged() {
		return false
	}
	_, had := r.results[letterID]
	delete(r.results, letterID)
	for _, j := range r.jobs {
		if j.drop(letterID, now) {
			had = true
		}
	}
	if _, known := r.removed[letterID]; !known {
		r.removed[letterID] = now
		had = true
	}
	r.pruneTombstones(now)
	return had
}

// Purge forgets everything about a deleted user; what remains is the
// mark that the user is gone, so late events do not bring them back.
func (r *Record) Purge(now time.Time) bool {
	if r.Purged() {
		return false
	}
	*r = Record{results: map[string]Result{}, removed: map[string]time.Time{}, purgedAt: now}
	return true
}

// StartJob starts a re-analysis with id, unless one is running: then it
// returns the running job and started false.
func (r *Record) StartJob(id string, now time.Time) (job *Job, started bool, err error) {
	if r.Purged() {
		return nil, false, ErrUserGone
	}
	if j := r.RunningJob(now); j != nil {
		return j, false, nil
	}
	// A job that timed out is closed for good before the next one starts.
	for _, j := range r.jobs {
		if j.status == JobRunning {
			j.fail(now)
		}
	}
	j := newJob(id, now)
	r.jobs = append(r.jobs, j)
	if len(r.jobs) > keepJobs {
		r.jobs = slices.Clone(r.jobs[len(r.jobs)-keepJobs:])
	}
	return j, true, nil
}

// RunningJob returns the job running at now, or nil.
func (r *Record) RunningJob(now time.Time) *Job {
	for _, j := range r.jobs {
		if j.running(now) {
			return j
		}
	}
	return nil
}

// Job returns the job with id or ErrJobNotFound.
func (r *Record) Job(id string) (*Job, error) {
	if j := r.job(id); j != nil {
		return j, nil
	}
	return nil, ErrJobNotFound
}

// SetJobLetters records which letters job id re-analyses.
func (r *Record) SetJobLetters(id string, letters []string, now time.Time) bool {
	j := r.job(id)
	return j != nil && j.setLetters(letters, now)
}

// DropJobLetter removes a letter that disappeared from job id.
func (r *Record) DropJobLetter(id, letterID string, now time.Time) bool {
	j := r.job(id)
	return j != nil && j.drop(letterID, now)
}

// FailJob marks job id failed.
func (r *Record) FailJob(id string, now time.Time) bool {
	j := r.job(id)
	return j != nil && j.fail(now)
}

func (r *Record) job(id string) *Job {
	for _, j := range r.jobs {
		if j.id == id {
			return j
		}
	}
	return nil
}

// evict keeps the MaxResults most recently written letters.
func (r *Record) evict() {
	if len(r.results) <= MaxResults {
		return
	}
	all := r.Results()
	slices.SortFunc(all, func(a, b Result) int {
		if c := a.writtenAt.Compare(b.writtenAt); c != 0 {
			return c
		}
		return cmp.Compare(a.letterID, b.letterID)
	})
	for _, res := range all[:len(all)-MaxResults] {
		delete(r.results, res.letterID)
	}
}

func (r *Record) pruneTombstones(now time.Time) {
	for id, at := range r.removed {
		if now.Sub(at) > tombstoneTTL {
			delete(r.removed, id)
		}
	}
	if len(r.removed) <= maxTombstones {
		return
	}
	type tomb struct {
		id string
		at time.Time
	}
	all := make([]tomb, 0, len(r.removed))
	for id, at := range r.removed {
		all = append(all, tomb{id, at})
	}
	slices.SortFunc(all, func(a, b tomb) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	for _, t := range all[:len(all)-maxTombstones] {
		delete(r.removed, t.id)
	}
}
