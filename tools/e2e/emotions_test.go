//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// moodOf is a letter's mood as GET /api/letters/{id} shows it ("" while
// not analysed or sealed).
func (w writer) moodOf(t *testing.T, id string) (mood string, status int) {
	t.Helper()
	r := w.call(t, http.MethodGet, "/api/letters/"+id, nil)
	var l struct {
		Mood *string `json:"mood"`
	}
	if r.Status == http.StatusOK {
		r.json(t, &l)
	}
	if l.Mood != nil {
		mood = *l.Mood
	}
	return mood, r.Status
}

type summary struct {
	Analysed      int            `json:"analysed"`
	Moods         map[string]int `json:"moods"`
	MostFrequent  *string        `json:"most_frequent"`
	RecentMood    *string        `json:"recent_mood"`
	Comfort       struct{ Mood, Message string }
	Detailed      map[string]int `json:"detailed"`
	MostFrequentD *string        `json:"most_frequent_detailed"`
}

func (w writer) summary(t *testing.T) summary {
	t.Helper()
	r := w.call(t, http.MethodGet, "/api/emotions/summary", nil)
	expect(t, r, http.StatusOK, "emotion summary")
	var s summary
	r.json(t, &s)
	return s
}

// timelineTotal adds up every bucket's counts (the answer is the bucket
// list, or an object holding it).
func (w writer) timelineTotal(t *testing.T, query string) int {
	t.Helper()
	r := w.call(t, http.MethodGet, "/api/emotions/timeline?"+query, nil)
	expect(t, r, http.StatusOK, "emotion timeline")
	type bucket struct {
		Start  string         `json:"start"`
		Counts map[string]int `json:"counts"`
	}
	var buckets []bucket
	if json.Unmarshal(r.Body, &buckets) != nil {
		var wrapped struct{ Buckets []bucket }
		r.json(t, &wrapped)
		buckets = wrapped.Buckets
	}
	n := 0
	for _, b := range buckets {
		for _, c := range b.Counts {
			n += c
		}
	}
	return n
}

// Every letter is read for its mood: open ones show it within seconds,
// sealed ones count in the statistics without showing it, re-analysis
// replaces rather than adds, deletion takes results along, and the text
// never crosses the broker or lands in another service's database.
func TestEmotionsOfEveryLetter(t *testing.T) {
	w := newWriter(t)
	marker := "mk" + randomHex(6)
	joy := w.write(t, "고마운 하루", "오늘 정말 행복했어. 친구들이 너무 고마워! "+marker, time.Now())
	sad := w.write(t, "Missing home", "I feel so lonely here. I miss my family every single night. "+marker, time.Now())
	sealed := w.write(t, "Later", "I am furious. What they did was so unfair and it makes me angry. "+marker, time.Now().Add(72*time.Hour))

	for id, want := range map[string]string{joy: "joy", sad: "sadness"} {
		eventually(t, 20*time.Second, "mood of an open letter", func() error {
			if got, _ := w.moodOf(t, id); got != want {
				return fmt.Errorf("mood %q, want %q", got, want)
			}
			return nil
		})
	}
	eventually(t, 20*time.Second, "all three letters counted", func() error {
		s := w.summary(t)
		if s.Analysed != 3 || s.Moods["joy"] != 1 || s.Moods["sadness"] != 1 || s.Moods["anger"] != 1 {
			return fmt.Errorf("summary %+v", s)
		}
		return nil
	})
	// The sealed letter's mood counts, but nothing of it shows on the letter.
	r := w.call(t, http.MethodGet, "/api/letters/"+sealed, nil)
	expect(t, r, http.StatusLocked, "the sealed letter")
	if strings.Contains(string(r.Body), "anger") || strings.Contains(string(r.Body), "mood") {
		t.Errorf("sealed letter shows its analysis: %s", r.Body)
	}
	r = w.call(t, http.MethodGet, "/api/letters?category=future", nil)
	expect(t, r, http.StatusOK, "future letters")
	if strings.Contains(string(r.Body), "anger") {
		t.Errorf("the list shows a sealed letter's mood: %s", r.Body)
	}
	s := w.summary(t)
	if s.Comfort.Message == "" || s.RecentMood == nil || s.MostFrequent == nil {
		t.Errorf("summary lacks comfort, recent or most frequent mood: %+v", s)
	}
	if n := w.timelineTotal(t, "period=week"); n != 3 {
		t.Errorf("weekly timeline counts %d letters, want 3", n)
	}
	if n := w.timelineTotal(t, "period=month"); n != 3 {
		t.Errorf("monthly timeline counts %d letters, want 3", n)
	}

	// Re-analysis: 202 with a job, progress to done, nothing counted twice.
	r = w.call(t, http.MethodPost, "/api/emotions/reanalyze", nil)
	expect(t, r, http.StatusAccepted, "re-analyse")
	var job struct {
		JobID string `json:"job_id"`
	}
	r.json(t, &job)
	if job.JobID == "" {
		t.Fatalf("re-analyse answered %s", r.Body)
	}
	eventually(t, 60*time.Second, "re-analysis done", func() error {
		r := w.call(t, http.MethodGet, "/api/emotions/reanalyze/"+job.JobID, nil)
		var p struct {
			Status      string
			Total, Done int
		}
		if r.Status != http.StatusOK {
			return fmt.Errorf("status %d %s", r.Status, r.Body)
		}
		r.json(t, &p)
		if p.Status != "done" || p.Total != 3 || p.Done != 3 {
			return fmt.Errorf("progress %+v", p)
		}
		return nil
	})
	if s := w.summary(t); s.Analysed != 3 {
		t.Errorf("after re-analysis %d analysed, want still 3", s.Analysed)
	}
	other := newWriter(t)
	if r := other.call(t, http.MethodGet, "/api/emotions/reanalyze/"+job.JobID, nil); r.Status != http.StatusNotFound {
		t.Errorf("another user's job: %d, want 404", r.Status)
	}
	if s := other.summary(t); s.Analysed != 0 {
		t.Errorf("another user's summary counts %d letters", s.Analysed)
	}

	// Deleting a letter removes its result.
	expect(t, w.call(t, http.MethodDelete, "/api/letters/"+sad, nil), http.StatusNoContent, "delete a letter")
	eventually(t, 20*time.Second, "the deleted letter uncounted", func() error {
		if s := w.summary(t); s.Analysed != 2 || s.Moods["sadness"] != 0 {
			return fmt.Errorf("summary %+v", s)
		}
		return nil
	})

	// No letter text crossed the broker or sits in another service's database.
	for _, body := range sys.probe.heard() {
		if strings.Contains(body, marker) || strings.Contains(body, "행복했어") {
			t.Errorf("letter text on the broker: %s", body)
		}
	}
	if len(sys.probe.heard()) == 0 {
		t.Error("the probe overheard no letter or emotion event: the check above proves nothing")
	}
	for _, db := range []string{"ltm_letter", "ltm_emotion_ml", "ltm_emotion_store", "ltm_scheduler", "ltm_notification"} {
		dump, err := exec.Command("pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--data-only", sys.W.ID+"_"+db).CombinedOutput()
		if err != nil {
			t.Fatalf("pg_dump %s: %v: %s", db, err, dump)
		}
		if strings.Contains(string(dump), marker) {
			t.Errorf("a dump of %s contains letter text", db)
		}
	}

	// Deleting the account takes every result along.
	expect(t, w.call(t, http.MethodDelete, "/api/auth/account", map[string]string{"password": w.Password}), http.StatusNoContent, "delete the account")
	eventually(t, 30*time.Second, "the account's results purged", func() error {
		var n int
		out, err := exec.Command("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
			"SELECT count(*) FROM analyses WHERE user_id = '"+w.ID+"'", sys.W.ID+"_ltm_emotion_ml").CombinedOutput()
		if err != nil {
			return fmt.Errorf("psql: %v: %s", err, out)
		}
		if _, err := fmt.Sscan(string(out), &n); err != nil || n != 0 {
			return fmt.Errorf("%s analyses left in emotion-ml", strings.TrimSpace(string(out)))
		}
		dump, err := exec.Command("pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--data-only", sys.W.ID+"_ltm_emotion_store").CombinedOutput()
		if err != nil {
			return fmt.Errorf("pg_dump: %v", err)
		}
		if strings.Contains(string(dump), joy) {
			return fmt.Errorf("emotion-store still holds the user's letters")
		}
		return nil
	})
}
