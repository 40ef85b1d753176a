//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

var hangul = regexp.MustCompile(`\p{Hangul}`)

// TestBrowserJourney is a person's whole story in the web client, in
// Korean and then in English: sign up, write an open letter with an image
// and a sealed one, read them, plan a routine and a special date, look at
// /me, change the settings, download everything, delete the account.
func TestBrowserJourney(t *testing.T) {
	b := openTab(t, 1280, 900)
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	name := "web_" + randomHex(4)
	password := "paper-moon-" + randomHex(3)

	// Home, Korean by default, then sign-up: signed in straight after.
	b.visit("/")
	if lang := b.attr("html", "lang"); lang != "ko" {
		t.Fatalf("home is in %q, want Korean by default", lang)
	}
	b.check("home")
	b.moving("^/signup$", func() { b.click("#home-signup") })
	b.check("signup")
	b.fill("#signup-form", map[string]string{"username": name, "email": name + "@example.com", "password": password, "password_confirm": password})
	b.moving("^/write$", func() { b.click("#signup-submit") })
	if b.count("#logout-button") != 1 {
		t.Fatal("not signed in after sign-up")
	}
	b.check("write")
	b.sessionIsACookieOnly()

	// An open letter with an image: it opens this minute in Asia/Seoul,
	// the zone of a new profile.
	now := time.Now().In(seoul)
	openContent := "오늘의 나에게, 열린 편지 " + randomHex(4)
	png := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(png, testPNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	b.fill("#write-form", map[string]string{"title": "열린 편지", "content": openContent, "open_date": now.Format("2006-01-02"), "open_time": now.Format("15:04")})
	b.upload("#write-images", png)
	b.waitFor("the image uploaded", `document.querySelector("#image-list [data-testid=image-item][data-image-id]") !== null && !document.querySelector("#write-submit").disabled`)
	b.screenshot("write-with-image")
	b.moving(`^/letters/[0-9a-f-]+$`, func() { b.click("#write-submit") })
	openID := b.attr("#letter", "data-letter-id")
	if b.attr("#letter", "data-sealed") != "false" || !strings.Contains(b.text("#letter-content"), openContent) {
		t.Fatalf("the open letter shows %q", b.text("#letter"))
	}
	b.waitFor("its image shown", `[...document.querySelectorAll("#letter-images img[data-testid=letter-image]")].some(i => i.complete && i.naturalWidth === 32)`)

	// A sealed letter: nothing of its content may reach the page, ever.
	sealedContent := "SEALED-" + randomHex(8)
	tomorrow := now.AddDate(0, 0, 1)
	b.navigate("/write")
	b.fill("#write-form", map[string]string{"title": "봉인된 편지", "content": sealedContent, "open_date": tomorrow.Format("2006-01-02"), "open_time": "09:00"})
	b.moving("^/letters$", func() { b.click("#write-submit") })
	b.waitFor("the future tab", `document.querySelector("#letter-list[data-category=future]") !== null`)
	b.check("letters-future")
	sealedID := b.attr("#letter-list [data-testid=letter-card][data-sealed=true]", "data-letter-id")
	if sealedID == "" || b.count("#letter-list [data-testid=letter-card]") != 1 || b.count("[data-testid=letter-card][data-sealed=true] [data-testid=time-left]") != 1 {
		t.Fatalf("future tab: %q", b.text("#letters-panel"))
	}
	noSealedContent := func(where string) {
		t.Helper()
		if strings.Contains(b.html(), sealedContent) {
			t.Errorf("%s: the sealed letter's content is in the DOM", where)
		}
	}
	noSealedContent("future tab")

	// Tabs: today holds the open letter, past holds neither.
	b.click("#tab-today")
	b.waitFor("the today tab", `document.querySelector("#letter-list[data-category=today]") !== null && document.querySelector("#tab-today").getAttribute("aria-selected") === "true"`)
	b.settle("today tab")
	if b.attr("#letter-list [data-testid=letter-card]", "data-letter-id") != openID || b.attr("#letter-list [data-testid=letter-card]", "data-sealed") != "false" {
		t.Errorf("today tab: %q", b.text("#letters-panel"))
	}
	b.check("letters-today")
	noSealedContent("today tab")
	b.click("#tab-past")
	b.waitFor("the past tab", `document.querySelector("#letter-list[data-category=past]") !== null`)
	b.settle("past tab")
	if n := b.count("#letter-list [data-testid=letter-card]"); n != 0 {
		t.Errorf("past tab has %d letters, want none", n)
	}
	b.navigate("/letters/" + sealedID)
	if b.attr("#letter", "data-sealed") != "true" || b.count("#letter [data-testid=time-left]") != 1 || b.count("#letter-content") != 0 {
		t.Errorf("sealed letter page: %q", b.text("#letter"))
	}
	b.check("letter-sealed")
	noSealedContent("sealed letter page")

	// A reload keeps the session: the client trades the cookie for a new
	// access token.
	b.visit("/letters/" + openID)
	if b.count("#logout-button") != 1 || b.attr("#letter", "data-letter-id") != openID {
		t.Fatalf("after a reload: signed in %v, page %q", b.count("#logout-button") == 1, b.text("main"))
	}
	b.sessionIsACookieOnly()

	// The open letter gets its mood once emotion-ml has read it.
	mood := ""
	deadline := time.Now().Add(60 * time.Second)
	for mood == "" && time.Now().Before(deadline) {
		b.navigate("/letters/" + openID)
		if mood = b.attr("#letter-mood", "data-mood"); mood == "" {
			time.Sleep(time.Second)
		}
	}
	if mood == "" {
		t.Fatal("the open letter shows no mood after 60s")
	}
	b.check("letter-open")

	// A weekly routine (Mondays 09:00) and a special date (today, yearly)
	// appear on the month calendar.
	b.navigate("/routines")
	b.fill("#routine-form", map[string]string{"title": "월요일 편지", "kind": "weekly", "weekday": "mon", "time": "09:00"})
	b.click("#routine-submit")
	b.waitFor("the routine listed", `document.querySelector("#routine-list > [data-routine-id]") !== null`)
	routineID := b.attr("#routine-list > [data-routine-id]", "data-routine-id")
	b.fill("#special-date-form", map[string]string{"name": "첫 편지 쓴 날", "date": now.Format("2006-01-02"), "yearly": "true"})
	b.click("#special-date-submit")
	b.waitFor("the special date listed", `document.querySelector("#special-date-list > [data-special-date-id]") !== null`)
	specialID := b.attr("#special-date-list > [data-special-date-id]", "data-special-date-id")
	b.settle("routines")
	b.check("routines")
	b.calendarShows(now.Format("2006-01-02"), specialID)
	monday := now.AddDate(0, 0, 1)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, 1)
	}
	if monday.Month() != now.Month() {
		b.click("#calendar-next")
		b.waitFor("next month", `document.querySelector("#calendar").dataset.month === `+jsString(monday.Format("2006-01")))
		b.settle("next month")
	}
	b.calendarShows(monday.Format("2006-01-02"), routineID)

	// /me: counts, the mood chart, the comfort message, recommendations;
	// a dislike takes the item away.
	b.navigate("/me")
	b.waitFor("the mood chart", `document.querySelector("#mood-chart g[data-mood]") !== null`)
	b.waitFor("recommendations", `document.querySelector("#rec-list > [data-testid=rec-item]") !== null`)
	if got := b.text("#count-letters"); !strings.Contains(got, "2") {
		t.Errorf("letter count reads %q, want 2", got)
	}
	if b.attr("#comfort-message", "data-mood") == "" || strings.TrimSpace(b.text("#comfort-message")) == "" {
		t.Errorf("comfort message: %q", b.text("#comfort-message"))
	}
	b.check("me")
	item := b.attr("#rec-list > [data-testid=rec-item]", "data-item-id")
	b.click(fmt.Sprintf("#rec-list > [data-testid=rec-item][data-item-id=%q] [data-testid=rec-dislike]", item))
	b.waitFor("the disliked item gone", fmt.Sprintf(`document.querySelector('#rec-list > [data-item-id=%q]') === null`, item))
	b.navigate("/notifications")
	b.check("notifications")

	// Settings: English, then the English pages say no Korean word of
	// their own (only the user's letters and names may be Korean).
	b.navigate("/settings")
	b.check("settings")
	b.click("#locale-en")
	b.click("#language-submit")
	b.waitFor("English", `document.documentElement.lang === "en"`)
	b.settle("settings in English")
	for _, page := range []string{"/settings", "/letters", "/routines", "/me", "/notifications", "/write"} {
		b.navigate(page)
		for _, sel := range []string{"#page-title", "#top nav"} {
			if s := b.text(sel); s == "" || hangul.MatchString(s) {
				t.Errorf("%s in English: %s reads %q", page, sel, s)
			}
		}
		b.check("en" + strings.ReplaceAll(page, "/", "-"))
	}

	// Timezone: searchable, saved, and what /write then shows.
	b.navigate("/settings")
	b.step("search a zone", chromedp.SendKeys(chromedp.CSS("#timezone-search"), "Berlin"))
	b.waitFor("only matching zones offered", `(() => { const o = [...document.querySelectorAll("#timezone-select option")];
		return o.some(x => x.value === "Europe/Berlin") && o.every(x => x.value.includes("Berlin")) })()`)
	b.fill("#timezone-form", map[string]string{"timezone": "Europe/Berlin"})
	b.click("#timezone-submit")
	b.waitFor("the zone saved", `(document.querySelector("#timezone-current")?.innerText ?? "").includes("Europe/Berlin")`)
	b.navigate("/write")
	if z := b.text("#write-zone"); !strings.Contains(z, "Berlin") {
		t.Errorf("/write shows the zone %q, want Europe/Berlin", z)
	}

	// Download everything: one JSON file with what the API holds.
	b.navigate("/settings")
	data := b.download("export", chromedp.Click(chromedp.CSS("#export-button"), chromedp.NodeVisible))
	var export struct {
		Format  any `json:"format"`
		Profile struct {
			Locale   string `json:"locale"`
			Timezone string `json:"timezone"`
		} `json:"profile"`
		Letters      json.RawMessage `json:"letters"`
		Routines     json.RawMessage `json:"routines"`
		SpecialDates json.RawMessage `json:"special_dates"`
	}
	if err := json.Unmarshal(data, &export); err != nil {
		t.Fatalf("export is not JSON: %v: %.200s", err, data)
	}
	if export.Format == nil || export.Profile.Locale != "en" || export.Profile.Timezone != "Europe/Berlin" {
		t.Errorf("export profile: %s", data)
	}
	if !strings.Contains(string(export.Letters), openContent) || strings.Contains(string(data), sealedContent) {
		t.Errorf("export letters must hold the open letter's content and never the sealed one's: %s", export.Letters)
	}
	if !strings.Contains(string(export.Routines), routineID) || !strings.Contains(string(export.SpecialDates), specialID) {
		t.Errorf("export lacks the routine or the special date: %s / %s", export.Routines, export.SpecialDates)
	}

	// Delete the account: home, and the password no longer signs in.
	b.fill("#delete-form", map[string]string{"password": password})
	b.click("#delete-submit")
	b.waitFor("the confirmation", `document.querySelector("#confirm-dialog")?.open === true`)
	b.screenshot("delete-confirm")
	b.moving("^/$", func() { b.click("#confirm-yes") })
	if b.count("#home") != 1 || b.count("#logout-button") != 0 {
		t.Fatal("not on the signed-out home page after deleting the account")
	}
	b.navigate("/login")
	b.fill("#login-form", map[string]string{"username": name, "password": password})
	b.click("#login-submit")
	b.waitFor("login refused", `[...document.querySelectorAll("#login-form .form-error, #login-form [data-error-for]")].some(e => !e.hidden && e.innerText.trim() !== "")`)
	if p := evalJS[string](b, "location.pathname"); p != "/login" {
		t.Errorf("a deleted account signed in (now at %s)", p)
	}
	b.check("login-refused")
	if _, r := login(t, name, password); r.Status != http.StatusUnauthorized {
		t.Errorf("API login after deletion: %d, want 401", r.Status)
	}
}

// calendarShows clicks the day date on the calendar and expects the
// occurrence of id (a routine or special date) listed for it.
func (b *tab) calendarShows(date, id string) {
	b.t.Helper()
	cell := fmt.Sprintf(`#calendar .cal-cell[data-date=%q]`, date)
	if n, _ := strconv.Atoi(b.attr(cell, "data-count")); n < 1 {
		b.t.Fatalf("calendar: %s has %q occurrences", date, b.attr(cell, "data-count"))
	}
	b.click(cell)
	b.waitFor("the occurrences of "+date, fmt.Sprintf(`document.querySelector('#calendar-day [data-testid=calendar-occurrence][data-id=%q]') !== null`, id))
}

// TestBrowserSmallScreen opens the main pages on a 360 px wide phone: none
// may scroll sideways, each passes axe. It also covers the pages the
// journey does not (login, the 404 page).
func TestBrowserSmallScreen(t *testing.T) {
	a := signup(t)
	b := openTab(t, 360, 740)
	for _, page := range []string{"/", "/signup", "/login", "/no-such-page"} {
		b.visit(page)
		b.check("360" + strings.ReplaceAll(page, "/", "-"))
		b.noHorizontalScroll(page)
	}
	if b.count("#not-found") != 1 {
		t.Error("an unknown path does not show the not-found page")
	}
	b.visit("/login")
	b.fill("#login-form", map[string]string{"username": a.Username, "password": a.Password})
	b.moving("^/letters$", func() { b.click("#login-submit") })
	// Full page loads: each restores the session from the cookie.
	for _, page := range []string{"/letters", "/write", "/routines", "/me", "/settings", "/notifications"} {
		b.visit(page)
		b.check("360" + strings.ReplaceAll(page, "/", "-"))
		b.noHorizontalScroll(page)
	}
}

// sessionIsACookieOnly: the refresh token is in an HttpOnly, SameSite=Strict
// cookie on /api/auth/ that no script can read, and no token is in storage.
func (b *tab) sessionIsACookieOnly() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, wait)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/api/auth/refresh"}})
	if err != nil {
		b.t.Fatal(err)
	}
	var found bool
	for _, c := range res.Cookies {
		if c.Name != "ltm_refresh" {
			continue
		}
		found = true
		if !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict || c.Path != "/api/auth/" {
			b.t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/api/auth/", c)
		}
	}
	if !found {
		b.t.Error("no ltm_refresh cookie for /api/auth/")
	}
	if got := evalJS[string](b, "document.cookie"); strings.Contains(got, "ltm_refresh") {
		b.t.Errorf("a script can read the session cookie: %q", got)
	}
	if got := evalJS[string](b, "JSON.stringify([localStorage, sessionStorage])"); strings.Contains(got, "eyJ") || strings.Contains(strings.ToLower(got), "token") {
		b.t.Errorf("web storage holds a token: %s", got)
	}
}
