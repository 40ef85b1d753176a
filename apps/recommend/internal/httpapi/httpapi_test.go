package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/authn/authntest"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/daprtest"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
	"github.com/lettertomyself/ltm/apps/recommend/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/recommend/internal/model"
)

const appToken = "test-app-token"

// moods stands in for emotion-store-service where a test needs a given
// mood; without it the service asks the real sidecar, which knows no
// emotion-store (the fallback case).
type moods struct {
	mu            sync.Mutex
	mood, because string
}

func (m *moods) Recent(context.Context, string) (string, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mood, m.because, nil
}

type app struct {
	t   *testing.T
	url string
	iss *authntest.Issuer
	cat *catalog.Catalog
}

type setup struct {
	moods   *moods
	model   model.Config
	locales map[string]string // user id → profile locale (none: user-service cannot say)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start runs the whole service (service.Run, as main does) beside a real
// daprd holding the recommend-state component on a fresh database.
func start(t *testing.T, s setup) *app {
	t.Helper()
	stateDB := pgtest.NewURL(t)
	sc := daprtest.Start(t, daprtest.Options{
		AppID:      "recommend-service",
		Components: []string{daprtest.RepoFile(t, "components/recommend-state.yaml")},
		Secrets:    map[string]string{"recommend-state-pg": stateDB},
	})
	iss := authntest.NewIssuer(t, clock.System{})
	port := freePort(t)
	base := config.Base{
		Port: port, DaprHTTPPort: sc.HTTPPort, DaprGRPCPort: sc.GRPCPort, DaprHost: "127.0.0.1",
		AppAPIToken: appToken, ShutdownTimeout: 2 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 10 * time.Second,
	}
	mc := s.model
	if mc.Wait == 0 {
		mc.Wait, mc.Timeout = 2*time.Second, 5*time.Second
	}
	cfg := httpapi.Config{StateStore: "recommend-state", MoodTimeout: time.Second, Config: mc}
	opts := httpapi.Options{Rand: rand.New(rand.NewPCG(1, 2))}
	if s.moods != nil {
		opts.Moods = s.moods
	}
	opts.Locale = func(_ context.Context, userID string) string { return s.locales[userID] }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- service.Run(ctx, base, service.Spec{
			Name:     "recommend-service",
			Database: &config.Database{DatabaseURL: config.Secret(pgtest.NewURL(t)), DatabaseMaxConns: 4},
			Setup:    httpapi.Setup(cfg, opts),
			Keys:     iss,
		}, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("service stopped with %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("service did not stop")
		}
	})
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	a := &app{t: t, url: fmt.Sprintf("http://127.0.0.1:%d", port), iss: iss, cat: cat}
	// Ready means the sidecar is connected too: state calls work.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(a.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return a
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("service never became ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (a *app) do(method, path, body string, header map[string]string) (int, []byte) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.url+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// as calls the API as userID.
func (a *app) as(userID, method, path, body string, header ...string) (int, []byte) {
	a.t.Helper()
	h := map[string]string{"Authorization": "Bearer " + a.iss.Token(userID)}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	return a.do(method, path, body, h)
}

type item struct {
	ID            string   `json:"id"`
	Type          string   `json:"type"`
	Title         string   `json:"title"`
	OriginalTitle string   `json:"original_title"`
	Creator       string   `json:"creator"`
	Year          *int     `json:"year"`
	Tags          []string `json:"tags"`
	Reason        string   `json:"reason"`
	Source        string   `json:"source"`
	Feedback      string   `json:"feedback"`
}

type answer struct {
	Mood    string `json:"mood"`
	Because string `json:"because"`
	Items   []item `json:"items"`
}

func (a *app) recommend(userID, query string, header ...string) answer {
	a.t.Helper()
	status, body := a.as(userID, http.MethodGet, "/api/recommendations"+query, "", header...)
	if status != http.StatusOK {
		a.t.Fatalf("GET /api/recommendations%s = %d: %s", query, status, body)
	}
	var ans answer
	if err := json.Unmarshal(body, &ans); err != nil {
		a.t.Fatal(err)
	}
	return ans
}

func (a *app) feedback(userID, itemID, f string) int {
	a.t.Helper()
	status, _ := a.as(userID, http.MethodPost, "/api/recommendations/feedback", fmt.Sprintf(`{"item_id":%q,"feedback":%q}`, itemID, f))
	return status
}

func (a *app) rated(userID string) []item {
	a.t.Helper()
	status, body := a.as(userID, http.MethodGet, "/api/recommendations/feedback", "")
	if status != http.StatusOK {
		a.t.Fatalf("GET feedback = %d: %s", status, body)
	}
	var out struct{ Items []item }
	if err := json.Unmarshal(body, &out); err != nil {
		a.t.Fatal(err)
	}
	return out.Items
}

func problemFields(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var p struct {
		Status int               `json:"status"`
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not a problem: %s", body)
	}
	return p.Errors
}

func TestDefaultAnswerIsThreeFilmsAndThreeSongsForTheMoodInKorean(t *testing.T) {
	a := start(t, setup{moods: &moods{mood: "sadness", because: "recent"}})
	user := uuid.NewString()
	ans := a.recommend(user, "")
	if ans.Mood != "sadness" || ans.Because != "recent" {
		t.Errorf("mood %q because %q, want emotion-store's sadness/recent", ans.Mood, ans.Because)
	}
	count := map[string]int{}
	for _, it := range ans.Items {
		count[it.Type]++
		ci, ok := a.cat.Item(it.ID)
		if !ok {
			t.Fatalf("item %s is not in the catalog", it.ID)
		}
		if !ci.Suits(catalog.Sadness) || it.Source != "catalog" {
			t.Errorf("%s: suits sadness %v, source %q", it.ID, ci.Suits(catalog.Sadness), it.Source)
		}
		if it.Title != ci.TitleKo || it.Reason != ci.ReasonKo || it.OriginalTitle != ci.OriginalTitle || it.Creator != ci.Creator ||
			it.Year == nil || *it.Year != ci.Year || !slices.Equal(it.Tags, ci.Tags) {
			t.Errorf("%s shown as %+v, want the Korean title and reason of %+v", it.ID, it, ci)
		}
	}
	if count["movie"] != 3 || count["music"] != 3 || len(ans.Items) != 6 {
		t.Errorf("types = %v, want 3 movies and 3 songs", count)
	}
}

func TestLanguageFromQueryThenProfileThenAcceptLanguage(t *testing.T) {
	user, english, korean := uuid.NewString(), uuid.NewString(), uuid.NewString()
	a := start(t, setup{moods: &moods{mood: "joy"}, locales: map[string]string{english: "en", korean: "ko"}})
	tests := []struct {
		name   string
		user   string
		query  string
		header []string
		want   string
	}{
		{"the profile's English", english, "", nil, "en"},
		{"the profile wins over Accept-Language", korean, "", []string{"Accept-Language", "en"}, "ko"},
		{"lang wins over the profile", english, "&lang=ko", nil, "ko"},
		{"default is Korean", "", "", nil, "ko"},
		{"lang=en", "", "&lang=en", nil, "en"},
		{"no profile locale: Accept-Language English", "", "", []string{"Accept-Language", "en-US,en;q=0.9"}, "en"},
		{"Accept-Language unsupported falls back to Korean", "", "", []string{"Accept-Language", "fr-FR"}, "ko"},
		{"lang wins over Accept-Language", "", "&lang=ko", []string{"Accept-Language", "en"}, "ko"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			who := tt.user
			if who == "" {
				who = user
			}
			ans := a.recommend(who, "?types=activity&limit=2"+tt.query, tt.header...)
			if len(ans.Items) != 2 {
				t.Fatalf("%d items, want 2", len(ans.Items))
			}
			for _, it := range ans.Items {
				ci, _ := a.cat.Item(it.ID)
				if it.Title != ci.Title(tt.want) || it.Reason != ci.Reason(tt.want) {
					t.Errorf("%s: title %q reason %q, want the %s ones", it.ID, it.Title, it.Reason, tt.want)
				}
				if it.Type != "activity" || it.Year != nil || it.Creator != "" {
					t.Errorf("activity shown as %+v", it)
				}
			}
		})
	}
}

func TestBadQueriesAreFieldErrors(t *testing.T) {
	a := start(t, setup{moods: &moods{mood: "joy"}})
	user := uuid.NewString()
	tests := []struct {
		query string
		field string
	}{
		{"?types=movie,poem", "types"},
		{"?types=", "types"},
		{"?types=movie,movie", "types"},
		{"?limit=0", "limit"},
		{"?limit=11", "limit"},
		{"?limit=three", "limit"},
		{"?lang=fr", "lang"},
	}
	for _, tt := range tests {
		status, body := a.as(user, http.MethodGet, "/api/recommendations"+tt.query, "")
		if status != http.StatusBadRequest || problemFields(t, body)[tt.field] == "" {
			t.Errorf("%s = %d %s, want 400 naming %s", tt.query, status, body, tt.field)
		}
	}
	status, body := a.as(user, http.MethodGet, "/api/recommendations?types=x&limit=99&lang=de", "")
	if f := problemFields(t, body); status != http.StatusBadRequest || len(f) != 3 {
		t.Errorf("three bad fields = %d %s, want all three named", status, body)
	}
	if status, _ := a.do(http.MethodGet, "/api/recommendations", "", nil); status != http.StatusUnauthorized {
		t.Errorf("without a token = %d, want 401", status)
	}
	ans := a.recommend(user, "?types=book,activity&limit=10")
	count := map[string]int{}
	for _, it := range ans.Items {
		count[it.Type]++
	}
	if count["book"] != min(10, len(a.cat.For(catalog.Joy, catalog.Book))) || count["activity"] != min(10, len(a.cat.For(catalog.Joy, catalog.Activity))) || count["movie"] != 0 {
		t.Errorf("types=book,activity&limit=10 gave %v", count)
	}
}

// Without a stand-in the service asks emotion-store through the real
// sidecar; there is none, so the answer is for neutral and says why.
func TestMoodUnavailableMeansNeutral(t *testing.T) {
	a := start(t, setup{})
	ans := a.recommend(uuid.NewString(), "")
	if ans.Mood != "neutral" || ans.Because != "mood_unavailable" {
		t.Errorf("mood %q because %q, want neutral / mood_unavailable", ans.Mood, ans.Because)
	}
	for _, it := range ans.Items {
		if ci, _ := a.cat.Item(it.ID); !ci.Suits(catalog.Neutral) {
			t.Errorf("%s does not suit neutral", it.ID)
		}
	}
	if len(ans.Items) != 6 {
		t.Errorf("%d items, want 6", len(ans.Items))
	}
}

func TestFeedbackIsListedPerUserAndNoneClears(t *testing.T) {
	a := start(t, setup{moods: &moods{mood: "love"}})
	alice, bob := uuid.NewString(), uuid.NewString()
	films := a.cat.For(catalog.Love, catalog.Movie)
	liked, disliked := films[0], films[1]

	if s := a.feedback(alice, liked.ID, "like"); s != http.StatusNoContent {
		t.Fatalf("like = %d", s)
	}
	if s := a.feedback(alice, disliked.ID, "dislike"); s != http.StatusNoContent {
		t.Fatalf("dislike = %d", s)
	}
	got := a.rated(alice)
	if len(got) != 2 {
		t.Fatalf("alice's feedback = %+v, want 2", got)
	}
	byID := map[string]item{}
	for _, it := range got {
		byID[it.ID] = it
	}
	if l := byID[liked.ID]; l.Feedback != "like" || l.Title != liked.TitleKo || l.OriginalTitle != liked.OriginalTitle {
		t.Errorf("liked entry = %+v", l)
	}
	if d := byID[disliked.ID]; d.Feedback != "dislike" {
		t.Errorf("disliked entry = %+v", d)
	}
	if other := a.rated(bob); len(other) != 0 {
		t.Errorf("bob sees %+v; another user's feedback must be invisible", other)
	}
	if s := a.feedback(alice, liked.ID, "none"); s != http.StatusNoContent {
		t.Fatalf("none = %d", s)
	}
	if got := a.rated(alice); len(got) != 1 || got[0].ID != disliked.ID {
		t.Errorf("after none: %+v, want only the dislike", got)
	}
}

func TestFeedbackRefusals(t *testing.T) {
	a := start(t, setup{moods: &moods{mood: "love"}})
	user := uuid.NewString()
	status, body := a.as(user, http.MethodPost, "/api/recommendations/feedback", `{"item_id":"mv-no-such-film-1999","feedback":"like"}`)
	if status != http.StatusNotFound || !strings.Contains(string(body), "recommendation-item-not-found") {
		t.Errorf("unknown item = %d %s, want 404", status, body)
	}
	status, _ = a.as(user, http.MethodPost, "/api/recommendations/feedback", `{"item_id":"ai-movie-000000000000","feedback":"like"}`)
	if status != http.StatusNotFound {
		t.Errorf("a model id never suggested = %d, want 404", status)
	}
	tests := []struct {
		body   string
		fields []string
	}{
		{`{}`, []string{"item_id", "feedback"}},
		{`{"item_id":"","feedback":"love"}`, []string{"item_id", "feedback"}},
		{`{"item_id":"mv-x-2000","feedback":"LIKE"}`, []string{"feedback"}},
		{`{"item_id":"` + strings.Repeat("x", 200) + `","feedback":"like"}`, []string{"item_id"}},
		{`{"item_id":5,"feedback":"like"}`, []string{"item_id"}},
	}
	for _, tt := range tests {
		status, body := a.as(user, http.MethodPost, "/api/recommendations/feedback", tt.body)
		f := problemFields(t, body)
		if status != http.StatusBadRequest || len(f) != len(tt.fields) {
			t.Errorf("%s = %d %s, want 400 naming %v", tt.body, status, body, tt.fields)
			continue
		}
		for _, name := range tt.fields {
			if f[name] == "" {
				t.Errorf("%s: no message for %s in %v", tt.body, name, f)
			}
		}
	}
	if status, _ := a.as(user, http.MethodPost, "/api/recommendations/feedback", `not json`); status != http.StatusBadRequest {
		t.Errorf("not JSON = %d, want 400", status)
	}
	if got := a.rated(user); len(got) != 0 {
		t.Errorf("refused feedback was stored: %+v", got)
	}
}

func TestDislikedNeverReturnsAndHistoryVaries(t *testing.T) {
	a := start(t, setup{moods: &moods{mood: "sadness"}})
	user := uuid.NewString()
	first := a.recommend(user, "?types=music")
	if len(first.Items) != 3 {
		t.Fatalf("%d songs, want 3", len(first.Items))
	}
	disliked := first.Items[0].ID
	if s := a.feedback(user, disliked, "dislike"); s != http.StatusNoContent {
		t.Fatalf("dislike = %d", s)
	}
	songs := len(a.cat.For(catalog.Sadness, catalog.Music))
	seen := map[string]bool{}
	var prev []string
	for i := range 20 {
		ans := a.recommend(user, "?types=music")
		var ids []string
		for _, it := range ans.Items {
			if it.ID == disliked {
				t.Fatalf("answer %d shows the disliked %s", i+1, disliked)
			}
			seen[it.ID] = true
			ids = append(ids, it.ID)
		}
		// The previous answer's songs are the newest in the history, so
		// two answers in a row never overlap while the mood has at least
		// twice as many songs as one answer shows.
		if songs-1 >= 2*len(ids) {
			for _, id := range ids {
				if slices.Contains(prev, id) {
					t.Errorf("answer %d repeats %s from the one before", i+1, id)
				}
			}
		}
		prev = ids
	}
	if len(seen) != songs-1 {
		t.Errorf("20 answers showed %d different songs, want every sadness song but the disliked one (%d)", len(seen), songs-1)
	}
}

func TestUserDeletedPurges(t *testing.T) {
	a := start(t, setup{moods: &moods{mood: "anger"}})
	gone, kept := uuid.NewString(), uuid.NewString()
	for _, u := range []string{gone, kept} {
		ans := a.recommend(u, "")
		if s := a.feedback(u, ans.Items[0].ID, "like"); s != http.StatusNoContent {
			t.Fatalf("like = %d", s)
		}
	}
	publish := func(data string) string {
		ce := fmt.Sprintf(`{"id":%q,"source":"auth-service","type":"com.dapr.event.sent","specversion":"1.0","topic":"user.deleted","pubsubname":"pubsub","datacontenttype":"application/json","data":%s}`, uuid.NewString(), data)
		status, body := a.do(http.MethodPost, "/events/user-deleted", ce, map[string]string{
			"Content-Type": "application/cloudevents+json", authn.AppTokenHeader: appToken,
		})
		if status != http.StatusOK {
			t.Fatalf("POST /events/user-deleted = %d: %s", status, body)
		}
		var ans struct{ Status string }
		_ = json.Unmarshal(body, &ans)
		return ans.Status
	}
	for range 2 { // the same event twice: idempotent
		if got := publish(fmt.Sprintf(`{"user_id":%q}`, gone)); got != "SUCCESS" {
			t.Fatalf("user.deleted answered %s", got)
		}
	}
	if got := publish(`{"user_id":"not-a-uuid"}`); got != "DROP" {
		t.Errorf("bad user id answered %s, want DROP", got)
	}
	if got := a.rated(gone); len(got) != 0 {
		t.Errorf("feedback survived the purge: %+v", got)
	}
	if got := a.rated(kept); len(got) != 1 {
		t.Errorf("another user's feedback went too: %+v", got)
	}
	// The deleted account's still-valid token records nothing more.
	if s := a.feedback(gone, a.cat.For(catalog.Anger, catalog.Movie)[0].ID, "like"); s != http.StatusUnauthorized {
		t.Errorf("feedback after user.deleted = %d, want 401", s)
	}
	if got := a.rated(gone); len(got) != 0 {
		t.Errorf("feedback after the purge: %+v", got)
	}
	status, _ := a.do(http.MethodPost, "/events/user-deleted", `{}`, map[string]string{"Content-Type": "application/cloudevents+json"})
	if status == http.StatusOK {
		t.Error("the event route answered without the app token")
	}
}
