package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"
)

// moodVisible is the time from POST /api/letters (a letter open now) until
// GET /api/letters/{id} shows its mood, once per sample, one at a time.
func moodVisible(ctx context.Context, gw string, u user, samples int) ([]time.Duration, error) {
	var out []time.Duration
	for i := range samples {
		start := time.Now()
		var created struct {
			ID string `json:"id"`
		}
		if _, err := call(ctx, http.MethodPost, gw+"/api/letters", u.token,
			letterBody(fmt.Sprintf("기분 %d", i), "I feel so lonely here. I miss my family every single night.", time.Now()), &created); err != nil {
			return out, err
		}
		for {
			var l struct {
				Mood *string `json:"mood"`
			}
			_, err := call(ctx, http.MethodGet, gw+"/api/letters/"+created.ID, u.token, nil, &l)
			if err == nil && l.Mood != nil && *l.Mood != "" {
				out = append(out, time.Since(start))
				break
			}
			if time.Since(start) > 30*time.Second {
				return out, fmt.Errorf("mood of letter %s not visible within 30 s", created.ID)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	slices.Sort(out)
	return out, nil
}

// queued is the number of messages (ready and unacknowledged) in every
// queue of the vhost.
func queued(vhost string) (int, error) {
	out, err := exec.Command("rabbitmqctl", "-q", "--no-table-headers", "list_queues", "-p", vhost, "messages").Output()
	if err != nil {
		return 0, fmt.Errorf("rabbitmqctl list_queues: %w", err)
	}
	n := 0
	for _, f := range strings.Fields(string(out)) {
		v, err := strconv.Atoi(f)
		if err != nil {
			return 0, fmt.Errorf("rabbitmqctl list_queues: %q", f)
		}
		n += v
	}
	return n, nil
}

// drained waits up to limit for the vhost's queues to empty and says how
// long it took.
func drained(vhost string, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		n, err := queued(vhost)
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return time.Since(start), nil
		}
		if time.Since(start) > limit {
			return 0, fmt.Errorf("%d messages still queued %s after the load", n, limit)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// mailCounter counts, at the SMTP server, the mails that name one of the
// awaited letters (a letter_opened mail links to its letter).
type mailCounter struct {
	srv    *smtpmock.Server
	await  map[string]int // letter id → mails seen
	seen   int            // messages of srv already read
	unique int
	dups   int
}

func newMailCounter(srv *smtpmock.Server, ids []string) *mailCounter {
	c := &mailCounter{srv: srv, await: make(map[string]int, len(ids))}
	for _, id := range ids {
		c.await[id] = 0
	}
	// Mails from before the letters existed cannot be theirs.
	c.seen = len(srv.Messages())
	return c
}

// poll reads the messages that arrived since the last poll.
func (c *mailCounter) poll() {
	msgs := c.srv.Messages()
	for _, m := range msgs[c.seen:] {
		// Quoted-printable bodies break long lines with "=\r\n".
		body := strings.ReplaceAll(m.MsgRequest(), "=\r\n", "")
		for _, id := range uniq(uuidRE.FindAllString(body, -1)) {
			n, ok := c.await[id]
			if !ok {
				continue
			}
			if n == 0 {
				c.unique++
			} else {
				c.dups++
			}
			c.await[id] = n + 1
		}
	}
	c.seen = len(msgs)
}

func uniq(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// opened writes per letters for each user, all opening at the same minute,
// and measures seconds from that minute until the SMTP server has accepted
// a mail for every one of them, and the duplicates it saw.
func opened(ctx context.Context, gw string, srv *smtpmock.Server, us []user, per int, limit time.Duration) (seconds float64, dups int, err error) {
	n := len(us) * per
	// Room to write them all first: about 100 letters/s at worst here.
	lead := 15*time.Second + time.Duration(n)*10*time.Millisecond
	due := time.Now().Add(lead).Truncate(time.Minute).Add(time.Minute)
	fmt.Fprintf(os.Stderr, "bench: P3 writing %d letters opening at %s\n", n, due.Format(time.TimeOnly))
	ids, err := writeLetters(ctx, gw, us, per, due)
	if err != nil {
		say("P3 writing: %v; measuring the %d written", err, len(ids))
	}
	n = len(ids)
	if time.Now().After(due) {
		return 0, 0, fmt.Errorf("writing %d letters took past their open time %s", n, due.Format(time.TimeOnly))
	}
	c := newMailCounter(srv, ids)
	time.Sleep(time.Until(due))
	for c.unique < n {
		if time.Since(due) > limit {
			return 0, c.dups, fmt.Errorf("%d of %d mails within %s", c.unique, n, limit)
		}
		time.Sleep(100 * time.Millisecond)
		c.poll()
	}
	seconds = time.Since(due).Seconds()
	// A duplicate comes late if at all: a redelivery after a lost answer.
	time.Sleep(10 * time.Second)
	c.poll()
	return seconds, c.dups, nil
}

// rss is the resident set of a process in MB, from /proc, and the part
// of it that is anonymous memory (heap, stacks) rather than the mapped
// binary.
func rss(pid int) (total, anon float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	seen := 0
	for line := range strings.SplitSeq(string(b), "\n") {
		key, rest, ok := strings.Cut(line, ":")
		if !ok || (key != "VmRSS" && key != "RssAnon") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		kb, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return 0, 0, fmt.Errorf("pid %d %s: %w", pid, key, err)
		}
		if key == "VmRSS" {
			total = kb / 1024
		} else {
			anon = kb / 1024
		}
		seen++
	}
	if seen != 2 {
		return 0, 0, fmt.Errorf("no VmRSS or RssAnon for pid %d", pid)
	}
	return total, anon, nil
}

// idleRSS sums the apps' and the sidecars' resident sets separately.
func idleRSS(pids map[string]int) (apps, sidecars float64, err error) {
	for name, pid := range pids {
		mb, anon, err := rss(pid)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		say("idle RSS %-32s %6.1f MB (anonymous %5.1f MB)", name, mb, anon)
		if strings.HasSuffix(name, " daprd") {
			sidecars += mb
		} else {
			apps += mb
		}
	}
	return apps, sidecars, nil
}
