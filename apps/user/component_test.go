package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/authn/authntest"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"
)

const appToken = servicetest.AppToken

// now is 2025-03-01 19:00 in Seoul.
var now = time.Date(2025, time.March, 1, 10, 0, 0, 0, time.UTC)

type server struct {
	t    *testing.T
	srv  *servicetest.Server
	iss  *authntest.Issuer
	subs []daprx.Subscription
	pics *pictures
}

// pictures stands in for letter-storage-service's avatar endpoint behind
// the sidecar: the loose uploads it knows, and the claims it received.
type pictures struct {
	mu     sync.Mutex
	owner  map[string]string // image id → user id
	claims []string          // image ids claimed ("" for none)
}

func (p *pictures) own(userID, imageID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.owner[imageID] = userID
}

func (p *pictures) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1.0/invoke/letter-storage-service/method/internal/images/avatar" {
		http.NotFound(w, r)
		return
	}
	var body struct {
		UserID  string  `json:"user_id"`
		ImageID *string `json:"image_id"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	p.mu.Lock()
	defer p.mu.Unlock()
	if body.ImageID == nil {
		p.claims = append(p.claims, "")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if p.owner[*body.ImageID] != body.UserID {
		http.Error(w, `{"type":"about:blank","status":404}`, http.StatusNotFound)
		return
	}
	p.claims = append(p.claims, *body.ImageID)
	w.WriteHeader(http.StatusNoContent)
}

// newServer builds user-service as main does (spec) on a fresh database,
// with a fake clock and a stand-in for auth-service's keys.
func newServer(t *testing.T) *server {
	t.Helper()
	clk := clock.NewFake(now)
	iss := authntest.NewIssuer(t, clk)
	s := spec(Config{Database: *servicetest.Database(t)})
	s.Clock, s.Keys = clk, iss
	pics := &pictures{owner: map[string]string{}}
	srv := servicetest.Start(t, s, pics)
	if n := len(srv.Workers()); n != 2 {
		t.Errorf("%d workers, want the outbox relay and the inbox pruner (tombstones are kept)", n)
	}
	return &server{t: t, srv: srv, iss: iss, subs: srv.Subs.Declared(), pics: pics}
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

func (s *server) asUser(method, path, body, userID string) response {
	return s.do(method, path, body, map[string]string{"Authorization": "Bearer " + s.iss.Token(userID)})
}

// publish delivers an event the way the sidecar does.
func (s *server) publish(topic, id string, data any) string {
	s.t.Helper()
	return s.srv.Publish(s.t, topic, id, data)
}

func (s *server) register(username string) string {
	s.t.Helper()
	id := uuid.NewString()
	if st := s.publish("user.registered", uuid.NewString(), map[string]any{
		"user_id": id, "username": username, "email": username + "@example.com", "created_at": now.Add(-time.Hour),
	}); st != "SUCCESS" {
		s.t.Fatalf("user.registered: %s", st)
	}
	return id
}

func wantProblem(t *testing.T, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("content type %q, want problem+json", ct)
	}
}

func TestEveryDeclaredSubscriptionIsServed(t *testing.T) {
	s := newServer(t)
	want := map[string]bool{"user.registered": true, "user.email_changed": true, "user.deleted": true}
	resp := s.do(http.MethodGet, "/dapr/subscribe", "", nil)
	var declared []daprx.Subscription
	if err := json.Unmarshal([]byte(resp.Raw), &declared); err != nil {
		t.Fatal(err)
	}
	if len(declared) != len(want) {
		t.Errorf("declared %v, want %d topics", declared, len(want))
	}
	for _, sub := range declared {
		if !want[sub.Topic] || sub.PubSubName != daprx.SubscriptionPubSub(sub.Topic) {
			t.Errorf("unexpected subscription %+v", sub)
		}
		// A route that is missing would answer 404 and Dapr would drop.
		body := `{"id":"probe-` + sub.Topic + `","data":{"user_id":"` + uuid.NewString() + `","username":"probe","email":"p@example.com"}}`
		r := s.do(http.MethodPost, sub.Route, body, map[string]string{authn.AppTokenHeader: appToken, authn.CallerAppHeader: "notification-service"})
		if r.Status != http.StatusOK || r.Body["status"] != "SUCCESS" {
			t.Errorf("%s at %s: %d %s", sub.Topic, sub.Route, r.Status, r.Raw)
		}
		// And only the sidecar may call it.
		if r := s.do(http.MethodPost, sub.Route, body, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("%s without the app token: %d, want 401", sub.Topic, r.Status)
		}
	}
}

func TestPoisonEventsAreDropped(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, topic string
		data        any
	}{
		{"registered without a user id", "user.registered", map[string]any{"username": "a", "email": "a@example.com"}},
		{"registered with a bad id", "user.registered", map[string]any{"user_id": "7", "username": "a", "email": "a@example.com"}},
		{"registered with a bad time", "user.registered", map[string]any{"user_id": uuid.NewString(), "username": "a", "email": "a@example.com", "created_at": "yesterday"}},
		{"registered as a list", "user.registered", []int{1}},
		{"email change without an address", "user.email_changed", map[string]any{"user_id": uuid.NewString(), "email": ""}},
		{"deleted with a bad id", "user.deleted", map[string]any{"user_id": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.publish(tt.topic, uuid.NewString(), tt.data); got != "DROP" {
				t.Errorf("status %q, want DROP", got)
			}
		})
	}
}

func TestProfileLifecycle(t *testing.T) {
	s := newServer(t)
	userID := uuid.NewString()
	event := map[string]any{"user_id": userID, "username": "minji", "email": "minji@example.com", "created_at": now.Add(-time.Hour)}

	// Before the registration event arrives there is no profile.
	wantProblem(t, s.asUser(http.MethodGet, "/api/users/me", "", userID), http.StatusNotFound)

	// The same event twice, and a republish with another id: one profile.
	for _, id := range []string{"e1", "e1", "e2"} {
		if st := s.publish("user.registered", id, event); st != "SUCCESS" {
			t.Fatalf("delivery %s: %s", id, st)
		}
	}
	r := s.asUser(http.MethodGet, "/api/users/me", "", userID)
	if r.Status != http.StatusOK {
		t.Fatalf("GET me: %d %s", r.Status, r.Raw)
	}
	want := map[string]any{
		"id": userID, "username": "minji", "email": "minji@example.com", "nickname": "minji", "bio": "",
		"birthday": nil, "blog_url": "", "avatar_image_id": nil, "timezone": "Asia/Seoul", "locale": "ko",
		"notifications": map[string]any{"letter_opened": true, "routine_reminder": true, "special_date": true},
		"created_at":    "2025-03-01T09:00:00Z",
		"updated_at":    "2025-03-01T09:00:00Z",
	}
	assertJSON(t, r.Body, want)
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", r.Header.Get("Cache-Control"))
	}

	// Someone else's image is no profile picture.
	stranger := uuid.NewString()
	s.pics.own(uuid.NewString(), stranger)
	r = s.asUser(http.MethodPatch, "/api/users/me", `{"avatar_image_id":"`+stranger+`"}`, userID)
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Raw), "avatar_image_id") {
		t.Fatalf("another user's image as avatar: %d %s, want 400 naming avatar_image_id", r.Status, r.Raw)
	}

	// A partial update in Korean.
	avatar := uuid.NewString()
	s.pics.own(userID, avatar)
	r = s.asUser(http.MethodPatch, "/api/users/me", `{"nickname":"  민지  ","bio":"미래의 나에게 편지를 씁니다 ✉️","birthday":"2000-02-29",
		"blog_url":"https://blog.example.kr/민지","avatar_image_id":"`+avatar+`","timezone":"America/New_York",
		"locale":"en","notifications":{"routine_reminder":false}}`, userID)
	if r.Status != http.StatusOK {
		t.Fatalf("PATCH me: %d %s", r.Status, r.Raw)
	}
	want["nickname"], want["bio"], want["birthday"] = "민지", "미래의 나에게 편지를 씁니다 ✉️", "2000-02-29"
	want["blog_url"], want["avatar_image_id"], want["timezone"], want["locale"] = "https://blog.example.kr/민지", avatar, "America/New_York", "en"
	want["notifications"] = map[string]any{"letter_opened": true, "routine_reminder": false, "special_date": true}
	want["updated_at"] = "2025-03-01T10:00:00Z"
	assertJSON(t, r.Body, want)
	assertJSON(t, s.asUser(http.MethodGet, "/api/users/me", "", userID).Body, want)

	// The same picture again asks letter-storage nothing more.
	r = s.asUser(http.MethodPatch, "/api/users/me", `{"avatar_image_id":"`+avatar+`"}`, userID)
	if r.Status != http.StatusOK {
		t.Fatalf("same avatar again: %d %s", r.Status, r.Raw)
	}

	// Absent fields stay; null clears the nullable ones.
	r = s.asUser(http.MethodPatch, "/api/users/me", `{"birthday":null,"avatar_image_id":null}`, userID)
	want["birthday"], want["avatar_image_id"] = nil, nil
	assertJSON(t, r.Body, want)
	s.pics.mu.Lock()
	claims := append([]string(nil), s.pics.claims...)
	s.pics.mu.Unlock()
	if len(claims) != 2 || claims[0] != avatar || claims[1] != "" {
		t.Errorf("claims sent to letter-storage = %q, want the avatar, then none", claims)
	}

	// Mail goes to the address auth-service now holds.
	if st := s.publish("user.email_changed", "e3", map[string]any{"user_id": userID, "email": "minji@example.kr"}); st != "SUCCESS" {
		t.Fatalf("user.email_changed: %s", st)
	}
	r = s.do(http.MethodGet, "/internal/users/"+userID+"/contact", "", map[string]string{authn.AppTokenHeader: appToken, authn.CallerAppHeader: "notification-service"})
	if r.Status != http.StatusOK {
		t.Fatalf("contact: %d %s", r.Status, r.Raw)
	}
	assertJSON(t, r.Body, map[string]any{
		"user_id": userID, "email": "minji@example.kr", "nickname": "민지", "locale": "en", "timezone": "America/New_York",
		"notifications": map[string]any{"letter_opened": true, "routine_reminder": false, "special_date": true},
	})

	// An email change for someone unknown is not an error.
	if st := s.publish("user.email_changed", "e4", map[string]any{"user_id": uuid.NewString(), "email": "x@example.com"}); st != "SUCCESS" {
		t.Errorf("email change for an unknown user: %s, want SUCCESS", st)
	}

	// Deletion purges, twice is fine, and a late registration does not
	// bring the profile back.
	for _, id := range []string{"d1", "d1", "d2"} {
		if st := s.publish("user.deleted", id, map[string]any{"user_id": userID}); st != "SUCCESS" {
			t.Fatalf("user.deleted %s: %s", id, st)
		}
	}
	// Late events for the deleted account are acknowledged and dropped; its
	// still-valid token changes nothing (401, the account no longer exists).
	for topic, data := range map[string]any{"user.registered": event, "user.email_changed": map[string]any{"user_id": userID, "email": "late@example.com"}} {
		if st := s.publish(topic, "late-"+topic, data); st != "SUCCESS" {
			t.Errorf("%s after user.deleted: %s, want SUCCESS (dropped)", topic, st)
		}
	}
	wantProblem(t, s.asUser(http.MethodGet, "/api/users/me", "", userID), http.StatusNotFound)
	if r := s.asUser(http.MethodPatch, "/api/users/me", `{"bio":"x"}`, userID); r.Status != http.StatusUnauthorized || r.Body["detail"] != "This account no longer exists." {
		t.Errorf("PATCH me after user.deleted: %d %s", r.Status, r.Raw)
	}
	wantProblem(t, s.do(http.MethodGet, "/internal/users/"+userID+"/contact", "", map[string]string{authn.AppTokenHeader: appToken, authn.CallerAppHeader: "notification-service"}), http.StatusNotFound)
}

func TestPatchErrors(t *testing.T) {
	s := newServer(t)
	userID := s.register("minji")
	tests := []struct {
		name   string
		body   string
		ctype  string
		status int
		errors map[string]string // field → substring; nil: no field errors expected
	}{
		{
			name: "every field wrong at once",
			body: `{"nickname":"` + strings.Repeat("가", 21) + `","bio":"` + strings.Repeat("나", 161) + `","birthday":"2025-03-01",
				"blog_url":"javascript:alert(1)","avatar_image_id":"me.png","timezone":"Asia/Busan","locale":"ja",
				"notifications":{"special_date":"no","weekly_digest":true}}`,
			status: http.StatusBadRequest,
			errors: map[string]string{
				"nickname": "20", "bio": "160", "birthday": "past", "blog_url": "http", "avatar_image_id": "UUID",
				"timezone": "IANA", "locale": "ko, en", "notifications.special_date": "true or false",
				"notifications.weekly_digest": "unknown",
			},
		},
		{
			name: "read-only and unknown fields", body: `{"username":"new","email":"n@example.com","id":"x","nick":"a","nickname":"ok"}`,
			status: http.StatusBadRequest,
			errors: map[string]string{"username": "/api/auth", "email": "/api/auth", "id": "read-only", "nick": "unknown"},
		},
		{
			name: "wrong types and nulls for non-nullable fields", body: `{"nickname":null,"bio":5,"locale":["ko"],"notifications":null,"birthday":20000101}`,
			status: http.StatusBadRequest,
			errors: map[string]string{"nickname": "string", "bio": "string", "locale": "string", "notifications": "object", "birthday": "string or null"},
		},
		{name: "feb 29 of a common year", body: `{"birthday":"2023-02-29"}`, status: http.StatusBadRequest, errors: map[string]string{"birthday": "real date"}},
		{name: "not json", body: `{"nickname":`, status: http.StatusBadRequest},
		{name: "not an object", body: `["nickname"]`, status: http.StatusBadRequest},
		{name: "null body", body: `null`, status: http.StatusBadRequest},
		{name: "two values", body: `{} {}`, status: http.StatusBadRequest},
		{name: "form body", body: `nickname=x`, ctype: "application/x-www-form-urlencoded", status: http.StatusUnsupportedMediaType},
		{name: "too large", body: `{"bio":"` + strings.Repeat("a", 20<<10) + `"}`, status: http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"Authorization": "Bearer " + s.iss.Token(userID)}
			if tt.ctype != "" {
				h["Content-Type"] = tt.ctype
			}
			r := s.do(http.MethodPatch, "/api/users/me", tt.body, h)
			wantProblem(t, r, tt.status)
			got, _ := r.Body["errors"].(map[string]any)
			if len(got) != len(tt.errors) {
				t.Errorf("errors = %v, want %d fields", got, len(tt.errors))
			}
			for f, sub := range tt.errors {
				if msg, _ := got[f].(string); !strings.Contains(msg, sub) {
					t.Errorf("%s: %q, want it to mention %q", f, msg, sub)
				}
			}
		})
	}
	// Nothing was saved by any of them.
	r := s.asUser(http.MethodGet, "/api/users/me", "", userID)
	if r.Body["nickname"] != "minji" || r.Body["updated_at"] != "2025-03-01T09:00:00Z" {
		t.Errorf("after refused patches: %s", r.Raw)
	}
}

func TestAccessTokens(t *testing.T) {
	s := newServer(t)
	userID := s.register("minji")
	foreign := authntest.NewIssuer(t, clock.NewFake(now)) // same kid, another key
	tests := []struct {
		name   string
		header string
		status int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"not bearer", "Basic bWluamk6cHc=", http.StatusUnauthorized},
		{"garbage", "Bearer abc.def.ghi", http.StatusUnauthorized},
		{"foreign key", "Bearer " + foreign.Token(userID), http.StatusUnauthorized},
		{"expired", "Bearer " + s.iss.Token(userID, func(c *jwt.RegisteredClaims) {
			c.IssuedAt, c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Hour)), jwt.NewNumericDate(now.Add(-45*time.Minute))
		}), http.StatusUnauthorized},
		{"wrong audience", "Bearer " + s.iss.Token(userID, func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"other"} }), http.StatusUnauthorized},
		{"valid", "Bearer " + s.iss.Token(userID), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, method := range []string{http.MethodGet, http.MethodPatch} {
				h := map[string]string{}
				if tt.header != "" {
					h["Authorization"] = tt.header
				}
				r := s.do(method, "/api/users/me", `{}`, h)
				if r.Status != tt.status {
					t.Errorf("%s: status %d, want %d: %s", method, r.Status, tt.status, r.Raw)
				}
				if tt.status == http.StatusUnauthorized {
					wantProblem(t, r, tt.status)
				}
			}
		})
	}
}

func TestInternalContactNeedsTheAppToken(t *testing.T) {
	s := newServer(t)
	userID := s.register("minji")
	path := "/internal/users/" + userID + "/contact"
	tests := []struct {
		name   string
		path   string
		header map[string]string
		status int
	}{
		{"direct call without the app token", path, nil, http.StatusUnauthorized},
		{"wrong app token", path, map[string]string{authn.AppTokenHeader: "guess"}, http.StatusUnauthorized},
		{"a user's access token is not enough", path, map[string]string{"Authorization": "Bearer " + s.iss.Token(userID)}, http.StatusUnauthorized},
		{"through dapr", path, map[string]string{authn.AppTokenHeader: appToken, authn.CallerAppHeader: "notification-service"}, http.StatusOK},
		{"through dapr from an app that is not a caller", path, map[string]string{authn.AppTokenHeader: appToken, authn.CallerAppHeader: "gateway"}, http.StatusForbidden},
		{"through dapr without a caller", path, map[string]string{authn.AppTokenHeader: appToken}, http.StatusForbidden},
		{"unknown user", "/internal/users/" + uuid.NewString() + "/contact", map[string]string{authn.AppTokenHeader: appToken, authn.CallerAppHeader: "notification-service"}, http.StatusNotFound},
		{"not a user id", "/internal/users/minji/contact", map[string]string{authn.AppTokenHeader: appToken, authn.CallerAppHeader: "notification-service"}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(http.MethodGet, tt.path, "", tt.header)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Raw)
			}
			if tt.status != http.StatusOK {
				wantProblem(t, r, tt.status)
				return
			}
			assertJSON(t, r.Body, map[string]any{
				"user_id": userID, "email": "minji@example.com", "nickname": "minji", "locale": "ko", "timezone": "Asia/Seoul",
				"notifications": map[string]any{"letter_opened": true, "routine_reminder": true, "special_date": true},
			})
		})
	}
}

// assertJSON compares a decoded body with want as JSON documents.
func assertJSON(t *testing.T, got map[string]any, want map[string]any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("body\n got  %s\n want %s", g, w)
	}
}
