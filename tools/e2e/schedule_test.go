//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/world"
)

// mailsTo counts the mails the SMTP server accepted for address.
func mailsTo(address string) int {
	n := 0
	for _, m := range sys.SMTP.Messages() {
		if strings.Contains(strings.ToLower(fmt.Sprint(m.RcpttoRequestResponse())), strings.ToLower("<"+address+">")) {
			n++
		}
	}
	return n
}

// nextMinute is the first whole minute at least lead from now: open times
// and routine times have minute precision.
func nextMinute(lead time.Duration) time.Time {
	return time.Now().Add(lead).Truncate(time.Minute).Add(time.Minute)
}

// waitUntil sleeps until t: these tests are about wall-clock time itself.
func waitUntil(t time.Time) { time.Sleep(time.Until(t)) }

// The product's promise, several ways at once, all due at the same minute:
// a letter's opening mail goes to the account's current email, a weekly
// routine reminds once, a deleted letter mails nothing, and the same
// request published twice mails once. Two scheduler instances sweep the
// same table throughout.
//
// Everything that schedules work is done first, one step after another,
// and only then does the test wait: parallel subtests are capped by
// -parallel (GOMAXPROCS, 2 on a small machine), so a scenario that set
// itself up inside a parallel subtest could start after the due minute.
// Found the hard way: the routine was created five seconds too late.
func TestOnTimeExactlyOnce(t *testing.T) {
	opener, reminded, deleter, twice := newWriter(t), newWriter(t), newWriter(t), newWriter(t)
	due := nextMinute(30 * time.Second)
	seoul, _ := time.LoadLocation("Asia/Seoul")

	// A letter opening at due, and then its writer moves to a new address.
	opener.write(t, "1년 뒤의 나에게", "sealed words", due)
	newEmail := "moved-" + opener.Email
	r := opener.call(t, http.MethodPost, "/api/auth/email", map[string]string{"password": opener.Password, "email": newEmail})
	expect(t, r, http.StatusNoContent, "change email")

	// A weekly routine at due's minute in the writer's zone (the default, Asia/Seoul).
	local := due.In(seoul)
	r = reminded.call(t, http.MethodPost, "/api/routines", map[string]string{
		"title": "일요일의 편지", "kind": "weekly", "weekday": strings.ToLower(local.Weekday().String()[:3]), "time": local.Format("15:04"),
	})
	expect(t, r, http.StatusCreated, "create a routine")

	// A letter opening at due, deleted before it opens.
	id := deleter.write(t, "지운 편지", "never mind", due)
	expect(t, deleter.call(t, http.MethodDelete, "/api/letters/"+id, nil), http.StatusNoContent, "delete")

	// One request published twice, as a redelivery would.
	req := map[string]any{
		"id": "routine_reminder:e2e-" + randomHex(4) + ":" + due.Format("2006-01-02"), "user_id": twice.ID, "kind": "routine_reminder",
		"data": map[string]string{"routine_id": "e2e", "title": "twice"},
	}
	publish := sys.daprURL(t, "scheduler-service") + "/v1.0/publish/pubsub/notification.requested"
	for range 2 {
		expect(t, sidecarCall(t, http.MethodPost, publish, req), http.StatusNoContent, "publish")
	}
	if time.Now().After(due) {
		t.Fatalf("setting up took until %s, past the due minute %s", time.Now().Format(time.TimeOnly), due.Format(time.TimeOnly))
	}

	// exactlyOne waits for a mail to address and then makes sure no second
	// copy follows from the next sweeps or a redelivery.
	exactlyOne := func(t *testing.T, address, what string) {
		eventually(t, 30*time.Second, what, func() error {
			if n := mailsTo(address); n != 1 {
				return fmt.Errorf("%d mails to %s", n, address)
			}
			return nil
		})
		time.Sleep(5 * time.Second)
		if n := mailsTo(address); n != 1 {
			t.Errorf("%s: %d mails to %s, want 1", what, n, address)
		}
	}

	t.Run("the same request twice: one mail", func(t *testing.T) {
		exactlyOne(t, twice.Email, "the mail")
	})

	waitUntil(due)
	// In turn: each check waits at most 30 s for mail that is already due.
	check := func(name string, f func(t *testing.T)) { t.Run(name, f) }
	check("letter opens: one mail to the current email", func(t *testing.T) {
		exactlyOne(t, newEmail, "the opening mail")
		if old := mailsTo(opener.Email); old != 0 {
			t.Errorf("%d mails to the old address", old)
		}
	})
	check("weekly routine: one reminder", func(t *testing.T) {
		exactlyOne(t, reminded.Email, "the reminder")
	})
	check("deleted letter: no mail", func(t *testing.T) {
		waitUntil(due.Add(20 * time.Second))
		if n := mailsTo(deleter.Email); n != 0 {
			t.Errorf("%d mails for a deleted letter", n)
		}
	})
}

// Mail due while the SMTP server is down arrives once when it is back.
func TestMailAfterSMTPOutage(t *testing.T) {
	w := newWriter(t)
	due := nextMinute(20 * time.Second)
	w.write(t, "늦게라도", "better late", due)

	port := sys.SMTP.PortNumber()
	if err := sys.SMTP.Stop(); err != nil {
		t.Fatal(err)
	}
	waitUntil(due.Add(15 * time.Second))
	srv, err := world.StartSMTP(port)
	if err != nil {
		t.Fatalf("restart the SMTP server: %v", err)
	}
	sys.SMTP = srv
	eventually(t, 3*time.Minute, "the mail after the outage", func() error {
		if n := mailsTo(w.Email); n != 1 {
			return fmt.Errorf("%d mails", n)
		}
		return nil
	})
	time.Sleep(5 * time.Second)
	if n := mailsTo(w.Email); n != 1 {
		t.Errorf("%d mails, want exactly 1", n)
	}
}
