package work_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/wallclock"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/schedule"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/work"
)

func TestPlan(t *testing.T) {
	seoul, _ := wallclock.LoadZone("Asia/Seoul")
	monday9, _ := schedule.NewWeekly(time.Monday, "09:00", seoul)
	once, _ := schedule.NewSpecialDate(wallclock.NewDate(2026, 12, 7), false, seoul)
	due := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC) // Monday 09:00 Seoul
	src, user := uuid.New(), uuid.New()
	letter, _ := work.NewLetter(src, user, due, due.Add(-time.Hour))
	routine := work.Restore(work.RoutineReminder, src, user, work.Pending, due, "2026-12-07", &monday9, map[string]any{"title": "w"})
	special := work.Restore(work.SpecialDate, src, user, work.Pending, due, "2026-12-07", &once, map[string]any{"name": "n"})
	const window = 24 * time.Hour

	tests := []struct {
		name     string
		item     work.Item
		now      time.Time
		wantSend bool
		wantSkip bool
		wantNext string // "" for done
	}{
		{"letter on time", letter, due, true, false, ""},
		{"letter a month late is still sent", letter, due.Add(30 * 24 * time.Hour), true, false, ""},
		{"routine on time moves a week on", routine, due.Add(time.Second), true, false, "2026-12-14"},
		{"routine just inside the window", routine, due.Add(window), true, false, "2026-12-14"},
		{"routine just outside the window is skipped", routine, due.Add(window + time.Second), false, true, "2026-12-14"},
		{"routine weeks behind skips to the first occurrence inside the window", routine, due.Add(14*24*time.Hour + time.Hour), false, true, "2026-12-21"},
		{"one-off special date is done", special, due, true, false, ""},
		{"stale one-off special date is done unsent", special, due.Add(48 * time.Hour), false, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := work.Plan(tc.item, tc.now, window)
			if (out.Send != nil) != tc.wantSend || out.Skipped != tc.wantSkip {
				t.Fatalf("send=%v skipped=%v, want %v %v", out.Send != nil, out.Skipped, tc.wantSend, tc.wantSkip)
			}
			if out.Send != nil && out.Send.ID != work.RequestID(tc.item.Kind(), src, tc.item.Occurrence()) {
				t.Errorf("id %s", out.Send.ID)
			}
			switch {
			case tc.wantNext == "" && out.Next != nil:
				t.Errorf("next %s, want done", out.Next.Key)
			case tc.wantNext != "" && (out.Next == nil || out.Next.Key != tc.wantNext):
				t.Errorf("next %v, want %s", out.Next, tc.wantNext)
			}
		})
	}
}

// notification-service links each mail to its source, so every request
// names the source's id under the key for its kind.
func TestRequestsNameTheirSource(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	letterID, userID := uuid.New(), uuid.New()
	letter, err := work.NewLetter(letterID, userID, now.Add(-time.Minute), now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	out := work.Plan(letter, now, 24*time.Hour)
	if out.Send == nil || out.Send.Data["letter_id"] != letterID.String() {
		t.Fatalf("letter request data = %v, want letter_id %s", out.Send, letterID)
	}
	if _, leaked := out.Send.Data["content"]; leaked {
		t.Error("a request carries letter content")
	}
}
