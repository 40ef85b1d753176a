package mail_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/lettertomyself/ltm/apps/notification/internal/mail"
	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

const (
	base     = "https://letters.example"
	userID   = "0b9f2a3e-6c4d-4f7a-9a51-3f1e2d4c5b6a"
	letterID = "7d7c1e0a-2b3c-4d5e-8f90-a1b2c3d4e5f6"
)

func renderer(t *testing.T) *mail.Renderer {
	t.Helper()
	r, err := mail.NewRenderer(base)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func request(t *testing.T, kind notify.Kind, data notify.Data) notify.Request {
	t.Helper()
	req, err := notify.NewRequest("k1", userID, kind, data)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestRenderEveryKindInEveryLocale(t *testing.T) {
	tests := []struct {
		name        string
		kind        notify.Kind
		locale      string
		data        notify.Data
		wantSubject string
		wantInBody  []string // in both the text and the HTML body
		wantLink    string
	}{
		{"letter opened ko", notify.LetterOpened, "ko", notify.Data{LetterID: letterID, Title: "스무 살의 나에게"},
			"편지가 열렸어요: 스무 살의 나에게", []string{"민지님, 안녕하세요.", "스무 살의 나에게", "편지가 오늘 열렸어요"}, base + "/letters/" + letterID},
		{"letter opened en", notify.LetterOpened, "en", notify.Data{LetterID: letterID, Title: "To me at twenty"},
			"Your letter is open: To me at twenty", []string{"Hi 민지,", "To me at twenty", "opened today"}, base + "/letters/" + letterID},
		{"routine reminder ko", notify.RoutineReminder, "ko", notify.Data{RoutineID: "r1", Title: "일요일 밤 편지"},
			"오늘은 편지를 쓰는 날이에요", []string{"민지님, 안녕하세요.", "일요일 밤 편지"}, base + "/write"},
		{"routine reminder en", notify.RoutineReminder, "en", notify.Data{RoutineID: "r1", Title: "Sunday night letter"},
			"Today is a day to write a letter", []string{"Hi 민지,", "Sunday night letter"}, base + "/write"},
		{"special date ko", notify.SpecialDate, "ko", notify.Data{SpecialDateID: "s1", Name: "결혼기념일", Date: "2026-03-01"},
			"오늘은 결혼기념일이에요", []string{"오늘은 결혼기념일이에요"}, base + "/write"},
		{"special date en", notify.SpecialDate, "en", notify.Data{SpecialDateID: "s1", Name: "our anniversary", Date: "2026-03-01"},
			"Today is our anniversary", []string{"Today is our anniversary"}, base + "/write"},
		{"letter opened ko, named by the day it was written (in the default zone)", notify.LetterOpened, "ko", notify.Data{LetterID: letterID, WrittenAt: "2026-11-19T16:30:00Z"},
			"편지가 열렸어요: 2026년 11월 20일에 쓴 편지", []string{"2026년 11월 20일에 쓴 편지"}, base + "/letters/" + letterID},
		{"letter opened en, named by the day it was written", notify.LetterOpened, "en", notify.Data{LetterID: letterID, WrittenAt: "2026-11-19T16:30:00Z"},
			"Your letter is open: the letter you wrote on November 20, 2026", []string{"the letter you wrote on November 20, 2026"}, base + "/letters/" + letterID},
		{"letter without an id links to the list", notify.LetterOpened, "en", notify.Data{Title: "t"},
			"Your letter is open: t", []string{"opened today"}, base + "/letters"},
		{"unknown locale falls back to ko", notify.RoutineReminder, "fr", notify.Data{Title: "x"},
			"오늘은 편지를 쓰는 날이에요", []string{"민지님"}, base + "/write"},
	}
	r := renderer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := r.Render(request(t, tt.kind, tt.data), notify.Contact{Nickname: "민지", Locale: tt.locale})
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tt.wantSubject {
				t.Errorf("subject = %q, want %q", m.Subject, tt.wantSubject)
			}
			for _, want := range append(tt.wantInBody, tt.wantLink) {
				if !strings.Contains(m.Text, want) {
					t.Errorf("text body lacks %q:\n%s", want, m.Text)
				}
				if !strings.Contains(m.HTML, want) {
					t.Errorf("html body lacks %q:\n%s", want, m.HTML)
				}
			}
			if !strings.Contains(m.HTML, `href="`+tt.wantLink+`"`) {
				t.Errorf("html body does not link to %s", tt.wantLink)
			}
			wantLang := tt.locale
			if wantLang != "en" {
				wantLang = "ko"
			}
			if !strings.Contains(m.HTML, `<html lang="`+wantLang+`">`) {
				t.Errorf("html lang is not %s", wantLang)
			}
		})
	}
}

func TestHTMLEscapesWhatUsersWrote(t *testing.T) {
	r := renderer(t)
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	contacts := notify.Contact{Nickname: `<b>nick</b>`, Locale: "en"}
	for _, req := range []notify.Request{
		request(t, notify.LetterOpened, notify.Data{LetterID: letterID, Title: evil}),
		request(t, notify.RoutineReminder, notify.Data{Title: evil}),
		request(t, notify.SpecialDate, notify.Data{Name: evil}),
	} {
		for _, loc := range mail.Locales {
			contacts.Locale = loc
			m, err := r.Render(req, contacts)
			if err != nil {
				t.Fatal(err)
			}
			for _, raw := range []string{"<script>", "<img", "<b>nick"} {
				if strings.Contains(m.HTML, raw) {
					t.Errorf("%s/%s: html body contains %q unescaped", req.Kind, loc, raw)
				}
			}
			if !strings.Contains(m.HTML, "&lt;script&gt;") {
				t.Errorf("%s/%s: html body lacks the escaped title", req.Kind, loc)
			}
		}
	}
}

func TestSubjectIsOneLine(t *testing.T) {
	r := renderer(t)
	m, err := r.Render(request(t, notify.LetterOpened, notify.Data{LetterID: letterID, Title: "hi\r\nBcc: victim@example.com\n" + strings.Repeat("가", 400)}), notify.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Errorf("subject has a line break: %q", m.Subject)
	}
	if n := len([]rune(m.Subject)); n > 200 {
		t.Errorf("subject is %d runes long", n)
	}
	if !strings.HasSuffix(m.Subject, "…") {
		t.Errorf("a cut subject should end with an ellipsis: %q", m.Subject)
	}
}

func TestNoNicknameStillGreets(t *testing.T) {
	r := renderer(t)
	for _, tt := range []struct{ locale, want string }{{"ko", "안녕하세요."}, {"en", "Hi there,"}} {
		m, err := r.Render(request(t, notify.RoutineReminder, notify.Data{Title: "x"}), notify.Contact{Locale: tt.locale})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(m.Text, tt.want) || strings.Contains(m.Text, "님,") {
			t.Errorf("%s greeting: %q", tt.locale, m.Text[:40])
		}
	}
}

func TestKoreanCopulaFollowsTheLastSyllable(t *testing.T) {
	r := renderer(t)
	tests := []struct{ name, want string }{
		{"생일", "오늘은 생일이에요"},      // final consonant
		{"크리스마스", "오늘은 크리스마스예요"}, // vowel
		{"엄마 생신", "오늘은 엄마 생신이에요"},
		{"결혼 2", "오늘은 결혼 2예요"},    // 이
		{"D-100", "오늘은 D-100이에요"}, // 백: a final consonant
		{"Anniversary", "오늘은 Anniversary(이)에요"},
	}
	for _, tt := range tests {
		m, err := r.Render(request(t, notify.SpecialDate, notify.Data{Name: tt.name}), notify.Contact{Locale: "ko"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != tt.want {
			t.Errorf("%s: subject %q, want %q", tt.name, m.Subject, tt.want)
		}
	}
}

func TestBadBaseURL(t *testing.T) {
	for _, u := range []string{"", "letters.example", "javascript:alert(1)", "ftp://x", "https://x/?q=1"} {
		if _, err := mail.NewRenderer(u); err == nil {
			t.Errorf("NewRenderer(%q) accepted", u)
		}
	}
}

type invoker struct {
	calls []dapr.InvokeBindingRequest
	err   error
}

func (f *invoker) InvokeBinding(_ context.Context, name, op string, data []byte, meta map[string]string) (*dapr.BindingEvent, error) {
	f.calls = append(f.calls, dapr.InvokeBindingRequest{Name: name, Operation: op, Data: data, Metadata: meta})
	return &dapr.BindingEvent{}, f.err
}

func TestBindingSendsHTMLWithRecipientAndSubject(t *testing.T) {
	inv := &invoker{}
	b := mail.NewBinding(inv, "mail")
	m := notify.Mail{To: "minji@example.com", Message: notify.Message{Subject: "편지가 열렸어요", HTML: "<p>hi</p>", Text: "hi"}}
	if err := b.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(inv.calls) != 1 {
		t.Fatalf("%d calls", len(inv.calls))
	}
	c := inv.calls[0]
	if c.Name != "mail" || c.Operation != "create" || string(c.Data) != "<p>hi</p>" ||
		c.Metadata["emailTo"] != "minji@example.com" || c.Metadata["subject"] != "편지가 열렸어요" {
		t.Errorf("binding call %+v", c)
	}
	if _, ok := c.Metadata["emailFrom"]; ok {
		t.Error("emailFrom comes from the component, not the app")
	}

	inv.err = errors.New("rpc error: smtp down")
	if err := b.Send(context.Background(), m); err == nil {
		t.Error("a failed binding call reported success")
	}
	if err := b.Send(context.Background(), notify.Mail{To: "a@x.example;b@x.example"}); err == nil || len(inv.calls) != 2 {
		t.Errorf("a multi-recipient address reached the binding: %v", err)
	}
}

// busyInvoker fails the test if one binding component carries two calls at
// once, as daprd's smtp binding cannot (it would swap recipients).
type busyInvoker struct {
	t     *testing.T
	mu    sync.Mutex
	busy  map[string]bool
	used  map[string]int
	calls atomic.Int32
}

func (f *busyInvoker) InvokeBinding(_ context.Context, name, _ string, _ []byte, _ map[string]string) (*dapr.BindingEvent, error) {
	f.mu.Lock()
	if f.busy[name] {
		f.t.Errorf("binding %s called while already sending", name)
	}
	f.busy[name] = true
	f.used[name]++
	f.mu.Unlock()
	time.Sleep(2 * time.Millisecond) // the SMTP conversation
	f.mu.Lock()
	f.busy[name] = false
	f.mu.Unlock()
	f.calls.Add(1)
	return &dapr.BindingEvent{}, nil
}

func TestConcurrentSendsNeverShareABindingComponent(t *testing.T) {
	inv := &busyInvoker{t: t, busy: map[string]bool{}, used: map[string]int{}}
	b := mail.NewBinding(inv, "mail", "mail-2", "mail-3")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			for j := range 10 {
				m := notify.Mail{To: fmt.Sprintf("u%d.%d@example.com", i, j), Message: notify.Message{Subject: "s", HTML: "<p>hi</p>"}}
				if err := b.Send(context.Background(), m); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n := inv.calls.Load(); n != 200 {
		t.Errorf("%d sends, want 200", n)
	}
	if len(inv.used) != 3 {
		t.Errorf("components used %v, want all three", inv.used)
	}
	// A send waiting for a free component gives up with its context.
	slow := mail.NewBinding(inv) // no component at all: every send waits
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := slow.Send(ctx, notify.Mail{To: "a@example.com", Message: notify.Message{Subject: "s", HTML: "x"}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("send without a free component: %v", err)
	}
}
