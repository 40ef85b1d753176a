package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn/authntest"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/problem"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"
)

// now is Friday 2025-02-28 20:00 UTC: already Saturday 2025-03-01 in Seoul.
var now = time.Date(2025, time.February, 28, 20, 0, 0, 0, time.UTC)

// userService is a fake daprd that forwards invocations of user-service's
// contact lookup to an in-test directory of timezones.
type userService struct {
	mu    sync.Mutex
	zones map[string]string // user id → timezone; absent → 404 profile-not-found
	down  bool
	// bare404 answers every lookup with a 404 that is not user-service's
	// profile-not-found (a missing route after a bad deploy).
	bare404 bool
}

func (u *userService) set(user, zone string) { u.mu.Lock(); u.zones[user] = zone; u.mu.Unlock() }
func (u *userService) setDown(v bool)        { u.mu.Lock(); u.down = v; u.mu.Unlock() }
func (u *userService) setBare404(v bool)     { u.mu.Lock(); u.bare404 = v; u.mu.Unlock() }

func (u *userService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	defer u.mu.Unlock()
	const prefix = "/v1.0/invoke/user-service/method/internal/users/"
	if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, prefix) || !strings.HasSuffix(r.URL.Path, "/contact") {
		http.NotFound(w, r)
		return
	}
	if u.down {
		// What daprd answers when the target app cannot be reached.
		http.Error(w, `{"errorCode":"ERR_DIRECT_INVOKE"}`, http.StatusInternalServerError)
		return
	}
	if u.bare404 {
		http.NotFound(w, r)
		return
	}
	id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, prefix), "/contact")
	zone, ok := u.zones[id]
	if !ok {
		// What user-service answers for an account without a profile.
		problem.Write(w, problem.Typed(http.StatusNotFound, "profile-not-found", "Profile not found", "No profile."))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"user_id": id, "email": "someone@example.com", "nickname": "someone", "locale": "ko", "timezone": zone,
		"notifications": map[string]bool{"letter_opened": true, "routine_reminder": true, "special_date": true},
	})
}

type server struct {
	t     *testing.T
	srv   *servicetest.Server
	iss   *authntest.Issuer
	users *userService
	clock *clock.Fake
}

// newServer builds routine-service as main does (spec) on a fresh
// database, with a fake sidecar in front of a fake user-service.
func newServer(t *testing.T) *server {
	t.Helper()
	users := &userService{zones: map[string]string{}}
	clk := clock.NewFake(now)
	iss := authntest.NewIssuer(t, clk)
	s := spec(Config{Database: *servicetest.Database(t)})
	s.Clock, s.Keys = clk, iss
	srv := servicetest.Start(t, s, users)
	return &server{t: t, srv: srv, iss: iss, users: users, clock: clk}
}

type response = servicetest.Response

func (s *server) do(method, path, body string, header map[string]string) response {
	s.t.Helper()
	var b any
	if body != "" {
		b = body
	}
	return s.srv.Do(s.t, method, path, b, header)
}

// as calls the API as user.
func (s *server) as(user, method, path, body string) response {
	s.t.Helper()
	return s.do(method, path, body, map[string]string{"Authorization": "Bearer " + s.iss.Token(user)})
}

func want(t *testing.T, r response, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	if status >= 400 && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("error without problem+json: %s", r.Header.Get("Content-Type"))
	}
	return r
}

// wantFieldErrors checks a 400 names exactly these fields.
func wantFieldErrors(t *testing.T, r response, fields ...string) {
	t.Helper()
	want(t, r, http.StatusBadRequest)
	errs, _ := r.Body["errors"].(map[string]any)
	if len(errs) != len(fields) {
		t.Errorf("errors %v, want fields %v", errs, fields)
	}
	for _, f := range fields {
		if _, ok := errs[f]; !ok {
			t.Errorf("no error for %s in %v", f, errs)
		}
	}
}

func TestRoutinesCRUD(t *testing.T) {
	s := newServer(t)
	me := uuid.NewString()
	s.users.set(me, "Europe/London")

	created := want(t, s.as(me, "POST", "/api/routines", `{"title":"일요일 편지","kind":"weekly","weekday":"sun","time":"21:00"}`), http.StatusCreated)
	id, _ := created.Body["id"].(string)
	if created.Body["weekday"] != "sun" || created.Body["time"] != "21:00" || created.Body["kind"] != "weekly" {
		t.Errorf("created %v", created.Body)
	}
	if _, has := created.Body["day_of_month"]; has {
		t.Errorf("a weekly routine shows day_of_month: %v", created.Body)
	}
	if created.Header.Get("Location") != "/api/routines/"+id {
		t.Errorf("Location %q", created.Header.Get("Location"))
	}
	got := want(t, s.as(me, "GET", "/api/routines/"+id, ""), http.StatusOK)
	if got.Raw != created.Raw {
		t.Errorf("GET %s\nPOST %s", got.Raw, created.Raw)
	}

	s.clock.Advance(time.Second) // the list is in creation order
	want(t, s.as(me, "POST", "/api/routines", `{"title":"월말","kind":"monthly","day_of_month":31,"time":"08:00"}`), http.StatusCreated)
	list := want(t, s.as(me, "GET", "/api/routines", ""), http.StatusOK)
	items, _ := list.Body["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["id"] != id {
		t.Errorf("list %s", list.Raw)
	}

	// Wrong fields for the kind, and the whole body re-validated on PATCH.
	wantFieldErrors(t, s.as(me, "POST", "/api/routines", `{"title":"x","kind":"weekly","weekday":"sun","day_of_month":3,"time":"21:00"}`), "day_of_month")
	wantFieldErrors(t, s.as(me, "POST", "/api/routines", `{"title":"x","kind":"monthly","weekday":"sun","time":"9:00"}`), "weekday", "day_of_month", "time")
	wantFieldErrors(t, s.as(me, "POST", "/api/routines", `{"kind":"daily"}`), "title", "kind", "time")
	wantFieldErrors(t, s.as(me, "POST", "/api/routines", `{"title":"x","kind":"monthly","day_of_month":"3","time":"09:00"}`), "day_of_month")
	wantFieldErrors(t, s.as(me, "PATCH", "/api/routines/"+id, `{"kind":"monthly"}`), "day_of_month")
	wantFieldErrors(t, s.as(me, "PATCH", "/api/routines/"+id, `{"day_of_month":5}`), "day_of_month")

	patched := want(t, s.as(me, "PATCH", "/api/routines/"+id, `{"kind":"monthly","day_of_month":30,"title":"말일 편지"}`), http.StatusOK)
	if patched.Body["day_of_month"] != float64(30) || patched.Body["title"] != "말일 편지" || patched.Body["time"] != "21:00" {
		t.Errorf("patched %s", patched.Raw)
	}
	if _, has := patched.Body["weekday"]; has {
		t.Errorf("a monthly routine keeps its weekday: %s", patched.Raw)
	}
	if patched.Body["created_at"] != created.Body["created_at"] {
		t.Errorf("created_at changed: %v → %v", created.Body["created_at"], patched.Body["created_at"])
	}

	want(t, s.as(me, "DELETE", "/api/routines/"+id, ""), http.StatusNoContent)
	want(t, s.as(me, "GET", "/api/routines/"+id, ""), http.StatusNotFound)
	want(t, s.as(me, "DELETE", "/api/routines/"+id, ""), http.StatusNotFound)
	want(t, s.as(me, "GET", "/api/routines/not-a-uuid", ""), http.StatusNotFound)
}

func TestSpecialDatesCRUD(t *testing.T) {
	s := newServer(t)
	me := uuid.NewString() // unknown to user-service: Asia/Seoul

	created := want(t, s.as(me, "POST", "/api/special-dates", `{"name":"생일","date":"1990-02-28"}`), http.StatusCreated)
	id, _ := created.Body["id"].(string)
	if created.Body["yearly"] != true || created.Body["date"] != "1990-02-28" {
		t.Errorf("created %s", created.Raw)
	}
	wantFieldErrors(t, s.as(me, "POST", "/api/special-dates", `{"name":"","date":"2025-02-29"}`), "name", "date")
	wantFieldErrors(t, s.as(me, "PATCH", "/api/special-dates/"+id, `{"date":"2025-04-31"}`), "date")

	patched := want(t, s.as(me, "PATCH", "/api/special-dates/"+id, `{"yearly":false,"date":"2025-05-05"}`), http.StatusOK)
	if patched.Body["yearly"] != false || patched.Body["date"] != "2025-05-05" || patched.Body["name"] != "생일" {
		t.Errorf("patched %s", patched.Raw)
	}
	got := want(t, s.as(me, "GET", "/api/special-dates/"+id, ""), http.StatusOK)
	if got.Raw != patched.Raw {
		t.Errorf("GET %s\nPATCH %s", got.Raw, patched.Raw)
	}
	list := want(t, s.as(me, "GET", "/api/special-dates", ""), http.StatusOK)
	if items, _ := list.Body["items"].([]any); len(items) != 1 {
		t.Errorf("list %s", list.Raw)
	}
	want(t, s.as(me, "DELETE", "/api/special-dates/"+id, ""), http.StatusNoContent)
	want(t, s.as(me, "GET", "/api/special-dates/"+id, ""), http.StatusNotFound)
}

func TestOthersItemsAreNotFound(t *testing.T) {
	s := newServer(t)
	owner, other := uuid.NewString(), uuid.NewString()
	r := want(t, s.as(owner, "POST", "/api/routines", `{"title":"mine","kind":"weekly","weekday":"mon","time":"09:00"}`), http.StatusCreated)
	d := want(t, s.as(owner, "POST", "/api/special-dates", `{"name":"mine","date":"2025-01-01"}`), http.StatusCreated)
	rPath, dPath := "/api/routines/"+r.Body["id"].(string), "/api/special-dates/"+d.Body["id"].(string)

	for _, c := range []struct{ method, path, body string }{
		{"GET", rPath, ""}, {"PATCH", rPath, `{"title":"theirs"}`}, {"DELETE", rPath, ""},
		{"GET", dPath, ""}, {"PATCH", dPath, `{"name":"theirs"}`}, {"DELETE", dPath, ""},
	} {
		want(t, s.as(other, c.method, c.path, c.body), http.StatusNotFound)
	}
	for _, path := range []string{"/api/routines", "/api/special-dates"} {
		if items, _ := want(t, s.as(other, "GET", path, ""), http.StatusOK).Body["items"].([]any); len(items) != 0 {
			t.Errorf("%s shows another user's items: %v", path, items)
		}
	}
	cal := want(t, s.as(other, "GET", "/api/calendar?from=2025-01-01&to=2025-01-31", ""), http.StatusOK)
	if os, _ := cal.Body["occurrences"].([]any); len(os) != 0 {
		t.Errorf("calendar shows another user's items: %s", cal.Raw)
	}
	// And the owner still has both, unchanged.
	if got := want(t, s.as(owner, "GET", rPath, ""), http.StatusOK); got.Body["title"] != "mine" {
		t.Errorf("owner's routine changed: %s", got.Raw)
	}
}

func TestCalendarMonth(t *testing.T) {
	s := newServer(t)
	me := uuid.NewString()
	s.users.set(me, "America/New_York")
	post := func(path, body string) string {
		return want(t, s.as(me, "POST", path, body), http.StatusCreated).Body["id"].(string)
	}
	m31 := post("/api/routines", `{"title":"month end","kind":"monthly","day_of_month":31,"time":"20:00"}`)
	mon := post("/api/routines", `{"title":"monday","kind":"weekly","weekday":"mon","time":"07:30"}`)
	leap := post("/api/special-dates", `{"name":"leap birthday","date":"2000-02-29"}`)
	post("/api/special-dates", `{"name":"once, last year","date":"2024-02-10","yearly":false}`)

	cal := want(t, s.as(me, "GET", "/api/calendar?from=2025-02-01&to=2025-02-28", ""), http.StatusOK)
	if cal.Body["from"] != "2025-02-01" || cal.Body["to"] != "2025-02-28" || cal.Body["timezone"] != "America/New_York" {
		t.Errorf("calendar header %s", cal.Raw)
	}
	type occ struct{ Date, Type, ID, Title, Time string }
	var body struct{ Occurrences []occ }
	if err := json.Unmarshal([]byte(cal.Raw), &body); err != nil {
		t.Fatal(err)
	}
	wantOccs := []occ{
		{"2025-02-03", "routine", mon, "monday", "07:30"},
		{"2025-02-10", "routine", mon, "monday", "07:30"},
		{"2025-02-17", "routine", mon, "monday", "07:30"},
		{"2025-02-24", "routine", mon, "monday", "07:30"},
		{"2025-02-28", "special_date", leap, "leap birthday", ""},
		{"2025-02-28", "routine", m31, "month end", "20:00"},
	}
	if fmt.Sprint(body.Occurrences) != fmt.Sprint(wantOccs) {
		t.Errorf("occurrences\n got %v\nwant %v", body.Occurrences, wantOccs)
	}
}

func TestCalendarRange(t *testing.T) {
	s := newServer(t)
	me := uuid.NewString()
	tests := []struct {
		query  string
		fields []string
	}{
		{"", []string{"from", "to"}},
		{"?from=2025-01-01", []string{"to"}},
		{"?from=2025-02-30&to=2025-03-01", []string{"from"}},
		{"?from=2025-03-02&to=2025-03-01", []string{"to"}},
		{"?from=2024-01-01&to=2025-01-01", []string{"to"}}, // 367 days
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			wantFieldErrors(t, s.as(me, "GET", "/api/calendar"+tc.query, ""), tc.fields...)
		})
	}
	want(t, s.as(me, "GET", "/api/calendar?from=2024-01-01&to=2024-12-31", ""), http.StatusOK)
}

func TestToday(t *testing.T) {
	s := newServer(t)
	seoul, ny := uuid.NewString(), uuid.NewString()
	s.users.set(ny, "America/New_York")
	for _, u := range []string{seoul, ny} {
		want(t, s.as(u, "POST", "/api/routines", `{"title":"friday","kind":"weekly","weekday":"fri","time":"18:00"}`), http.StatusCreated)
		want(t, s.as(u, "POST", "/api/routines", `{"title":"first","kind":"monthly","day_of_month":1,"time":"09:00"}`), http.StatusCreated)
	}
	tests := []struct {
		user, date, zone, title string
	}{
		{seoul, "2025-03-01", "Asia/Seoul", "first"}, // unknown to user-service: the default zone
		{ny, "2025-02-28", "America/New_York", "friday"},
	}
	for _, tc := range tests {
		got := want(t, s.as(tc.user, "GET", "/api/routines/today", ""), http.StatusOK)
		os, _ := got.Body["occurrences"].([]any)
		if got.Body["date"] != tc.date || got.Body["timezone"] != tc.zone || len(os) != 1 || os[0].(map[string]any)["title"] != tc.title {
			t.Errorf("today for %s: %s", tc.zone, got.Raw)
		}
	}
}

func TestUserServiceDown(t *testing.T) {
	s := newServer(t)
	me := uuid.NewString()
	s.users.setDown(true)
	want(t, s.as(me, "POST", "/api/routines", `{"title":"x","kind":"weekly","weekday":"mon","time":"09:00"}`), http.StatusServiceUnavailable)
	want(t, s.as(me, "GET", "/api/routines/today", ""), http.StatusServiceUnavailable)
	// Validation does not wait for user-service.
	wantFieldErrors(t, s.as(me, "POST", "/api/routines", `{"title":"x"}`), "kind", "time")
	// Nor do reads and deletes.
	want(t, s.as(me, "GET", "/api/routines", ""), http.StatusOK)
}

// TestOnlyProfileNotFoundMeansNoProfile: a 404 that is not user-service's
// profile-not-found fails the request; it never falls back to Asia/Seoul.
func TestOnlyProfileNotFoundMeansNoProfile(t *testing.T) {
	s := newServer(t)
	me := uuid.NewString()
	s.users.setBare404(true)
	want(t, s.as(me, "POST", "/api/routines", `{"title":"x","kind":"weekly","weekday":"mon","time":"09:00"}`), http.StatusServiceUnavailable)
	want(t, s.as(me, "GET", "/api/routines/today", ""), http.StatusServiceUnavailable)
	s.users.setBare404(false)
	got := want(t, s.as(me, "GET", "/api/routines/today", ""), http.StatusOK)
	if got.Body["timezone"] != "Asia/Seoul" {
		t.Errorf("no profile: timezone %v, want the default", got.Body["timezone"])
	}
}

func TestAuthRequired(t *testing.T) {
	s := newServer(t)
	for _, path := range []string{"/api/routines", "/api/routines/today", "/api/special-dates", "/api/calendar?from=2025-01-01&to=2025-01-02"} {
		want(t, s.do("GET", path, "", nil), http.StatusUnauthorized)
	}
}

func TestUserDeletedPurges(t *testing.T) {
	s := newServer(t)
	gone, stays := uuid.NewString(), uuid.NewString()
	for _, u := range []string{gone, stays} {
		want(t, s.as(u, "POST", "/api/routines", `{"title":"r","kind":"weekly","weekday":"mon","time":"09:00"}`), http.StatusCreated)
		want(t, s.as(u, "POST", "/api/special-dates", `{"name":"d","date":"2025-01-01"}`), http.StatusCreated)
	}
	deliver := func(data string) string {
		t.Helper()
		return s.srv.Publish(t, "user.deleted", "evt-1", json.RawMessage(data))
	}
	if got := deliver(`{"user_id":"` + gone + `"}`); got != "SUCCESS" {
		t.Fatalf("status %s", got)
	}
	if got := deliver(`{"user_id":"` + gone + `"}`); got != "SUCCESS" {
		t.Fatalf("redelivery: status %s", got)
	}
	if got := deliver(`{"user_id":"nope"}`); got != "DROP" {
		t.Errorf("bad user id: status %s, want DROP", got)
	}
	if got := deliver(`[1,2]`); got != "DROP" {
		t.Errorf("bad payload: status %s, want DROP", got)
	}
	for _, path := range []string{"/api/routines", "/api/special-dates"} {
		if items, _ := want(t, s.as(gone, "GET", path, ""), http.StatusOK).Body["items"].([]any); len(items) != 0 {
			t.Errorf("%s left after user.deleted: %v", path, items)
		}
		if items, _ := want(t, s.as(stays, "GET", path, ""), http.StatusOK).Body["items"].([]any); len(items) != 1 {
			t.Errorf("%s of another user: %v", path, items)
		}
	}
	// The deleted account's still-valid token writes nothing more.
	for path, body := range map[string]string{
		"/api/routines":      `{"title":"r","kind":"weekly","weekday":"mon","time":"09:00"}`,
		"/api/special-dates": `{"name":"d","date":"2025-01-01"}`,
	} {
		r := want(t, s.as(gone, "POST", path, body), http.StatusUnauthorized)
		if r.Body["detail"] != "This account no longer exists." {
			t.Errorf("POST %s after user.deleted: %s", path, r.Raw)
		}
	}
	// Only the sidecar may deliver events.
	want(t, s.do("POST", "/events/user-deleted", `{"id":"x","data":{}}`, nil), http.StatusUnauthorized)
}
