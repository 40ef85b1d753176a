package postgres_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/delivery"
	"github.com/lettertomyself/ltm/apps/platform/outbox/outboxtest"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/service"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"github.com/lettertomyself/ltm/apps/scheduler/internal/postgres"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/schedule"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/sweep"
	"github.com/lettertomyself/ltm/apps/scheduler/internal/work"
)

const window = 24 * time.Hour

var (
	ctx   = context.Background()
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	// A Monday, 09:00 in Seoul.
	t0 = time.Date(2026, time.December, 7, 0, 0, 0, 0, time.UTC)
)

func newStore(t *testing.T) (*postgres.Store, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.New(t, service.Migrations(postgres.Migrations())...)
	return postgres.New(pool, quiet), pool
}

func ev() delivery.Ref {
	r, _ := delivery.New("test", uuid.NewString())
	return r
}

func seoul(t *testing.T) *time.Location {
	t.Helper()
	loc, err := wallclock.LoadZone("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func weeklyAt(t *testing.T, wd time.Weekday, hhmm string) schedule.Schedule {
	t.Helper()
	s, err := schedule.NewWeekly(wd, hhmm, seoul(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func addLetter(t *testing.T, s *postgres.Store, userID uuid.UUID, openAt time.Time) uuid.UUID {
	t.Helper()
	id := uuid.New()
	it, err := work.NewLetter(id, userID, openAt, written)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ScheduleLetter(ctx, ev(), it); err != nil || !ok {
		t.Fatalf("schedule letter: %v %v", ok, err)
	}
	return id
}

func addRoutine(t *testing.T, s *postgres.Store, id, userID uuid.UUID, sc schedule.Schedule, title string, version, now time.Time) {
	t.Helper()
	it := work.NewRecurring(work.RoutineReminder, id, userID, sc, map[string]any{"title": title}, version, now)
	if _, err := s.UpsertRecurring(ctx, ev(), it); err != nil {
		t.Fatalf("upsert routine: %v", err)
	}
}

func get(t *testing.T, s *postgres.Store, kind work.Kind, id uuid.UUID) work.Item {
	t.Helper()
	it, err := s.Get(ctx, kind, id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func sweepAt(t *testing.T, s *postgres.Store, now time.Time) *sweep.Sweeper {
	t.Helper()
	sw := sweep.New(s, clock.NewFake(now), quiet, sweep.Options{CatchUpWindow: window, BatchSize: 10})
	if err := sw.Run(ctx); err != nil {
		t.Fatalf("sweep: %v", err)
	}
	return sw
}

// requests returns notification.requested payloads in the outbox.
func requests(t *testing.T, pool *pgxpool.Pool) []work.Request {
	t.Helper()
	var out []work.Request
	for _, m := range outboxtest.Messages(t, pool, work.TopicNotificationRequested) {
		var r work.Request
		m.Decode(t, &r)
		out = append(out, r)
	}
	return out
}

func TestConcurrentSweepersClaimDisjointRows(t *testing.T) {
	s, pool := newStore(t)
	user := uuid.New()
	const letters, routines = 120, 80
	want := map[string]bool{}
	for i := range letters {
		id := addLetter(t, s, user, t0.Add(-time.Duration(i)*time.Minute))
		want[work.RequestID(work.LetterOpened, id, t0.Add(-time.Duration(i)*time.Minute).Format(time.RFC3339))] = true
	}
	// Routines created a week ago: due on Monday t0 (09:00 Seoul).
	for range routines {
		id := uuid.New()
		addRoutine(t, s, id, user, weeklyAt(t, time.Monday, "09:00"), "write", t0, t0.Add(-7*24*time.Hour+time.Minute))
		want[work.RequestID(work.RoutineReminder, id, "2026-12-07")] = true
	}

	now := t0.Add(time.Minute)
	plan := func(it work.Item) work.Outcome { return work.Plan(it, now, window) }
	const sweepers = 4
	claimed := make([][]string, sweepers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, sweepers)
	for i := range sweepers {
		wg.Go(func() {
			<-start
			for {
				b, err := s.SweepBatch(ctx, now, 7, plan)
				if err != nil {
					errs <- err
					return
				}
				claimed[i] = append(claimed[i], b.Sent...)
				if b.Claimed == 0 {
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	byWhom := map[string]int{}
	for i, ids := range claimed {
		for _, id := range ids {
			if prev, dup := byWhom[id]; dup {
				t.Errorf("%s claimed by sweepers %d and %d", id, prev, i)
			}
			byWhom[id] = i
		}
	}
	got := map[string]int{}
	for _, r := range requests(t, pool) {
		got[r.ID]++
	}
	if len(got) != len(want) {
		t.Errorf("%d distinct requests, want %d", len(got), len(want))
	}
	for id := range want {
		if got[id] != 1 {
			t.Errorf("%s requested %d times, want 1", id, got[id])
		}
	}
	t.Logf("claims per sweeper: %d %d %d %d", len(claimed[0]), len(claimed[1]), len(claimed[2]), len(claimed[3]))

	// Another round at the same instant finds nothing: letters are done,
	// routines have moved to next Monday.
	if b, err := s.SweepBatch(ctx, now, 100, plan); err != nil || b.Claimed != 0 {
		t.Errorf("second round claimed %d (err %v), want 0", b.Claimed, err)
	}
	st, err := s.Stats(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != routines || st.Due != 0 || st.OldestDueAge != 0 {
		t.Errorf("stats = %+v, want %d pending, none due", st, routines)
	}
}

func TestSweepAdvancesRecurringRows(t *testing.T) {
	s, pool := newStore(t)
	user, id := uuid.New(), uuid.New()
	sc, err := schedule.NewMonthly(31, "10:00", seoul(t))
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2027, time.January, 15, 0, 0, 0, 0, time.UTC)
	addRoutine(t, s, id, user, sc, "month end", created, created)
	it := get(t, s, work.RoutineReminder, id)
	if want := time.Date(2027, 1, 31, 1, 0, 0, 0, time.UTC); !it.DueAt().Equal(want) || it.Occurrence() != "2027-01-31" {
		t.Fatalf("first due %v %s, want %v 2027-01-31", it.DueAt(), it.Occurrence(), want)
	}

	steps := []struct {
		now       time.Time
		wantSent  int
		wantNext  string
		wantDueAt time.Time
	}{
		{time.Date(2027, 1, 31, 0, 59, 0, 0, time.UTC), 0, "2027-01-31", time.Date(2027, 1, 31, 1, 0, 0, 0, time.UTC)},
		{time.Date(2027, 1, 31, 1, 0, 5, 0, time.UTC), 1, "2027-02-28", time.Date(2027, 2, 28, 1, 0, 0, 0, time.UTC)},
		{time.Date(2027, 1, 31, 1, 0, 15, 0, time.UTC), 1, "2027-02-28", time.Date(2027, 2, 28, 1, 0, 0, 0, time.UTC)},
		{time.Date(2027, 2, 28, 1, 0, 5, 0, time.UTC), 2, "2027-03-31", time.Date(2027, 3, 31, 1, 0, 0, 0, time.UTC)},
	}
	for _, st := range steps {
		sweepAt(t, s, st.now)
		if n := len(requests(t, pool)); n != st.wantSent {
			t.Errorf("at %v: %d requests, want %d", st.now, n, st.wantSent)
		}
		it := get(t, s, work.RoutineReminder, id)
		if it.Occurrence() != st.wantNext || !it.DueAt().Equal(st.wantDueAt) || it.State() != work.Pending {
			t.Errorf("at %v: next %s %v %s, want %s %v pending", st.now, it.Occurrence(), it.DueAt(), it.State(), st.wantNext, st.wantDueAt)
		}
	}
	reqs := requests(t, pool)
	wantIDs := []string{"routine_reminder:" + id.String() + ":2027-01-31", "routine_reminder:" + id.String() + ":2027-02-28"}
	for i, r := range reqs {
		if r.ID != wantIDs[i] || r.UserID != user.String() || r.Kind != work.RoutineReminder || r.Data["title"] != "month end" {
			t.Errorf("request %d = %+v", i, r)
		}
	}
}

func TestLetterIsSentOnceAndMarkedDone(t *testing.T) {
	s, pool := newStore(t)
	user := uuid.New()
	openAt := t0.Add(time.Hour)
	id := addLetter(t, s, user, openAt)

	sweepAt(t, s, openAt.Add(-time.Second))
	if n := len(requests(t, pool)); n != 0 {
		t.Fatalf("%d requests before the open time", n)
	}
	sweepAt(t, s, openAt)
	sweepAt(t, s, openAt.Add(10*time.Second))
	reqs := requests(t, pool)
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.ID != "letter_opened:"+id.String()+":"+openAt.Format(time.RFC3339) || r.Data["written_at"] != written.Format(time.RFC3339) || r.Data["title"] != nil || r.Data["open_at"] != openAt.Format(time.RFC3339) {
		t.Errorf("request = %+v", r)
	}
	if _, hasContent := r.Data["content"]; hasContent {
		t.Error("request carries content")
	}
	if st := get(t, s, work.LetterOpened, id).State(); st != work.Done {
		t.Errorf("state %s, want done", st)
	}
	// A republished letter.created (new event id) does not schedule it again.
	it, _ := work.NewLetter(id, user, openAt, written)
	if _, err := s.ScheduleLetter(ctx, ev(), it); err != nil {
		t.Fatal(err)
	}
	sweepAt(t, s, openAt.Add(20*time.Second))
	if n := len(requests(t, pool)); n != 1 {
		t.Errorf("%d requests after republish, want 1", n)
	}
}

func TestCatchUp(t *testing.T) {
	s, pool := newStore(t)
	user := uuid.New()
	// Monday 09:00 Seoul routines and a letter, created before t0.
	fresh, stale, weeksBehind := uuid.New(), uuid.New(), uuid.New()
	before := t0.Add(-time.Hour)
	addRoutine(t, s, fresh, user, weeklyAt(t, time.Monday, "09:00"), "fresh", before, before)
	addRoutine(t, s, stale, user, weeklyAt(t, time.Monday, "07:00"), "stale", before, before.Add(-2*time.Hour))
	addRoutine(t, s, weeksBehind, user, weeklyAt(t, time.Tuesday, "09:00"), "behind", before, before.Add(-21*24*time.Hour))
	oldLetter := addLetter(t, s, user, t0.Add(-10*24*time.Hour))

	// The service was down; it comes back 23 h after the fresh occurrence,
	// 25 h after the stale one (07:00 Seoul).
	now := t0.Add(23 * time.Hour)
	sw := sweepAt(t, s, now)

	got := map[string]bool{}
	for _, r := range requests(t, pool) {
		if got[r.ID] {
			t.Errorf("%s requested twice", r.ID)
		}
		got[r.ID] = true
	}
	want := []string{
		work.RequestID(work.RoutineReminder, fresh, "2026-12-07"),
		// Letters are sent however late.
		work.RequestID(work.LetterOpened, oldLetter, t0.Add(-10*24*time.Hour).Format(time.RFC3339)),
		// Nothing of the routine three Tuesdays behind: every missed one is
		// out of the window, and the next (2026-12-08 09:00 Seoul) is ahead.
	}
	for _, id := range want {
		if !got[id] {
			t.Errorf("%s not requested", id)
		}
	}
	if len(got) != len(want) {
		t.Errorf("requests %v, want exactly %v", got, want)
	}
	if it := get(t, s, work.RoutineReminder, stale); it.Occurrence() != "2026-12-14" {
		t.Errorf("stale routine moved to %s, want 2026-12-14", it.Occurrence())
	}
	if it := get(t, s, work.RoutineReminder, weeksBehind); it.Occurrence() != "2026-12-08" {
		t.Errorf("routine weeks behind moved to %s, want 2026-12-08", it.Occurrence())
	}
	st, err := sw.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sweeps != 1 || st.Sent != 2 || st.Skipped != 2 || st.Due != 0 || st.LastSweepAt == nil || !st.LastSweepAt.Equal(now) {
		t.Errorf("status = %+v", st)
	}
}

func TestCatchUpSendsTheOccurrenceInsideTheWindowAfterSkipping(t *testing.T) {
	s, pool := newStore(t)
	user, id := uuid.New(), uuid.New()
	// Weekly Monday 09:00 Seoul, last handled three weeks ago; back 2 h
	// after this week's occurrence.
	addRoutine(t, s, id, user, weeklyAt(t, time.Monday, "09:00"), "w", t0, t0.Add(-22*24*time.Hour))
	sweepAt(t, s, t0.Add(2*time.Hour))
	reqs := requests(t, pool)
	if len(reqs) != 1 || reqs[0].ID != work.RequestID(work.RoutineReminder, id, "2026-12-07") || reqs[0].Data["date"] != "2026-12-07" {
		t.Fatalf("requests = %+v, want only this week's", reqs)
	}
	if it := get(t, s, work.RoutineReminder, id); it.Occurrence() != "2026-12-14" {
		t.Errorf("next %s, want 2026-12-14", it.Occurrence())
	}
}

func TestOutOfOrderUpserts(t *testing.T) {
	s, _ := newStore(t)
	user, id := uuid.New(), uuid.New()
	v1, v2, v3 := t0.Add(-3*time.Hour), t0.Add(-2*time.Hour), t0.Add(-time.Hour)
	now := t0.Add(-30 * time.Minute)

	addRoutine(t, s, id, user, weeklyAt(t, time.Wednesday, "10:00"), "v2", v2, now)
	addRoutine(t, s, id, user, weeklyAt(t, time.Friday, "10:00"), "v1", v1, now) // late, older
	it := get(t, s, work.RoutineReminder, id)
	if it.Occurrence() != "2026-12-09" || it.Data()["title"] != "v2" {
		t.Fatalf("after an older upsert: %s %v, want v2 on Wednesday 2026-12-09", it.Occurrence(), it.Data()["title"])
	}
	addRoutine(t, s, id, user, weeklyAt(t, time.Thursday, "10:00"), "v3", v3, now)
	if it := get(t, s, work.RoutineReminder, id); it.Occurrence() != "2026-12-10" || it.Data()["title"] != "v3" {
		t.Errorf("after a newer upsert: %s %v, want v3 on Thursday 2026-12-10", it.Occurrence(), it.Data()["title"])
	}
	// A delete wins over any upsert, however late and whatever its version.
	if _, err := s.Cancel(ctx, ev(), work.RoutineReminder, id, user, now); err != nil {
		t.Fatal(err)
	}
	addRoutine(t, s, id, user, weeklyAt(t, time.Thursday, "10:00"), "v4", t0.Add(time.Hour), now)
	if it := get(t, s, work.RoutineReminder, id); it.State() != work.Cancelled {
		t.Errorf("state %s after upsert following delete, want cancelled", it.State())
	}
}

func TestUpsertKeepsADueOccurrenceWhenTheScheduleIsUnchanged(t *testing.T) {
	s, pool := newStore(t)
	user, id := uuid.New(), uuid.New()
	monday9 := weeklyAt(t, time.Monday, "09:00")
	addRoutine(t, s, id, user, monday9, "old title", t0.Add(-48*time.Hour), t0.Add(-48*time.Hour))
	// A title edit lands after the occurrence came due but before a sweep.
	addRoutine(t, s, id, user, monday9, "new title", t0.Add(time.Second), t0.Add(time.Second))
	sweepAt(t, s, t0.Add(2*time.Second))
	reqs := requests(t, pool)
	if len(reqs) != 1 || reqs[0].Data["title"] != "new title" || reqs[0].ID != work.RequestID(work.RoutineReminder, id, "2026-12-07") {
		t.Fatalf("requests = %+v, want today's with the new title", reqs)
	}
	// A schedule change recomputes from now.
	addRoutine(t, s, id, user, weeklyAt(t, time.Monday, "08:00"), "new time", t0.Add(time.Minute), t0.Add(time.Minute))
	if it := get(t, s, work.RoutineReminder, id); it.Occurrence() != "2026-12-14" || !it.DueAt().Equal(t0.Add(7*24*time.Hour-time.Hour)) {
		t.Errorf("after a time change: %s %v", it.Occurrence(), it.DueAt())
	}
}

func TestLetterDeletedCancels(t *testing.T) {
	s, pool := newStore(t)
	user := uuid.New()
	id := addLetter(t, s, user, t0)
	if ok, err := s.Cancel(ctx, ev(), work.LetterOpened, id, user, t0.Add(-time.Hour)); err != nil || !ok {
		t.Fatalf("cancel: %v %v", ok, err)
	}
	// Deleted before its created event arrived: the late create is ignored.
	early := uuid.New()
	if _, err := s.Cancel(ctx, ev(), work.LetterOpened, early, user, t0.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	it, _ := work.NewLetter(early, user, t0, written)
	if _, err := s.ScheduleLetter(ctx, ev(), it); err != nil {
		t.Fatal(err)
	}
	sweepAt(t, s, t0.Add(time.Minute))
	if n := len(requests(t, pool)); n != 0 {
		t.Errorf("%d requests for deleted letters", n)
	}
	for _, l := range []uuid.UUID{id, early} {
		if st := get(t, s, work.LetterOpened, l).State(); st != work.Cancelled {
			t.Errorf("letter %s state %s, want cancelled", l, st)
		}
	}
}

func TestRedeliveredEventChangesNothing(t *testing.T) {
	s, _ := newStore(t)
	user := uuid.New()
	e := ev()
	it, _ := work.NewLetter(uuid.New(), user, t0, written)
	first, err := s.ScheduleLetter(ctx, e, it)
	if err != nil || !first {
		t.Fatalf("first delivery: %v %v", first, err)
	}
	again, err := s.ScheduleLetter(ctx, e, it)
	if err != nil || again {
		t.Errorf("redelivery applied=%v err=%v, want false", again, err)
	}
}

func TestPurgeUser(t *testing.T) {
	s, _ := newStore(t)
	gone, kept := uuid.New(), uuid.New()
	l := addLetter(t, s, gone, t0)
	addRoutine(t, s, uuid.New(), gone, weeklyAt(t, time.Monday, "09:00"), "r", t0, t0)
	other := addLetter(t, s, kept, t0)
	if _, err := s.PurgeUser(ctx, ev(), gone); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, work.LetterOpened, l); !errors.Is(err, postgres.ErrNotFound) {
		t.Errorf("purged letter: %v", err)
	}
	st, err := s.Stats(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 1 {
		t.Errorf("pending %d, want 1 (the other user's)", st.Pending)
	}
	get(t, s, work.LetterOpened, other)
}

func TestOneOffSpecialDate(t *testing.T) {
	s, pool := newStore(t)
	user, id := uuid.New(), uuid.New()
	d, _ := wallclock.ParseDate("2026-12-25")
	sc, err := schedule.NewSpecialDate(d, false, seoul(t))
	if err != nil {
		t.Fatal(err)
	}
	it := work.NewRecurring(work.SpecialDate, id, user, sc, map[string]any{"name": "xmas"}, t0, t0)
	if _, err := s.UpsertRecurring(ctx, ev(), it); err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC) // 09:00 Seoul
	sweepAt(t, s, due)
	sweepAt(t, s, due.Add(time.Hour))
	reqs := requests(t, pool)
	if len(reqs) != 1 || reqs[0].Kind != work.SpecialDate || reqs[0].Data["name"] != "xmas" || reqs[0].ID != "special_date:"+id.String()+":2026-12-25" {
		t.Fatalf("requests = %+v", reqs)
	}
	if got := get(t, s, work.SpecialDate, id); got.State() != work.Done {
		t.Errorf("state %s, want done", got.State())
	}
}

func TestStatsReportsLag(t *testing.T) {
	s, _ := newStore(t)
	addLetter(t, s, uuid.New(), t0)
	addLetter(t, s, uuid.New(), t0.Add(time.Hour))
	st, err := s.Stats(ctx, t0.Add(90*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 2 || st.Due != 1 || st.OldestDueAge != 90*time.Second {
		t.Errorf("stats = %+v", st)
	}
}

// written is when the test letters were written.
var written = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
