//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Issue 15, finding 3, second half: whatever a deleted account's still
// valid token (or a late event) manages to write around the deletion is
// purged too, and nothing is accepted after a service's purge (its
// tombstone). A client keeps writing letters, routines, special dates and
// images with its old token as fast as it can from before the
// DELETE /api/auth/account until 3 s after it; once the events settle, no
// database holds a row of the user and the bucket no object, and no mail
// is sent, although every letter and routine was due a minute later.
func TestADeletedAccountLeavesNothingBehind(t *testing.T) {
	w := newWriter(t)
	gw := sys.gatewayURL(t)
	due := nextMinute(75 * time.Second)
	seoul, _ := time.LoadLocation("Asia/Seoul")
	local := due.In(seoul)
	png := testPNG(t)

	// Something to purge in every service before the storm: a letter (and
	// its analysis, its due mail), a routine, a special date, an image.
	w.write(t, "before", "written before the deletion", due)

	writes := map[string]func() (*http.Request, error){
		"letter": func() (*http.Request, error) {
			return jsonRequest(gw+"/api/letters", map[string]any{
				"title": "storm", "content": "written around the deletion", "open_date": local.Format("2006-01-02"), "open_time": local.Format("15:04"),
			})
		},
		"routine": func() (*http.Request, error) {
			return jsonRequest(gw+"/api/routines", map[string]string{
				"title": "storm", "kind": "weekly", "weekday": strings.ToLower(local.Weekday().String()[:3]), "time": local.Format("15:04"),
			})
		},
		"special date": func() (*http.Request, error) {
			return jsonRequest(gw+"/api/special-dates", map[string]any{"name": "storm", "date": local.Format("2006-01-02"), "yearly": true})
		},
		"image": func() (*http.Request, error) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			part, err := mw.CreateFormFile("file", "storm.png")
			if err != nil {
				return nil, err
			}
			_, _ = part.Write(png)
			_ = mw.Close()
			req, err := http.NewRequest(http.MethodPost, gw+"/api/images", &buf)
			if err == nil {
				req.Header.Set("Content-Type", mw.FormDataContentType())
			}
			return req, err
		},
	}

	var (
		mu       sync.Mutex
		statuses = map[string]map[int]int{} // kind → status → count
		failures []string
		deleted  time.Time // set when the 204 arrived
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	for kind, build := range writes {
		statuses[kind] = map[int]int{}
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, err := build()
				if err == nil {
					req.Header.Set("Authorization", "Bearer "+w.token)
					var resp *http.Response
					if resp, err = client.Do(req); err == nil {
						body, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						mu.Lock()
						statuses[kind][resp.StatusCode]++
						if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusUnauthorized &&
							resp.StatusCode != http.StatusRequestEntityTooLarge && len(failures) < 10 {
							// 413: the image quota, reached before the deletion.
							failures = append(failures, fmt.Sprintf("%s: %d %s", kind, resp.StatusCode, body))
						}
						mu.Unlock()
					}
				}
				if err != nil {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%s: %v", kind, err))
					mu.Unlock()
					return
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	r := call(t, http.MethodDelete, gw+"/api/auth/account", map[string]string{"password": w.Password}, bearer(w.token)...)
	deleted = time.Now()
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()
	expect(t, r, http.StatusNoContent, "delete the account")
	t.Logf("writes with the old token around the deletion (status: count): %v", statuses)
	if len(failures) > 0 {
		t.Errorf("writes answered other than 201, 401 or 413: %q", failures)
	}
	if time.Now().After(due) {
		t.Fatalf("the storm ended at %s, past the due minute %s: the mail check would prove nothing", time.Now().Format(time.TimeOnly), due.Format(time.TimeOnly))
	}

	// Every service's database, once the events have settled.
	checks := []struct{ db, sql string }{
		{"ltm_letter", "SELECT count(*) FROM letters WHERE user_id = $1"},
		{"ltm_routine", "SELECT (SELECT count(*) FROM routines WHERE user_id = $1) + (SELECT count(*) FROM special_dates WHERE user_id = $1)"},
		{"ltm_letter_storage", "SELECT (SELECT count(*) FROM images WHERE user_id = $1) + (SELECT count(*) FROM doomed_objects WHERE object_key LIKE 'users/' || $1 || '/%')"},
		{"ltm_user", "SELECT count(*) FROM profiles WHERE user_id = $1"},
		{"ltm_scheduler", "SELECT count(*) FROM due_work WHERE user_id = $1"},
		{"ltm_notification", "SELECT count(*) FROM notifications WHERE user_id = $1"},
		{"ltm_emotion_ml", "SELECT count(*) FROM analyses WHERE user_id = $1"},
		// The user's document stays as their tombstone, empty but for purged_at.
		{"ltm_emotion_store", "SELECT count(*) FROM dapr_state WHERE key LIKE '%||user:' || $1 AND (value::text NOT LIKE '%purged_at%' OR value::text LIKE '%letters%')"},
		// Only the tombstone key is left.
		{"ltm_recommend", "SELECT count(*) FROM dapr_state WHERE key LIKE '%:' || $1 AND key NOT LIKE '%||tombstone:%'"},
	}
	eventually(t, 60*time.Second, "nothing of the deleted user in any database or the bucket", func() error {
		var left []string
		for _, c := range checks {
			sql := strings.ReplaceAll(c.sql, "$1", "'"+w.ID+"'")
			out, err := exec.Command("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", sql, sys.W.ID+"_"+c.db).CombinedOutput()
			if err != nil {
				return fmt.Errorf("psql %s: %v: %s", c.db, err, out)
			}
			if n := strings.TrimSpace(string(out)); n != "0" {
				left = append(left, c.db+": "+n)
			}
		}
		objects, _ := os.ReadDir(filepath.Join(sys.W.Data, "images", "users", w.ID))
		if len(objects) > 0 {
			left = append(left, fmt.Sprintf("bucket: %d objects", len(objects)))
		}
		if len(left) > 0 {
			return fmt.Errorf("rows left: %s", strings.Join(left, ", "))
		}
		return nil
	})
	// Every service has its tombstone: the storm's writes stopped being
	// accepted (the last 201 came before the purge, or no later than the
	// token's revocation; either way nothing of them is left, above).
	for _, db := range []string{"ltm_letter", "ltm_routine", "ltm_letter_storage", "ltm_user", "ltm_scheduler", "ltm_notification", "ltm_emotion_ml"} {
		out, err := exec.Command("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
			"SELECT count(*) FROM tombstones WHERE user_id = '"+w.ID+"'", sys.W.ID+"_"+db).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "1" {
			t.Errorf("%s: tombstone %q (%v)", db, strings.TrimSpace(string(out)), err)
		}
	}

	// The letters and routines were due at the next minute: had anything
	// survived, its mail would go out now.
	waitUntil(due.Add(15 * time.Second))
	if n := mailsTo(w.Email); n != 0 {
		t.Errorf("%d mails sent to the deleted account (deleted at %s)", n, deleted.Format(time.TimeOnly))
	}
}

// jsonRequest is a POST of body as JSON.
func jsonRequest(url string, body any) (*http.Request, error) {
	enc, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(enc))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, err
}
