package emotion

import (
	"slices"
	"time"
)

// JobStatus is where a re-analysis stands.
type JobStatus string

// Job statuses on the wire.
const (
	JobRunning JobStatus = "running"
	JobDone    JobStatus = "done"
	JobFailed  JobStatus = "failed"
)

// JobTimeout is how long a re-analysis may run. A job whose results stop
// arriving (an analysis dropped somewhere) would otherwise block the
// user's next re-analysis for good; after this it reads as failed.
const JobTimeout = time.Hour

// Job is one re-analysis of all of a user's letters. It is done when
// every listed letter's result carrying its id has been counted.
type Job struct {
	id         string
	status     JobStatus
	startedAt  time.Time
	finishedAt time.Time
	// listed: the letters are known (until then total is unknown).
	listed  bool
	letters map[string]bool
	counted map[string]bool
}

// JobState is a job's persistent form, for storage adapters.
type JobState struct {
	ID         string
	Status     JobStatus
	StartedAt  time.Time
	FinishedAt time.Time
	Listed     bool
	Letters    []string
	Counted    []string
}

func newJob(id string, now time.Time) *Job {
	return &Job{id: id, status: JobRunning, startedAt: now, letters: map[string]bool{}, counted: map[string]bool{}}
}

func restoreJob(s JobState) *Job {
	j := &Job{id: s.ID, status: s.Status, startedAt: s.StartedAt, finishedAt: s.FinishedAt, listed: s.Listed,
		letters: set(s.Letters), counted: set(s.Counted)}
	return j
}

func (j *Job) state() JobState {
	return JobState{ID: j.id, Status: j.status, StartedAt: j.startedAt, FinishedAt: j.finishedAt, Listed: j.listed,
		Letters: keys(j.letters), Counted: keys(j.counted)}
}

// ID is the job's id.
func (j *Job) ID() string { return j.id }

// Status is the job's status at now: a running job past JobTimeout has
// failed.
func (j *Job) Status(now time.Time) JobStatus {
	if j.status == JobRunning && now.Sub(j.startedAt) > JobTimeout {
		return JobFailed
	}
	return j.status
}

// Total is the number of letters to re-analyse (0 until they are listed).
func (j *Job) Total() int { return len(j.letters) }

// Done is the number of those letters whose new result has arrived.
func (j *Job) Done() int {
	n := 0
	for id := range j.counted {
		if j.letters[id] {
			n++
		}
	}
	return n
}

// Pending lists the letters whose result has not arrived yet, sorted.
func (j *Job) Pending() []string {
	var out []string
	for id := range j.letters {
		if !j.counted[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Listed reports whether the job knows its letters.
func (j *Job) Listed() bool { return j.listed }

func (j *Job) running(now time.Time) bool { return j.Status(now) == JobRunning }

// count records that letterID's result for this job arrived. Results can
// come before the letters are listed (a resumed job), so any letter is
// remembered.
func (j *Job) count(letterID string, now time.Time) bool {
	if j.status != JobRunning || j.counted[letterID] {
		return false
	}
	j.counted[letterID] = true
	j.settle(now)
	return true
}

func (j *Job) setLetters(ids []string, now time.Time) bool {
	if j.status != JobRunning || j.listed {
		return false
	}
	j.listed = true
	j.letters = set(ids)
	j.settle(now)
	return true
}

// drop forgets a letter that went away during the job (deleted, or gone
// when emotion-ml looked for it): it has no result to wait for.
func (j *Job) drop(letterID string, now time.Time) bool {
	if j.status != JobRunning || !j.letters[letterID] {
		return false
	}
	delete(j.letters, letterID)
	delete(j.counted, letterID)
	j.settle(now)
	return true
}

func (j *Job) fail(now time.Time) bool {
	if j.status != JobRunning {
		return false
	}
	j.status = JobFailed
	j.finishedAt = now
	return true
}

func (j *Job) settle(now time.Time) {
	if j.listed && j.Done() == len(j.letters) {
		j.status = JobDone
		j.finishedAt = now
	}
}

func set(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
