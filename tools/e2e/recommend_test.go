//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

type recItem struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	Title         string `json:"title"`
	OriginalTitle string `json:"original_title"`
	Source        string `json:"source"`
	Feedback      string `json:"feedback"`
}

type recAnswer struct {
	Mood    string    `json:"mood"`
	Because string    `json:"because"`
	Items   []recItem `json:"items"`
}

// catalogMoods reads recommend-service's shipped catalog (the e2e module
// cannot import the service's internal packages): item id → moods.
func catalogMoods(t *testing.T) map[string][]string {
	t.Helper()
	repo, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(repo, "apps", "recommend", "internal", "catalog", "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Items []struct {
			ID    string   `json:"id"`
			Moods []string `json:"moods"`
		} `json:"items"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, it := range f.Items {
		out[it.ID] = it.Moods
	}
	return out
}

func (w writer) recommendations(t *testing.T, query string) recAnswer {
	t.Helper()
	r := w.call(t, http.MethodGet, "/api/recommendations"+query, nil)
	expect(t, r, http.StatusOK, "recommendations")
	var ans recAnswer
	r.json(t, &ans)
	return ans
}

func (w writer) rate(t *testing.T, itemID, feedback string) response {
	t.Helper()
	return w.call(t, http.MethodPost, "/api/recommendations/feedback", map[string]string{"item_id": itemID, "feedback": feedback})
}

func (w writer) rated(t *testing.T) []recItem {
	t.Helper()
	r := w.call(t, http.MethodGet, "/api/recommendations/feedback", nil)
	expect(t, r, http.StatusOK, "feedback list")
	var out struct{ Items []recItem }
	r.json(t, &out)
	return out.Items
}

// recommendState is the status of one of the user's documents in
// recommend-state, read through recommend-service's own sidecar: 200 when
// it exists, 204 when it does not.
func recommendState(t *testing.T, key string) int {
	t.Helper()
	return sidecarCall(t, http.MethodGet, sys.daprURL(t, "recommend-service")+"/v1.0/state/recommend-state/"+key, nil).Status
}

// A writer whose letters are sad is recommended sadness items; a dislike
// never comes back, a like is listed, nobody else sees either, and
// deleting the account removes feedback and history.
func TestRecommendationsFollowTheMoodAndLearn(t *testing.T) {
	moods := catalogMoods(t)
	w := newWriter(t)
	for _, text := range []string{
		"오늘은 너무 슬펐다. 할머니가 보고 싶어서 밤새 울었다. 마음이 텅 빈 것 같고 외롭다.",
		"I feel so sad and lonely. I miss her every day and I cried again tonight.",
		"눈물이 멈추지 않는다. 그리움과 슬픔 때문에 아무것도 할 수 없었다.",
	} {
		w.write(t, "오늘의 편지", text, time.Now().Add(time.Hour))
	}
	var ans recAnswer
	eventually(t, 90*time.Second, "recommendations for the sad letters", func() error {
		ans = w.recommendations(t, "")
		if ans.Mood != "sadness" {
			return fmt.Errorf("mood %q (because %q)", ans.Mood, ans.Because)
		}
		return nil
	})
	count := map[string]int{}
	for _, it := range ans.Items {
		count[it.Type]++
		if it.Source == "catalog" && !slices.Contains(moods[it.ID], "sadness") {
			t.Errorf("%s (%s) is not a sadness item: %v", it.ID, it.OriginalTitle, moods[it.ID])
		}
	}
	if count["movie"] != 3 || count["music"] != 3 {
		t.Errorf("default answer = %v, want 3 movies and 3 songs", count)
	}

	disliked, liked := ans.Items[0], ans.Items[3]
	expect(t, w.rate(t, disliked.ID, "dislike"), http.StatusNoContent, "dislike")
	for i := range 20 {
		for _, it := range w.recommendations(t, "?types="+disliked.Type).Items {
			if it.ID == disliked.ID {
				t.Fatalf("answer %d after the dislike shows %s again", i+1, it.ID)
			}
		}
	}
	expect(t, w.rate(t, liked.ID, "like"), http.StatusNoContent, "like")
	expect(t, w.rate(t, "mv-no-such-film-1999", "like"), http.StatusNotFound, "like an unknown item")
	got := map[string]recItem{}
	for _, it := range w.rated(t) {
		got[it.ID] = it
	}
	if len(got) != 2 || got[liked.ID].Feedback != "like" || got[liked.ID].Title == "" || got[disliked.ID].Feedback != "dislike" {
		t.Errorf("feedback list = %+v, want the like and the dislike with titles", got)
	}

	other := newWriter(t)
	if list := other.rated(t); len(list) != 0 {
		t.Errorf("another user sees %+v", list)
	}
	expect(t, other.rate(t, disliked.ID, "like"), http.StatusNoContent, "another user likes what the writer disliked")
	if list := other.rated(t); len(list) != 1 || list[0].ID != disliked.ID || list[0].Feedback != "like" {
		t.Errorf("the other user's list = %+v, want only their like", list)
	}
	for _, it := range w.rated(t) {
		if it.ID == disliked.ID && it.Feedback != "dislike" {
			t.Errorf("the other user's like changed the writer's dislike: %+v", it)
		}
	}
	other.recommendations(t, "")

	for _, key := range []string{"feedback:" + w.ID, "history:" + w.ID} {
		if s := recommendState(t, key); s != http.StatusOK {
			t.Fatalf("%s before the deletion: status %d, want 200", key, s)
		}
	}
	r := w.call(t, http.MethodDelete, "/api/auth/account", map[string]string{"password": w.Password})
	expect(t, r, http.StatusNoContent, "delete account")
	eventually(t, 30*time.Second, "recommendation data purged after user.deleted", func() error {
		for _, key := range []string{"feedback:" + w.ID, "history:" + w.ID} {
			if s := recommendState(t, key); s != http.StatusNoContent {
				return fmt.Errorf("%s: status %d", key, s)
			}
		}
		return nil
	})
	if s := recommendState(t, "history:"+other.ID); s != http.StatusOK {
		t.Errorf("the other user's history: status %d, want it kept", s)
	}
}
