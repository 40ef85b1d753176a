//go:build e2e && chaos

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/lettertomyself/ltm/tools/internal/runfile"
	"github.com/lettertomyself/ltm/tools/internal/world"
)

// The fault-injection suite (issue 16): under a steady load, one fault at
// a time, then count what the product promises never happens — a letter
// acknowledged with 201 and gone, a due mail never sent, a mail sent twice,
// a letter without its emotion result — and how long requests failed.
//
// CHAOS=full runs every scenario with the full outage lengths; the default
// short form runs a few, briefly, for make test. The system runs on a
// Postgres and a RabbitMQ the suite starts for itself (ownInfra), so
// stopping them disturbs nothing else on the machine.

// scenario is one fault and its repair.
type scenario struct {
	name string
	// inject causes the fault; repair undoes it as a supervisor (or an
	// operator) would. hold is the time between them.
	inject, repair func(ctx context.Context) error
	hold           time.Duration
	// smtpDupBound is how many duplicate mails the fault may cause because
	// the SMTP server accepted them an instant before the sender died,
	// before the delivery was recorded (the smtp binding has no
	// idempotency key): the notification subscription's prefetch.
	smtpDupBound int
	// midSweep injects the fault a second after a minute begins, while
	// the mails due at that minute are being swept and sent.
	midSweep bool
}

// The suite's own Postgres and RabbitMQ, which it stops and restarts.
var (
	chaosPG  *world.Postgres
	chaosRMQ *world.RabbitMQ
)

func init() {
	ownInfra = func(ctx context.Context) (world.Infra, func(), error) {
		var err error
		if chaosPG, err = world.StartPostgres(ctx); err != nil {
			return world.Infra{}, func() {}, err
		}
		if chaosRMQ, err = world.StartRabbitMQ(ctx); err != nil {
			return world.Infra{}, chaosPG.Close, err
		}
		infra := chaosRMQ.Infra()
		infra.PGPort = chaosPG.Port
		return infra, func() { chaosRMQ.Close(); chaosPG.Close() }, nil
	}
	// A second notification process, as a second pod would be: the same
	// app id, so the two compete for every mail request.
	extraApps = func(f *runfile.File) ([]runfile.App, error) {
		a, err := world.Replica(f, "notification-service", notificationReplica)
		return []runfile.App{a}, err
	}
}

// notificationReplica is the launcher's name for the second notification
// process (Dapr app id notification-service).
const notificationReplica = "notification-replica"

func postgresRestart(hold time.Duration) scenario {
	return scenario{
		name:   fmt.Sprintf("Postgres stopped %s, started", hold),
		hold:   hold,
		inject: func(ctx context.Context) error { return chaosPG.Stop(ctx) },
		repair: func(ctx context.Context) error { return chaosPG.Start(ctx) },
	}
}

func rabbitRestart(hold time.Duration) scenario {
	return scenario{
		name:   fmt.Sprintf("RabbitMQ stopped %s, started", hold),
		hold:   hold,
		inject: func(ctx context.Context) error { return chaosRMQ.Stop(ctx) },
		repair: func(ctx context.Context) error { return chaosRMQ.Start(ctx) },
	}
}

// takeoverWindow is how long after a notification process dies a copy of
// a mail it sent but had not recorded may still come: notification-
// service's CLAIM_LEASE (2 min), then the next retry of mailEventRetry
// (at most 30 s apart), with margin.
const takeoverWindow = 3 * time.Minute

// prefetch is components/pubsub.yaml's prefetchCount: at most this many
// notification requests are in flight in one notification process.
const prefetch = 20

// chaosApps are the apps of dapr.yaml, and the suite's second scheduler.
var chaosApps = []string{
	"gateway", "auth-service", "user-service", "routine-service", "scheduler-service",
	"notification-service", "letter-service", "letter-storage-service", "emotion-ml-service",
	"emotion-store-service", "recommend-service", schedulerReplica, notificationReplica,
}

func killScenario(app string, sidecar bool, hold time.Duration) scenario {
	what := "kill -9 " + app
	if sidecar {
		what += " daprd"
	}
	s := scenario{
		name:   what,
		hold:   hold,
		inject: func(context.Context) error { return sys.Launch.Kill(app, sidecar) },
		repair: func(ctx context.Context) error { return sys.Launch.Revive(ctx, app) },
	}
	switch app {
	case "notification-service", notificationReplica:
		// One of two senders killed while the minute's mails go out.
		s.smtpDupBound, s.midSweep = prefetch, true
	case schedulerReplica:
		// One of two sweepers killed while the minute's rows are swept.
		s.midSweep = true
	}
	return s
}

// smtpServers are every SMTP server the suite has run: a restart starts a
// new one, and mails counted before it must still count.
var (
	smtpMu      sync.Mutex
	smtpRetired []*smtpmock.Server
)

func smtpDown(hold time.Duration) scenario {
	var port int
	return scenario{
		name: fmt.Sprintf("SMTP server down %s", hold),
		hold: hold,
		inject: func(context.Context) error {
			smtpMu.Lock()
			defer smtpMu.Unlock()
			port = sys.SMTP.PortNumber()
			smtpRetired = append(smtpRetired, sys.SMTP)
			return sys.SMTP.Stop()
		},
		repair: func(context.Context) error {
			srv, err := world.StartSMTP(port)
			if err != nil {
				return err
			}
			smtpMu.Lock()
			sys.SMTP = srv
			smtpMu.Unlock()
			return nil
		},
	}
}

// mailLog notes when each mail reached the suite's SMTP servers, so a
// duplicate is charged to the fault that was on (or last) when it was sent.
type mailLog struct {
	mu    sync.Mutex
	seen  map[*smtpmock.Server]int
	mails []mail
}

type mail struct {
	at     time.Time
	rcpt   string // lower-cased RCPT TO answer
	letter string // the letter an opening mail links to; "" for a reminder
}

// letterLink finds the letter an opening mail links to (<base>/letters/<id>),
// across quoted-printable soft line breaks.
var letterLink = regexp.MustCompile(`/letters/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`)

func linkedLetter(body string) string {
	body = strings.NewReplacer("=\r\n", "", "=\n", "").Replace(body)
	if m := letterLink.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// poll records the mails accepted since the last poll.
func (l *mailLog) poll() {
	smtpMu.Lock()
	servers := append(append([]*smtpmock.Server(nil), smtpRetired...), sys.SMTP)
	smtpMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for _, srv := range servers {
		msgs := srv.Messages()
		for _, m := range msgs[l.seen[srv]:] {
			l.mails = append(l.mails, mail{at: now, rcpt: strings.ToLower(fmt.Sprint(m.RcpttoRequestResponse())), letter: linkedLetter(m.MsgRequest())})
		}
		l.seen[srv] = len(msgs)
	}
}

func (l *mailLog) watch(stop <-chan struct{}) {
	for {
		l.poll()
		select {
		case <-stop:
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// whereIs says where mails linking letter went, if anywhere: a clue for a
// mail counted missing.
func (l *mailLog) whereIs(letter string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var to []string
	noRcpt := 0
	for _, m := range l.mails {
		if m.letter == letter {
			to = append(to, m.rcpt)
		}
		if !strings.Contains(m.rcpt, "@") {
			noRcpt++
		}
	}
	return fmt.Sprintf(" (mails linking it: %d %v; of %d mails, %d without a recipient)", len(to), to, len(l.mails), noRcpt)
}

// to lists the mails to address, oldest first.
func (l *mailLog) to(address string) []mail {
	want := strings.ToLower("<" + address + ">")
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []mail
	for _, m := range l.mails {
		if strings.Contains(m.rcpt, want) {
			out = append(out, m)
		}
	}
	return out
}

func chaosScenarios(full bool) []scenario {
	if !full {
		// One of each kind: a stateful app, its sidecar, the edge, one of
		// two sweepers, one of two senders (the second notification
		// process: the same binary and app id as the first), the mail
		// server, the broker, the database.
		return []scenario{
			killScenario("letter-service", false, 2*time.Second),
			killScenario("letter-service", true, 2*time.Second),
			killScenario("gateway", false, 2*time.Second),
			killScenario(schedulerReplica, false, 2*time.Second),
			killScenario(notificationReplica, false, 2*time.Second),
			smtpDown(15 * time.Second),
			rabbitRestart(5 * time.Second),
			postgresRestart(5 * time.Second),
		}
	}
	var out []scenario
	for _, app := range chaosApps {
		out = append(out, killScenario(app, false, 5*time.Second), killScenario(app, true, 5*time.Second))
	}
	return append(out, smtpDown(time.Minute), rabbitRestart(30*time.Second), postgresRestart(30*time.Second))
}

// onlyScenarios keeps the scenarios whose names match CHAOS_ONLY (a
// regular expression), for a run aimed at one fault.
func onlyScenarios(t *testing.T, all []scenario) []scenario {
	expr := os.Getenv("CHAOS_ONLY")
	if expr == "" {
		return all
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		t.Fatalf("CHAOS_ONLY: %v", err)
	}
	var out []scenario
	for _, sc := range all {
		if re.MatchString(sc.name) {
			out = append(out, sc)
		}
	}
	return out
}

// try is one request of the load: unlike call, a failure is a result.
func try(method, url, token string, body any) (int, []byte, error) {
	st, _, b, err := tryType(method, url, token, body)
	return st, b, err
}

// tryType is try that also says the answer's content type.
func tryType(method, url, token string, body any) (int, string, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, "", nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, "", nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := loadClient.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b, err
}

var loadClient = &http.Client{Timeout: 15 * time.Second}

// cohort is the users writing during one scenario: every mail to them is
// owed to (or a duplicate of) what they were told was accepted.
type cohort struct {
	writers []writer
	mu      sync.Mutex
	letters map[int][]string // writer index → letter ids acknowledged with 201
	owed    map[int]int      // writer index → routine reminders owed
	lastDue time.Time
	// Every request of the load: when, and whether it failed (5xx or no
	// answer at all).
	requests []request
}

type request struct {
	at     time.Time
	failed bool
	// How it failed: the status ("no answer" when none came), and whether
	// the answer was a problem document.
	status  string
	problem bool
	took    time.Duration
}

// result is one row of the table.
type result struct {
	name               string
	requests, failures int
	recovery           time.Duration
	recovered          bool
	lost, dup, smtpDup int
	dupBound           int
	emotionMissing     int
	failedBy           map[string]int // "503 problem" → how many
	slowestFailure     time.Duration
	err                string
	countErr           string // from the last count, which may be retried
	missing            []string
}

func (r result) passed() bool {
	return r.err == "" && r.countErr == "" && r.recovered && r.lost == 0 && r.dup == 0 && r.emotionMissing == 0 && r.smtpDup <= r.dupBound
}

// runLoad writes letters due in the next minutes and reads lists, one
// request at a time per writer, until stop is closed.
func (c *cohort) runLoad(stop <-chan struct{}, wg *sync.WaitGroup) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	gw, _ := sys.GatewayURL()
	for i, w := range c.writers {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-time.After(250 * time.Millisecond):
				}
				var status int
				var ctype string
				var body []byte
				var err error
				began := time.Now()
				if n%2 == 0 {
					due := nextMinute(time.Minute).In(seoul)
					status, ctype, body, err = tryType(http.MethodPost, gw+"/api/letters", w.token, map[string]any{
						"title":     fmt.Sprintf("chaos %d", n),
						"content":   "오늘의 나에게, 괜찮아. 다 잘 될 거야. I am grateful for today.",
						"open_date": due.Format("2006-01-02"), "open_time": due.Format("15:04"),
					})
					if err == nil && status == http.StatusCreated {
						var out struct{ ID string }
						if json.Unmarshal(body, &out) == nil && out.ID != "" {
							c.mu.Lock()
							c.letters[i] = append(c.letters[i], out.ID)
							if due.After(c.lastDue) {
								c.lastDue = due
							}
							c.mu.Unlock()
						}
					}
				} else {
					status, ctype, _, err = tryType(http.MethodGet, gw+"/api/letters?limit=5&category=future", w.token, nil)
				}
				r := request{at: time.Now(), failed: err != nil || status >= 500, took: time.Since(began)}
				if r.failed {
					r.status, r.problem = "no answer", false
					if err == nil {
						r.status, r.problem = fmt.Sprint(status), strings.HasPrefix(ctype, "application/problem+json")
					}
				}
				c.mu.Lock()
				c.requests = append(c.requests, r)
				c.mu.Unlock()
			}
		})
	}
}

// recoveredSince reports whether the last k requests after t all succeeded.
func (c *cohort) recoveredSince(t time.Time, k int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	ok := 0
	for i := len(c.requests) - 1; i >= 0 && c.requests[i].at.After(t); i-- {
		if c.requests[i].failed {
			return false
		}
		if ok++; ok >= k {
			return true
		}
	}
	return false
}

func TestChaos(t *testing.T) {
	full := os.Getenv("CHAOS") == "full"
	seoul, _ := time.LoadLocation("Asia/Seoul")
	scenarios := onlyScenarios(t, chaosScenarios(full))
	results := make([]result, len(scenarios))
	cohorts := make([]*cohort, len(scenarios))
	var lastDue time.Time
	mails := &mailLog{seen: map[*smtpmock.Server]int{}}
	stopWatch := make(chan struct{})
	watched := make(chan struct{})
	go func() { defer close(watched); mails.watch(stopWatch) }()
	defer func() { close(stopWatch); <-watched }()
	// faults[i] is when scenario i's fault began: a duplicate mail is
	// charged to the last fault before it arrived.
	faults := make([]time.Time, len(scenarios))
	chargedTo := func(at time.Time) int {
		k := 0
		for i, f := range faults {
			if !f.IsZero() && !f.After(at) {
				k = i
			}
		}
		return k
	}

	// chargeCopy charges a second copy of a mail: to a notification kill
	// that began up to a claim lease (2 min) and a retry interval before
	// it arrived, since the copy of a mail the killed process had sent but
	// not recorded is sent when another takes the stale claim over, a lease
	// after the kill; otherwise to the fault that was on.
	chargeCopy := func(at time.Time) int {
		for i := len(faults) - 1; i >= 0; i-- {
			if f := faults[i]; !f.IsZero() && !f.After(at) && at.Sub(f) <= takeoverWindow && results[i].dupBound > 0 {
				return i
			}
		}
		return chargedTo(at)
	}

	for i, sc := range scenarios {
		res := &results[i]
		res.name, res.dupBound = sc.name, sc.smtpDupBound
		c := &cohort{writers: []writer{newWriter(t), newWriter(t)}, letters: map[int][]string{}, owed: map[int]int{}}
		cohorts[i] = c
		// A weekly routine per writer, due in the next minutes: one reminder
		// each is owed.
		for j, w := range c.writers {
			at := nextMinute(90 * time.Second)
			local := at.In(seoul)
			r := w.call(t, http.MethodPost, "/api/routines", map[string]string{
				"title": "chaos routine", "kind": "weekly",
				"weekday": strings.ToLower(local.Weekday().String()[:3]), "time": local.Format("15:04"),
			})
			expect(t, r, http.StatusCreated, "create a routine")
			c.owed[j] = 1
			if at.After(c.lastDue) {
				c.lastDue = at
			}
		}

		stop := make(chan struct{})
		var wg sync.WaitGroup
		c.runLoad(stop, &wg)
		time.Sleep(3 * time.Second) // the load runs before the fault
		if sc.midSweep {
			waitUntil(nextMinute(0).Add(time.Second))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		fault := time.Now()
		faults[i] = fault
		if err := sc.inject(ctx); err != nil {
			res.err = "inject: " + err.Error()
		}
		time.Sleep(sc.hold)
		if err := sc.repair(ctx); err != nil && res.err == "" {
			res.err = "repair: " + err.Error()
		}
		repaired := time.Now()
		// Full recovery: ten requests in a row succeed, within 2 minutes.
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
			if c.recoveredSince(repaired, 10) {
				res.recovered = true
				break
			}
		}
		cancel()
		close(stop)
		wg.Wait()
		res.failedBy = map[string]int{}
		for _, r := range c.requests {
			res.requests++
			if r.failed {
				res.failures++
				kind := r.status
				if r.problem {
					kind += " problem"
				}
				res.failedBy[kind]++
				res.slowestFailure = max(res.slowestFailure, r.took)
				if r.at.After(fault) && r.at.Sub(fault) > res.recovery {
					res.recovery = r.at.Sub(fault)
				}
			}
		}
		if c.lastDue.After(lastDue) {
			lastDue = c.lastDue
		}
		t.Logf("%s: %d requests, %d failed %v (slowest failure answered in %s), recovered=%v %s",
			sc.name, res.requests, res.failures, res.failedBy, res.slowestFailure.Round(time.Millisecond), res.recovered, res.err)
	}

	// Every due mail has had its minute; the counting below waits for the
	// sweep and the sending.
	waitUntil(lastDue.Add(5 * time.Second))
	// The first writers' access tokens (15 minutes) have expired by now in
	// the full form: each logs in again to be counted.
	for _, c := range cohorts {
		for j, w := range c.writers {
			c.writers[j].token = mustLogin(t, w.Username, w.Password).AccessToken
		}
	}
	// owner is each stored letter's writer (as an RCPT TO address).
	owner := map[string]string{}
	count := func() {
		mails.poll()
		for i := range results {
			res := &results[i]
			res.lost, res.dup, res.smtpDup, res.emotionMissing, res.countErr, res.missing = 0, 0, 0, 0, "", nil
		}
		for i, c := range cohorts {
			res := &results[i]
			for j, w := range c.writers {
				// A write whose answer was lost to the fault may still have
				// been stored: its mail and emotion are owed too, and are
				// not duplicates.
				stored, err := storedLetters(sys.gatewayURL(t), w.token)
				if err != nil {
					res.countErr = "listing letters afterwards: " + err.Error()
					continue
				}
				for _, id := range c.letters[j] {
					if !stored[id] {
						res.lost++
					}
				}
				ids := stored
				for id := range ids {
					owner[id] = strings.ToLower("<" + w.Email + ">")
				}
				owed := len(ids) + c.owed[j]
				got := mails.to(w.Email)
				if len(got) < owed {
					res.lost += owed - len(got)
				}
				if len(got) < owed {
					// Name what is missing, for the logs: letters without
					// their opening mail, and the routine's reminder.
					mailed, reminders := map[string]bool{}, 0
					for _, m := range got {
						if m.letter == "" {
							reminders++
						}
						mailed[m.letter] = true
					}
					var missing []string
					for id := range ids {
						if !mailed[id] {
							missing = append(missing, "letter "+id+mails.whereIs(id))
						}
					}
					if reminders < c.owed[j] {
						missing = append(missing, fmt.Sprintf("%d routine reminder(s)", c.owed[j]-reminders))
					}
					slices.Sort(missing)
					res.missing = append(res.missing, fmt.Sprintf("%s: %s", w.Email, strings.Join(missing, ", ")))
				}
				for _, m := range got[min(owed, len(got)):] {
					at := m.at
					if charged := &results[chargeCopy(at)]; charged.dupBound > 0 {
						charged.smtpDup++
					} else {
						charged.dup++
					}
				}
				analysed := -1
				if st, body, err := try(http.MethodGet, sys.gatewayURL(t)+"/api/emotions/summary", w.token, nil); err == nil && st == http.StatusOK {
					var s summary
					if json.Unmarshal(body, &s) == nil {
						analysed = s.Analysed
					}
				}
				switch {
				case analysed < 0:
					res.emotionMissing += len(ids) // the summary is not even answered
				case analysed < len(ids):
					res.emotionMissing += len(ids) - analysed
				case analysed > len(ids):
					res.dup += analysed - len(ids)
				}
			}
		}
	}
	// Late mail is not lost mail: wait up to 3 minutes for everything
	// owed, then a little more for duplicates.
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Second) {
		count()
		missing := 0
		for _, r := range results {
			missing += r.lost + r.emotionMissing
		}
		if missing == 0 {
			break
		}
	}
	time.Sleep(10 * time.Second)
	count()

	// A letter's mail reaches its writer and nobody else (a mail at another
	// writer is a privacy failure, whichever fault was on).
	var misdelivered []string
	mails.mu.Lock()
	for _, m := range mails.mails {
		if want, ok := owner[m.letter]; ok && !strings.Contains(m.rcpt, want) {
			misdelivered = append(misdelivered, fmt.Sprintf("letter %s of %s went to %s", m.letter, want, m.rcpt))
		}
	}
	mails.mu.Unlock()
	if len(misdelivered) > 0 {
		t.Errorf("%d mails delivered to the wrong person: %v", len(misdelivered), misdelivered)
	}

	// The missing-mail listing relies on opening mails linking their letter.
	linked := 0
	mails.mu.Lock()
	for _, m := range mails.mails {
		if m.letter != "" {
			linked++
		}
	}
	total := len(mails.mails)
	mails.mu.Unlock()
	if total > len(cohorts)*2 && linked == 0 {
		t.Errorf("none of %d mails links a letter (/letters/<id>): the missing-mail listing cannot name letters", total)
	}

	table := chaosTable(results, full)
	// The suite sends no poison: a dead-lettered event is one an app gave
	// up on, whichever scenario's it was.
	dead, deadErr := sys.W.DeadLettered()
	switch {
	case deadErr != nil:
		table += fmt.Sprintf("\nDead-letter queues unreadable: %v\n", deadErr)
	case len(dead) > 0:
		table += fmt.Sprintf("\nDead-lettered events (never processed): %v\n", dead)
	default:
		table += "\nDead-lettered events: none.\n"
	}
	table += fmt.Sprintf("Mails delivered to someone other than the letter's writer: %d.\n", len(misdelivered))
	fmt.Print(table)
	dir := filepath.Join(repoOrDot(), ".data", "chaos")
	if err := os.MkdirAll(dir, 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(dir, "latest.md"), []byte(table), 0o644)
		// The logs as they are now: TestMain keeps them in .data/e2e-logs,
		// which the next e2e run overwrites.
		logs := filepath.Join(dir, "logs")
		_ = os.RemoveAll(logs)
		if err := os.CopyFS(logs, os.DirFS(filepath.Join(sys.W.Data, "logs"))); err != nil {
			t.Logf("keeping the logs: %v", err)
		}
	}
	if deadErr != nil || len(dead) > 0 {
		t.Errorf("dead-lettered events %v %v", dead, deadErr)
	}
	for _, r := range results {
		if !r.passed() {
			t.Errorf("%s failed: lost %d, duplicated %d (SMTP-accepted %d of at most %d), emotions missing %d, recovered %v %s%s; mails missing: %v",
				r.name, r.lost, r.dup, r.smtpDup, r.dupBound, r.emotionMissing, r.recovered, r.err, r.countErr, r.missing)
		}
	}
}

// storedLetters lists every letter of the writer, page by page.
func storedLetters(gw, token string) (map[string]bool, error) {
	out := map[string]bool{}
	cursor := ""
	for range 1000 {
		u := gw + "/api/letters?limit=100"
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		st, body, err := try(http.MethodGet, u, token, nil)
		if err != nil {
			return nil, err
		}
		if st != http.StatusOK {
			return nil, fmt.Errorf("GET /api/letters: %d %s", st, body)
		}
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			out[it.ID] = true
		}
		if page.NextCursor == nil {
			return out, nil
		}
		cursor = *page.NextCursor
	}
	return nil, fmt.Errorf("more than 1000 pages of letters")
}

func repoOrDot() string {
	if r, err := repoRoot(); err == nil {
		return r
	}
	return "."
}

func chaosTable(results []result, full bool) string {
	var b strings.Builder
	form := "short"
	if full {
		form = "full"
	}
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "chaos (%s form) %s on %s\n\n", form, time.Now().UTC().Format("2006-01-02 15:04 MST"), host)
	fmt.Fprintln(&b, "| scenario | load held | lost | duplicated | SMTP-accepted duplicates (bound) | emotions missing | 5xx or no answer | recovery | result |")
	fmt.Fprintln(&b, "|---|---|---|---|---|---|---|---|---|")
	passed, failed := 0, 0
	for _, r := range results {
		held := 100.0
		if r.requests > 0 {
			held = 100 * float64(r.requests-r.failures) / float64(r.requests)
		}
		recovery := r.recovery.Round(100 * time.Millisecond).String()
		if !r.recovered {
			recovery = "not recovered"
		}
		verdict := "passed"
		if r.passed() {
			passed++
		} else {
			failed++
			verdict = "FAILED"
			if why := r.err + r.countErr; why != "" {
				verdict += " (" + why + ")"
			}
		}
		bound := "–"
		if r.dupBound > 0 {
			bound = fmt.Sprintf("%d (≤ %d)", r.smtpDup, r.dupBound)
		}
		failures := fmt.Sprint(r.failures)
		if r.failures > 0 {
			var kinds []string
			for _, k := range slices.Sorted(maps.Keys(r.failedBy)) {
				kinds = append(kinds, fmt.Sprintf("%s ×%d", k, r.failedBy[k]))
			}
			failures += " (" + strings.Join(kinds, ", ") + ")"
		}
		fmt.Fprintf(&b, "| %s | %.1f%% of %d | %d | %d | %s | %d | %s | %s | %s |\n",
			r.name, held, r.requests, r.lost, r.dup, bound, r.emotionMissing, failures, recovery, verdict)
	}
	fmt.Fprintf(&b, "\n%d passed, %d failed\n", passed, failed)
	return b.String()
}
