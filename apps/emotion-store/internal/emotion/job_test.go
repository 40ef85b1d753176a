package emotion_test

import (
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
)

func TestJobCountsEachLetterOnceAndFinishes(t *testing.T) {
	rec := emotion.NewRecord()
	j, started, err := rec.StartJob("job-1", t0)
	if err != nil || !started {
		t.Fatalf("StartJob: %v %v", started, err)
	}
	again, started, _ := rec.StartJob("job-2", t0)
	if started || again.ID() != "job-1" {
		t.Fatalf("second start: started %v, id %s; want the running job-1", started, again.ID())
	}
	// A result may arrive before the letters are listed (a resumed job).
	rec.Apply(result(t, "l1", "joy", "ecstasy", t0, t0.Add(time.Minute), "job-1"), t0)
	rec.SetJobLetters("job-1", []string{"l1", "l2", "l3"}, t0)
	rec.Apply(result(t, "l2", "joy", "ecstasy", t0, t0.Add(time.Minute), "job-1"), t0)
	rec.Apply(result(t, "l2", "joy", "ecstasy", t0, t0.Add(time.Minute), "job-1"), t0)
	// A result of the first analysis (no job) does not count.
	rec.Apply(result(t, "l3", "joy", "ecstasy", t0, t0.Add(time.Second), ""), t0)
	if got := [3]any{j.Status(t0), j.Total(), j.Done()}; got != [3]any{emotion.JobRunning, 3, 2} {
		t.Fatalf("status, total, done = %v, want running 3 2", got)
	}
	if p := j.Pending(); len(p) != 1 || p[0] != "l3" {
		t.Errorf("pending = %v", p)
	}
	// l3 is deleted meanwhile: nothing left to wait for.
	rec.Remove("l3", t0)
	if got := [3]any{j.Status(t0), j.Total(), j.Done()}; got != [3]any{emotion.JobDone, 2, 2} {
		t.Fatalf("after the delete: %v, want done 2 2", got)
	}
	if rec.RunningJob(t0) != nil {
		t.Error("a finished job still counts as running")
	}
	next, started, _ := rec.StartJob("job-3", t0)
	if !started || next.ID() != "job-3" {
		t.Error("a new job could not start after the first finished")
	}
}

func TestJobWithoutLettersIsDoneAtOnce(t *testing.T) {
	rec := emotion.NewRecord()
	j, _, _ := rec.StartJob("job-1", t0)
	rec.SetJobLetters("job-1", nil, t0)
	if j.Status(t0) != emotion.JobDone {
		t.Errorf("status = %s, want done", j.Status(t0))
	}
}

func TestStaleJobReadsFailedAndMakesWay(t *testing.T) {
	rec := emotion.NewRecord()
	j, _, _ := rec.StartJob("job-1", t0)
	late := t0.Add(emotion.JobTimeout + time.Second)
	if j.Status(late) != emotion.JobFailed {
		t.Errorf("status after the timeout = %s, want failed", j.Status(late))
	}
	next, started, _ := rec.StartJob("job-2", late)
	if !started || next.ID() != "job-2" {
		t.Fatal("a timed-out job blocked the next re-analysis")
	}
	if j.Status(t0) != emotion.JobFailed {
		t.Error("the timed-out job was not closed as failed")
	}
}

func TestFailedJob(t *testing.T) {
	rec := emotion.NewRecord()
	j, _, _ := rec.StartJob("job-1", t0)
	if !rec.FailJob("job-1", t0) || rec.FailJob("job-1", t0) {
		t.Fatal("FailJob should change a running job once")
	}
	if j.Status(t0) != emotion.JobFailed {
		t.Errorf("status = %s", j.Status(t0))
	}
	rec.Apply(result(t, "l1", "joy", "ecstasy", t0, t0, "job-1"), t0)
	if j.Done() != 0 {
		t.Error("a failed job kept counting")
	}
}
