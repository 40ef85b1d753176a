package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/outbox/outboxtest"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/service"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/routine/internal/postgres"
	"github.com/lettertomyself/ltm/apps/routine/internal/routine"
)

var (
	ctx = context.Background()
	t0  = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
)

func ptr[T any](v T) *T { return &v }

func newStore(t *testing.T) (*postgres.Store, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.New(t, service.Migrations(postgres.Migrations())...)
	return postgres.New(pool), pool
}

func newWeekly(t *testing.T, user uuid.UUID) routine.Routine {
	t.Helper()
	r, err := routine.NewRoutine(uuid.New(), user, routine.RoutineFields{Title: "Sunday letter", Kind: routine.Weekly, Weekday: ptr("sun"), Time: "21:30"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newDate(t *testing.T, user uuid.UUID) routine.SpecialDate {
	t.Helper()
	d, err := routine.NewSpecialDate(uuid.New(), user, routine.SpecialDateFields{Name: "birthday", Date: "1990-02-28", Yearly: true}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRoutineLifecycleWritesOutbox(t *testing.T) {
	store, pool := newStore(t)
	user := uuid.New()
	r := newWeekly(t, user)
	if err := store.CreateRoutine(ctx, r, "Europe/London"); err != nil {
		t.Fatal(err)
	}
	got, err := store.GetRoutine(ctx, user, r.ID())
	if err != nil {
		t.Fatal(err)
	}
	if got.Fields().Time != "21:30" || got.Title() != "Sunday letter" || !got.CreatedAt().Equal(t0) {
		t.Errorf("read back %+v", got.Fields())
	}

	ob := outboxtest.Messages(t, pool)
	if len(ob) != 1 || ob[0].Topic != "routine.upserted" {
		t.Fatalf("outbox after create: %+v", ob)
	}
	p := ob[0].Payload
	want := map[string]any{"type": "routine", "id": r.ID().String(), "user_id": user.String(), "timezone": "Europe/London",
		"title": "Sunday letter", "kind": "weekly", "weekday": "sun", "day_of_month": nil, "time": "21:30", "updated_at": "2025-03-01T10:00:00Z"}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("payload[%s] = %v, want %v", k, p[k], v)
		}
	}

	later := t0.Add(time.Hour)
	updated, err := store.UpdateRoutine(ctx, user, r.ID(), "Asia/Seoul", func(cur routine.Routine) (routine.Routine, error) {
		return cur.Apply(routine.RoutinePatch{Kind: ptr(routine.Monthly), DayOfMonth: ptr(31)}, later)
	})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := updated.DayOfMonth(); !ok || d != 31 {
		t.Errorf("updated day %d %v", d, ok)
	}
	ob = outboxtest.Messages(t, pool)
	if len(ob) != 2 || ob[1].Payload["kind"] != "monthly" || ob[1].Payload["day_of_month"] != float64(31) ||
		ob[1].Payload["weekday"] != nil || ob[1].Payload["timezone"] != "Asia/Seoul" {
		t.Fatalf("outbox after update: %+v", ob)
	}

	if err := store.DeleteRoutine(ctx, user, r.ID()); err != nil {
		t.Fatal(err)
	}
	ob = outboxtest.Messages(t, pool)
	if len(ob) != 3 || ob[2].Topic != "routine.deleted" || ob[2].Payload["type"] != "routine" || ob[2].Payload["id"] != r.ID().String() || ob[2].Payload["user_id"] != user.String() {
		t.Fatalf("outbox after delete: %+v", ob)
	}
	if _, err := store.GetRoutine(ctx, user, r.ID()); !errors.Is(err, routine.ErrNotFound) {
		t.Errorf("get after delete: %v", err)
	}
}

func TestSpecialDateLifecycleWritesOutbox(t *testing.T) {
	store, pool := newStore(t)
	user := uuid.New()
	d := newDate(t, user)
	if err := store.CreateSpecialDate(ctx, d, "Asia/Seoul"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateSpecialDate(ctx, user, d.ID(), "Asia/Seoul", func(cur routine.SpecialDate) (routine.SpecialDate, error) {
		return cur.Apply(routine.SpecialDatePatch{Date: ptr("2024-02-29"), Yearly: ptr(false)}, t0.Add(time.Minute))
	}); err != nil {
		t.Fatal(err)
	}
	got, err := store.GetSpecialDate(ctx, user, d.ID())
	if err != nil {
		t.Fatal(err)
	}
	if got.Date().String() != "2024-02-29" || got.Yearly() {
		t.Errorf("read back %+v", got.Fields())
	}
	if err := store.DeleteSpecialDate(ctx, user, d.ID()); err != nil {
		t.Fatal(err)
	}
	ob := outboxtest.Messages(t, pool)
	if len(ob) != 3 {
		t.Fatalf("outbox: %+v", ob)
	}
	if ob[0].Payload["type"] != "special_date" || ob[0].Payload["date"] != "1990-02-28" || ob[0].Payload["yearly"] != true || ob[0].Payload["name"] != "birthday" {
		t.Errorf("create event %+v", ob[0].Payload)
	}
	if ob[1].Payload["date"] != "2024-02-29" || ob[1].Payload["yearly"] != false {
		t.Errorf("update event %+v", ob[1].Payload)
	}
	if ob[2].Topic != "routine.deleted" || ob[2].Payload["type"] != "special_date" {
		t.Errorf("delete event %+v", ob[2])
	}
}

// A change that fails leaves neither the change nor its event behind.
func TestFailedChangesWriteNoEvent(t *testing.T) {
	store, pool := newStore(t)
	user := uuid.New()
	r := newWeekly(t, user)
	if err := store.CreateRoutine(ctx, r, "Asia/Seoul"); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateRoutine(ctx, r, "Asia/Seoul"); err == nil {
		t.Fatal("creating the same id twice succeeded")
	}
	refused := errors.New("refused")
	if _, err := store.UpdateRoutine(ctx, user, r.ID(), "Asia/Seoul", func(routine.Routine) (routine.Routine, error) {
		return routine.Routine{}, refused
	}); !errors.Is(err, refused) {
		t.Fatalf("update: %v", err)
	}
	if _, err := store.UpdateRoutine(ctx, user, r.ID(), "Asia/Seoul", func(cur routine.Routine) (routine.Routine, error) {
		return cur.Apply(routine.RoutinePatch{Kind: ptr(routine.Monthly)}, t0)
	}); err == nil {
		t.Fatal("update to monthly without a day succeeded")
	}
	if got := len(outboxtest.Messages(t, pool)); got != 1 {
		t.Errorf("%d outbox rows, want only the first create's", got)
	}
	got, err := store.GetRoutine(ctx, user, r.ID())
	if err != nil || got.Kind() != routine.Weekly {
		t.Errorf("routine after failed updates: %v %v", got.Kind(), err)
	}
}

func TestOwnerScoping(t *testing.T) {
	store, pool := newStore(t)
	owner, other := uuid.New(), uuid.New()
	r, d := newWeekly(t, owner), newDate(t, owner)
	if err := store.CreateRoutine(ctx, r, "Asia/Seoul"); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSpecialDate(ctx, d, "Asia/Seoul"); err != nil {
		t.Fatal(err)
	}
	before := len(outboxtest.Messages(t, pool))

	checks := map[string]error{}
	_, checks["get routine"] = store.GetRoutine(ctx, other, r.ID())
	_, checks["get special date"] = store.GetSpecialDate(ctx, other, d.ID())
	_, checks["update routine"] = store.UpdateRoutine(ctx, other, r.ID(), "UTC", func(cur routine.Routine) (routine.Routine, error) { return cur, nil })
	_, checks["update special date"] = store.UpdateSpecialDate(ctx, other, d.ID(), "UTC", func(cur routine.SpecialDate) (routine.SpecialDate, error) { return cur, nil })
	checks["delete routine"] = store.DeleteRoutine(ctx, other, r.ID())
	checks["delete special date"] = store.DeleteSpecialDate(ctx, other, d.ID())
	for name, err := range checks {
		if !errors.Is(err, routine.ErrNotFound) {
			t.Errorf("%s as another user: %v, want ErrNotFound", name, err)
		}
	}
	if rs, err := store.ListRoutines(ctx, other); err != nil || len(rs) != 0 {
		t.Errorf("other's routines: %d %v", len(rs), err)
	}
	if ds, err := store.ListSpecialDates(ctx, other); err != nil || len(ds) != 0 {
		t.Errorf("other's special dates: %d %v", len(ds), err)
	}
	if rs, err := store.ListRoutines(ctx, owner); err != nil || len(rs) != 1 {
		t.Errorf("owner's routines: %d %v", len(rs), err)
	}
	if after := len(outboxtest.Messages(t, pool)); after != before {
		t.Errorf("outbox grew from %d to %d on refused changes", before, after)
	}
}

func TestListOrderedByCreation(t *testing.T) {
	store, _ := newStore(t)
	user := uuid.New()
	var want []uuid.UUID
	for i := range 3 {
		r, err := routine.NewRoutine(uuid.New(), user, routine.RoutineFields{Title: "r", Kind: routine.Monthly, DayOfMonth: ptr(1), Time: "09:00"}, t0.Add(time.Duration(3-i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CreateRoutine(ctx, r, "UTC"); err != nil {
			t.Fatal(err)
		}
		want = append([]uuid.UUID{r.ID()}, want...)
	}
	rs, err := store.ListRoutines(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if r.ID() != want[i] {
			t.Errorf("position %d: %s, want %s", i, r.ID(), want[i])
		}
	}
}

func TestPurgeUserIsIdempotent(t *testing.T) {
	store, _ := newStore(t)
	gone, stays := uuid.New(), uuid.New()
	for _, u := range []uuid.UUID{gone, stays} {
		if err := store.CreateRoutine(ctx, newWeekly(t, u), "UTC"); err != nil {
			t.Fatal(err)
		}
		if err := store.CreateSpecialDate(ctx, newDate(t, u), "UTC"); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.PurgeUser(ctx, "routine-service", "event-1", gone); err != nil {
		t.Fatal(err)
	}
	if rs, _ := store.ListRoutines(ctx, gone); len(rs) != 0 {
		t.Errorf("%d routines left", len(rs))
	}
	// Nothing can be written for the user since (tombstone_test.go), and
	// the same event again is recognised and succeeds.
	if err := store.CreateRoutine(ctx, newWeekly(t, gone), "UTC"); !errors.Is(err, tombstone.ErrGone) {
		t.Fatalf("create after the purge: %v", err)
	}
	if err := store.PurgeUser(ctx, "routine-service", "event-1", gone); err != nil {
		t.Fatal(err)
	}
	if rs, _ := store.ListRoutines(ctx, gone); len(rs) != 0 {
		t.Errorf("redelivered event: %d routines", len(rs))
	}
	if ds, _ := store.ListSpecialDates(ctx, gone); len(ds) != 0 {
		t.Errorf("%d special dates left", len(ds))
	}
	if rs, _ := store.ListRoutines(ctx, stays); len(rs) != 1 {
		t.Errorf("the other user has %d routines, want 1", len(rs))
	}
	if ds, _ := store.ListSpecialDates(ctx, stays); len(ds) != 1 {
		t.Errorf("the other user has %d special dates, want 1", len(ds))
	}
}
