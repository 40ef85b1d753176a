package postgres_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/delivery"
	"github.com/lettertomyself/ltm/apps/platform/outbox/outboxtest"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/service"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"github.com/lettertomyself/ltm/apps/letter/internal/crypto"
	letterevents "github.com/lettertomyself/ltm/apps/letter/internal/events"
	"github.com/lettertomyself/ltm/apps/letter/internal/letter"
	"github.com/lettertomyself/ltm/apps/letter/internal/postgres"
)

var (
	ctx   = context.Background()
	t0    = time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC) // 10:00 in Seoul
	seoul = func() *time.Location { l, _ := time.LoadLocation("Asia/Seoul"); return l }()
)

func newKey(t testing.TB, id string) crypto.Key {
	t.Helper()
	raw := make([]byte, crypto.KeySize)
	_, _ = rand.Read(raw)
	k, err := crypto.NewKey(id, raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func keyring(t testing.TB, current crypto.Key, previous ...crypto.Key) *crypto.Keyring {
	t.Helper()
	r, err := crypto.NewKeyring(current, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type fixture struct {
	k1    crypto.Key
	pool  *pgxpool.Pool
	keys  *crypto.Holder
	store *postgres.Store
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	pool := pgtest.New(t, service.Migrations(postgres.Migrations())...)
	k1 := newKey(t, "k1")
	keys := crypto.NewHolder(keyring(t, k1))
	return fixture{k1: k1, pool: pool, keys: keys, store: postgres.New(pool, keys)}
}

func (f fixture) write(t *testing.T, user uuid.UUID, now time.Time, openDate, title, content string) letter.Letter {
	t.Helper()
	l, err := letter.New(uuid.New(), user, letter.Draft{Title: title, Content: content, OpenDate: openDate}, seoul, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Create(ctx, l); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestCreateStoresTheLetterAndItsEventTogether(t *testing.T) {
	f := newFixture(t)
	user := uuid.New()
	l := f.write(t, user, t0, "2026-03-11", "내일의 나에게", "오늘은 비가 왔다.")

	got, err := f.store.Get(ctx, user, l.ID())
	if err != nil {
		t.Fatal(err)
	}
	o, _ := got.Open(l.OpenAt())
	if got.Title() != "내일의 나에게" || o.Content != "오늘은 비가 왔다." || !got.OpenAt().Equal(l.OpenAt()) ||
		got.OpenDate() != l.OpenDate() || got.OpenTime() != l.OpenTime() || got.Timezone() != "Asia/Seoul" || !got.CreatedAt().Equal(l.CreatedAt()) {
		t.Errorf("read back %+v, want %+v", got.Snapshot(), l.Snapshot())
	}

	events := outboxtest.Messages(t, f.pool)
	if len(events) != 1 || events[0].Topic != letterevents.TopicCreated {
		t.Fatalf("outbox = %+v, want one letter.created", events)
	}
	p := events[0].Payload
	if p["letter_id"] != l.ID().String() || p["user_id"] != user.String() || p["open_at"] != "2026-03-11T00:00:00Z" ||
		p["written_at"] != l.CreatedAt().UTC().Format(time.RFC3339Nano) || len(p) != 4 {
		t.Errorf("letter.created payload = %v, want exactly letter_id, user_id, open_at, written_at", p)
	}
	if raw := string(events[0].Raw); strings.Contains(raw, "비가") || strings.Contains(raw, "내일의") {
		t.Errorf("letter text in the outbox: %s", raw)
	}

	// A failed insert (same id again) leaves no event behind.
	if err := f.store.Create(ctx, l); err == nil {
		t.Fatal("second insert of the same letter succeeded")
	}
	if n := len(outboxtest.Messages(t, f.pool)); n != 1 {
		t.Errorf("outbox has %d rows after a failed create, want 1", n)
	}
}

func TestTheTableHoldsNoLetterText(t *testing.T) {
	f := newFixture(t)
	title, content := "SECRET-TITLE 비밀 제목", "SECRET-CONTENT 아무도 읽으면 안 되는 내용"
	l := f.write(t, uuid.New(), t0, "2026-03-10", title, content)

	var titleCT, contentCT []byte
	var kid, whole string
	if err := f.pool.QueryRow(ctx, `SELECT key_id, title_ct, content_ct, l::text FROM letters l WHERE id = $1`, l.ID()).
		Scan(&kid, &titleCT, &contentCT, &whole); err != nil {
		t.Fatal(err)
	}
	if kid != "k1" {
		t.Errorf("key_id = %q, want k1", kid)
	}
	for _, secret := range []string{title, content, "SECRET", "비밀"} {
		if bytes.Contains(titleCT, []byte(secret)) || bytes.Contains(contentCT, []byte(secret)) || strings.Contains(whole, secret) {
			t.Errorf("%q is readable in the letters table", secret)
		}
	}

	// A ciphertext copied onto another row does not decrypt there.
	other := f.write(t, uuid.New(), t0, "2026-03-10", "other", "other")
	if _, err := f.pool.Exec(ctx, `UPDATE letters SET content_ct = $1 WHERE id = $2`, contentCT, other.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Get(ctx, other.UserID(), other.ID()); !errors.Is(err, crypto.ErrDecrypt) {
		t.Errorf("moved ciphertext: %v, want ErrDecrypt", err)
	}
}

func TestRowsUnderThePreviousKeyStillRead(t *testing.T) {
	f := newFixture(t)
	user := uuid.New()
	before := f.write(t, user, t0, "2026-03-10", "before", "under k1")

	rotated := postgres.New(f.pool, crypto.NewHolder(keyring(t, newKey(t, "k2"), f.k1)))
	after, _ := letter.New(uuid.New(), user, letter.Draft{Title: "after", Content: "under k2", OpenDate: "2026-03-10"}, seoul, t0)
	if err := rotated.Create(ctx, after); err != nil {
		t.Fatal(err)
	}
	for _, l := range []letter.Letter{before, after} {
		got, err := rotated.Get(ctx, user, l.ID())
		if err != nil || got.Title() != l.Title() {
			t.Errorf("read %q after rotation: %v", l.Title(), err)
		}
	}
	var kid string
	if err := f.pool.QueryRow(ctx, `SELECT key_id FROM letters WHERE id = $1`, after.ID()).Scan(&kid); err != nil || kid != "k2" {
		t.Errorf("new row under %q (%v), want the current key k2", kid, err)
	}
}

func TestGetIsScopedToTheOwner(t *testing.T) {
	f := newFixture(t)
	l := f.write(t, uuid.New(), t0, "2026-03-10", "mine", "mine")
	for name, q := range map[string][2]uuid.UUID{
		"another user": {uuid.New(), l.ID()},
		"unknown id":   {l.UserID(), uuid.New()},
	} {
		if _, err := f.store.Get(ctx, q[0], q[1]); !errors.Is(err, letter.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
}

func TestDeleteWritesLetterDeleted(t *testing.T) {
	f := newFixture(t)
	user := uuid.New()
	l := f.write(t, user, t0, "2026-03-11", "t", "c")

	if err := f.store.Delete(ctx, uuid.New(), l.ID()); !errors.Is(err, letter.ErrNotFound) {
		t.Fatalf("another user's delete: %v, want ErrNotFound", err)
	}
	if err := f.store.Delete(ctx, user, l.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Get(ctx, user, l.ID()); !errors.Is(err, letter.ErrNotFound) {
		t.Errorf("get after delete: %v", err)
	}
	if err := f.store.Delete(ctx, user, l.ID()); !errors.Is(err, letter.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	events := outboxtest.Messages(t, f.pool)
	if len(events) != 2 || events[1].Topic != letterevents.TopicDeleted ||
		events[1].Payload["letter_id"] != l.ID().String() || events[1].Payload["user_id"] != user.String() || len(events[1].Payload) != 2 {
		t.Errorf("outbox = %+v, want letter.created then letter.deleted {letter_id, user_id}", events)
	}
}

func TestListPagesNewestFirstByCategory(t *testing.T) {
	f := newFixture(t)
	user := uuid.New()
	// Seven letters, written a minute apart, two in the same microsecond
	// (the id breaks the tie); open dates spread over past/today/future
	// relative to today = 2026-03-12.
	dates := []string{"2026-03-10", "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-12", "2026-03-13", "2027-01-01"}
	var written []letter.Letter
	for i, d := range dates {
		now := t0.Add(time.Duration(i) * time.Minute)
		if i == 2 {
			now = t0.Add(time.Minute) // same instant as letter 1
		}
		written = append(written, f.write(t, user, now, d, "letter "+d, "c"))
	}
	f.write(t, uuid.New(), t0, "2026-03-12", "someone else's", "c")
	today := wallclock.NewDate(2026, 3, 12)

	all := collect(t, f.store, letter.Query{UserID: user, Limit: 2})
	if len(all) != len(written) {
		t.Fatalf("listed %d letters, want %d", len(all), len(written))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.CreatedAt().Before(b.CreatedAt()) || (a.CreatedAt().Equal(b.CreatedAt()) && a.ID().String() < b.ID().String()) {
			t.Errorf("not newest first at %d: %v %s then %v %s", i, a.CreatedAt(), a.ID(), b.CreatedAt(), b.ID())
		}
	}
	for cat, want := range map[letter.Category]int{letter.Past: 3, letter.Now: 2, letter.Future: 2} {
		got := collect(t, f.store, letter.Query{UserID: user, Category: cat, Today: today, Limit: 1})
		if len(got) != want {
			t.Errorf("%s: %d letters, want %d", cat, len(got), want)
		}
		for _, l := range got {
			if categoryOf(l.OpenDate(), today) != cat {
				t.Errorf("%s lists a letter opening %s", cat, l.OpenDate())
			}
		}
	}
	page, _, err := f.store.List(ctx, letter.Query{UserID: user, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := page[0].Open(page[0].OpenAt()); o.Content != "" {
		t.Error("the list decrypted content it never shows")
	}
}

// collect pages through q, failing on a repeated letter.
// categoryOf is the category of a letter opening on date when it is today,
// worked out in Go to check the store's SQL against.
func categoryOf(date, today wallclock.Date) letter.Category {
	switch date.Compare(today) {
	case -1:
		return letter.Past
	case 0:
		return letter.Now
	default:
		return letter.Future
	}
}

func collect(t *testing.T, s *postgres.Store, q letter.Query) []letter.Letter {
	t.Helper()
	var out []letter.Letter
	seen := map[uuid.UUID]bool{}
	for pages := 0; pages < 50; pages++ {
		page, next, err := s.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > q.Limit {
			t.Fatalf("page of %d, limit %d", len(page), q.Limit)
		}
		for _, l := range page {
			if seen[l.ID()] {
				t.Fatalf("letter %s listed twice", l.ID())
			}
			seen[l.ID()] = true
		}
		out = append(out, page...)
		if next == nil {
			return out
		}
		q.After = next
	}
	t.Fatal("pagination does not end")
	return nil
}

func mood(t *testing.T, s *postgres.Store, l letter.Letter) (string, string) {
	t.Helper()
	got, err := s.Get(ctx, l.UserID(), l.ID())
	if err != nil {
		t.Fatal(err)
	}
	o, err := got.Open(got.OpenAt())
	if err != nil {
		t.Fatal(err)
	}
	m, d := "", ""
	if o.Mood != nil {
		m = *o.Mood
	}
	if o.DetailedMood != nil {
		d = *o.DetailedMood
	}
	return m, d
}

func TestApplyAnalysisIsIdempotent(t *testing.T) {
	f := newFixture(t)
	l := f.write(t, uuid.New(), t0, "2026-03-10", "t", "c")
	ev := func(id string) delivery.Ref {
		r, _ := delivery.New("letter-service/emotion.analyzed", id)
		return r
	}
	str := func(s string) *string { return &s }
	joy := letter.Analysis{LetterID: l.ID(), UserID: l.UserID(), Mood: "joy", DetailedMood: str("gratitude"), AnalyzedAt: t0.Add(time.Minute)}

	if changed, err := f.store.ApplyAnalysis(ctx, ev("e1"), joy); err != nil || !changed {
		t.Fatalf("first delivery: changed %v, %v", changed, err)
	}
	// The same event again, even with other data, changes nothing.
	sad := joy
	sad.Mood, sad.DetailedMood, sad.AnalyzedAt = "sadness", str("regret"), t0.Add(time.Hour)
	if changed, err := f.store.ApplyAnalysis(ctx, ev("e1"), sad); err != nil || changed {
		t.Fatalf("redelivery: changed %v, %v", changed, err)
	}
	if m, d := mood(t, f.store, l); m != "joy" || d != "gratitude" {
		t.Errorf("mood = %s/%s after a redelivery, want joy/gratitude", m, d)
	}
	// An older analysis arriving late does not replace a newer one.
	old := joy
	old.Mood, old.AnalyzedAt = "anger", t0
	if changed, _ := f.store.ApplyAnalysis(ctx, ev("e0"), old); changed {
		t.Error("an older analysis replaced a newer one")
	}
	// Someone else's claim on the letter, or an unknown letter: no change, no error.
	other := joy
	other.UserID, other.AnalyzedAt = uuid.New(), t0.Add(2*time.Hour)
	if changed, err := f.store.ApplyAnalysis(ctx, ev("e2"), other); err != nil || changed {
		t.Errorf("another user's analysis: changed %v, %v", changed, err)
	}
	gone := joy
	gone.LetterID = uuid.New()
	if changed, err := f.store.ApplyAnalysis(ctx, ev("e3"), gone); err != nil || changed {
		t.Errorf("unknown letter: changed %v, %v", changed, err)
	}
	// A newer re-analysis does replace it; neutral has no sub-mood.
	neutral := joy
	neutral.Mood, neutral.DetailedMood, neutral.AnalyzedAt = "neutral", nil, t0.Add(3*time.Hour)
	if changed, err := f.store.ApplyAnalysis(ctx, ev("e4"), neutral); err != nil || !changed {
		t.Errorf("re-analysis: changed %v, %v", changed, err)
	}
	if m, d := mood(t, f.store, l); m != "neutral" || d != "" {
		t.Errorf("mood = %s/%s, want neutral without sub-mood", m, d)
	}
}

func TestDeleteUserPurgesOnce(t *testing.T) {
	f := newFixture(t)
	user, other := uuid.New(), uuid.New()
	f.write(t, user, t0, "2026-03-10", "a", "a")
	f.write(t, user, t0, "2026-03-11", "b", "b")
	kept := f.write(t, other, t0, "2026-03-10", "c", "c")
	ev, _ := delivery.New("letter-service/user.deleted", "u1")

	if n, err := f.store.DeleteUser(ctx, ev, user); err != nil || n != 2 {
		t.Fatalf("DeleteUser = %d, %v; want 2", n, err)
	}
	if n, err := f.store.DeleteUser(ctx, ev, user); err != nil || n != 0 {
		t.Fatalf("redelivered DeleteUser = %d, %v; want 0", n, err)
	}
	if left, _, _ := f.store.List(ctx, letter.Query{UserID: user, Limit: 10}); len(left) != 0 {
		t.Errorf("%d letters left", len(left))
	}
	if _, err := f.store.Get(ctx, other, kept.ID()); err != nil {
		t.Errorf("another user's letter went too: %v", err)
	}
	deleted := 0
	for _, e := range outboxtest.Messages(t, f.pool) {
		if e.Topic == letterevents.TopicDeleted {
			deleted++
		}
	}
	if deleted != 2 {
		t.Errorf("%d letter.deleted events, want one per purged letter", deleted)
	}
}

func TestNoKeysNoLetters(t *testing.T) {
	f := newFixture(t)
	s := postgres.New(f.pool, crypto.NewHolder(nil))
	l, _ := letter.New(uuid.New(), uuid.New(), letter.Draft{Title: "t", Content: "c", OpenDate: "2026-03-10"}, seoul, t0)
	if err := s.Create(ctx, l); !errors.Is(err, crypto.ErrNoKeys) {
		t.Errorf("Create without keys: %v", err)
	}
}
