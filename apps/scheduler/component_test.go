package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/outbox/outboxtest"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"
)

// now is Monday 2026-12-07 09:00 in Seoul.
var now = time.Date(2026, time.December, 7, 0, 0, 0, 0, time.UTC)

type server struct {
	t     *testing.T
	srv   *servicetest.Server
	clock *clock.Fake
	pool  *pgxpool.Pool
	subs  []daprx.Subscription
}

// newServer builds scheduler-service as main does (spec) on a fresh
// database, with a catch-up window of a day and batches of 50.
func newServer(t *testing.T) *server {
	t.Helper()
	clk := clock.NewFake(now)
	s := spec(Config{Database: *servicetest.Database(t), CatchUpWindow: 24 * time.Hour, SweepBatchSize: 50})
	s.Clock = clk
	srv := servicetest.Start(t, s, nil)
	return &server{t: t, srv: srv, clock: clk, pool: srv.DB, subs: srv.Subs.Declared()}
}

// call is the sidecar calling the service (with the app token).
func (s *server) call(method, path, body string) (int, map[string]any) {
	s.t.Helper()
	r := s.srv.Do(s.t, method, path, body, map[string]string{authn.AppTokenHeader: servicetest.AppToken})
	return r.Status, r.Body
}

// publish delivers data on topic as daprd would and returns the status the
// handler answered (SUCCESS, RETRY, DROP).
func (s *server) publish(topic, eventID string, data any) string {
	s.t.Helper()
	return s.srv.Publish(s.t, topic, eventID, data)
}

func (s *server) sweep() {
	s.t.Helper()
	if code, _ := s.call(http.MethodPost, "/scheduler-sweep", ""); code != http.StatusOK {
		s.t.Fatalf("sweep: HTTP %d", code)
	}
}

func (s *server) requestIDs() []string {
	s.t.Helper()
	var ids []string
	for _, m := range outboxtest.Messages(s.t, s.pool, "notification.requested") {
		ids = append(ids, fmt.Sprint(m.Payload["id"]))
	}
	return ids
}

func TestDeclaredSubscriptions(t *testing.T) {
	s := newServer(t)
	want := map[string]bool{"letter.created": true, "letter.deleted": true, "routine.upserted": true, "routine.deleted": true, "user.deleted": true}
	for _, sub := range s.subs {
		if !want[sub.Topic] {
			t.Errorf("unexpected subscription %s", sub.Topic)
		}
		delete(want, sub.Topic)
		// Every declared route exists: an empty envelope is dropped, not 404.
		if code, _ := s.call(http.MethodPost, sub.Route, `{}`); code != http.StatusOK {
			t.Errorf("%s → %s: HTTP %d", sub.Topic, sub.Route, code)
		}
	}
	for topic := range want {
		t.Errorf("no subscription to %s", topic)
	}
}

func TestLetterAndRoutineToRequests(t *testing.T) {
	s := newServer(t)
	user, letter, routine, special := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	openAt := now.Add(90 * time.Second)

	steps := []struct {
		topic string
		data  any
		want  string
	}{
		{"letter.created", map[string]any{"letter_id": letter, "user_id": user, "open_at": openAt.Format(time.RFC3339), "written_at": openAt.Add(-time.Hour).Format(time.RFC3339)}, "SUCCESS"},
		{"routine.upserted", map[string]any{"type": "routine", "id": routine, "user_id": user, "timezone": "Asia/Seoul", "title": "write", "kind": "weekly", "weekday": "mon", "time": "09:01", "updated_at": now.Format(time.RFC3339)}, "SUCCESS"},
		{"routine.upserted", map[string]any{"type": "special_date", "id": special, "user_id": user, "timezone": "Asia/Seoul", "name": "birthday", "date": "1990-12-08", "yearly": true, "updated_at": now.Format(time.RFC3339)}, "SUCCESS"},
		// Poison: dropped, never retried.
		{"letter.created", map[string]any{"letter_id": "nope", "user_id": user, "open_at": openAt}, "DROP"},
		{"routine.upserted", map[string]any{"type": "routine", "id": uuid.NewString(), "user_id": user, "timezone": "Mars/Olympus", "kind": "weekly", "weekday": "mon", "time": "09:00"}, "DROP"},
		{"routine.upserted", map[string]any{"type": "routine", "id": uuid.NewString(), "user_id": user, "timezone": "Asia/Seoul", "kind": "daily", "time": "09:00"}, "DROP"},
		{"routine.deleted", map[string]any{"type": "habit", "id": uuid.NewString(), "user_id": user}, "DROP"},
	}
	for i, st := range steps {
		if got := s.publish(st.topic, fmt.Sprintf("e%d", i), st.data); got != st.want {
			t.Errorf("step %d %s: %s, want %s", i, st.topic, got, st.want)
		}
	}
	var stored int
	_ = s.pool.QueryRow(context.Background(), `SELECT count(*) FROM due_work WHERE data::text LIKE '%secret%'`).Scan(&stored)
	if stored != 0 {
		t.Error("letter content stored")
	}

	s.sweep()
	if ids := s.requestIDs(); len(ids) != 0 {
		t.Fatalf("requests before anything is due: %v", ids)
	}
	s.clock.Set(openAt.Add(5 * time.Second)) // 09:01:35 Seoul: letter and routine due
	s.sweep()
	s.sweep()
	s.clock.Set(time.Date(2026, 12, 8, 0, 0, 10, 0, time.UTC)) // 09:00:10 Seoul on the 8th
	s.sweep()
	want := []string{ // in due order: 09:01:00, 09:01:30, then the next day
		"routine_reminder:" + routine + ":2026-12-07",
		"letter_opened:" + letter + ":" + openAt.Format(time.RFC3339),
		"special_date:" + special + ":2026-12-08",
	}
	got := s.requestIDs()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("requests:\n got %v\nwant %v", got, want)
	}

	code, st := s.call(http.MethodGet, "/internal/status", "")
	if code != http.StatusOK {
		t.Fatalf("status: HTTP %d", code)
	}
	if st["sweeps"] != float64(4) || st["last_sweep_at"] == nil || st["pending"] != float64(2) || st["oldest_due_age_seconds"] != float64(0) {
		t.Errorf("status = %v", st)
	}

	// Deleting the routine and then the user leaves nothing behind.
	if got := s.publish("routine.deleted", "d1", map[string]any{"type": "routine", "id": routine, "user_id": user}); got != "SUCCESS" {
		t.Errorf("routine.deleted: %s", got)
	}
	_, st = s.call(http.MethodGet, "/internal/status", "")
	if st["pending"] != float64(1) {
		t.Errorf("pending after routine.deleted = %v, want 1", st["pending"])
	}
	if got := s.publish("user.deleted", "u1", map[string]any{"user_id": user}); got != "SUCCESS" {
		t.Errorf("user.deleted: %s", got)
	}
	// Late events for the deleted user are acknowledged and leave nothing:
	// a letter.created, a routine.upserted, the letter.deleted the letter
	// service's purge sends.
	late := map[string]any{
		"letter.created":   map[string]any{"letter_id": uuid.NewString(), "user_id": user, "open_at": openAt.Format(time.RFC3339), "written_at": openAt.Add(-time.Hour).Format(time.RFC3339)},
		"routine.upserted": map[string]any{"type": "routine", "id": uuid.NewString(), "user_id": user, "timezone": "Asia/Seoul", "title": "r", "kind": "weekly", "weekday": "mon", "time": "09:00", "updated_at": now.Format(time.RFC3339)},
		"letter.deleted":   map[string]any{"letter_id": uuid.NewString(), "user_id": user},
	}
	for topic, data := range late {
		if got := s.publish(topic, "late-"+topic, data); got != "SUCCESS" {
			t.Errorf("%s after user.deleted: %s, want SUCCESS (dropped)", topic, got)
		}
	}
	var left int
	_ = s.pool.QueryRow(context.Background(), `SELECT count(*) FROM due_work`).Scan(&left)
	if left != 0 {
		t.Errorf("%d rows left after user.deleted", left)
	}
}

func TestStatusNeedsTheAppToken(t *testing.T) {
	s := newServer(t)
	resp, err := http.Get(s.srv.URL + "/internal/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status without token: HTTP %d, want 401", resp.StatusCode)
	}
}

// A routine saved at 09:00:30 for 09:01 today whose event reaches the
// scheduler only at 09:02 (the broker or this service was down): today's
// reminder is still owed, not next week's.
func TestADelayedRoutineEventKeepsTodaysOccurrence(t *testing.T) {
	s := newServer(t)
	user, routine := uuid.NewString(), uuid.NewString()
	s.clock.Set(now.Add(2 * time.Minute))
	if got := s.publish("routine.upserted", "late", map[string]any{
		"type": "routine", "id": routine, "user_id": user, "timezone": "Asia/Seoul", "title": "write",
		"kind": "weekly", "weekday": "mon", "time": "09:01", "updated_at": now.Add(30 * time.Second).Format(time.RFC3339),
	}); got != "SUCCESS" {
		t.Fatalf("routine.upserted: %s", got)
	}
	s.sweep()
	want := "routine_reminder:" + routine + ":2026-12-07"
	if got := s.requestIDs(); len(got) != 1 || got[0] != want {
		t.Errorf("requests %v, want [%s]", got, want)
	}
}
