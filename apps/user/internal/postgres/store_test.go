package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lettertomyself/ltm/apps/platform/delivery"
	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
	"github.com/lettertomyself/ltm/apps/platform/service"
	"github.com/lettertomyself/ltm/apps/platform/tombstone"

	"github.com/lettertomyself/ltm/apps/user/internal/postgres"
	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

var t0 = time.Date(2025, time.March, 1, 10, 0, 0, 0, time.UTC)

func newStore(t *testing.T) (*postgres.Store, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.New(t, service.Migrations(postgres.Migrations())...)
	return postgres.New(pool), pool
}

func newProfile(t *testing.T, username string) profile.Profile {
	t.Helper()
	p, err := profile.New(uuid.NewString(), username, username+"@example.com", t0)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ev(topic, id string) delivery.Ref {
	r, _ := delivery.New("user-service/"+topic, id)
	return r
}

func count(t *testing.T, pool *pgxpool.Pool, userID uuid.UUID) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM profiles WHERE user_id = $1`, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	store, pool := newStore(t)
	p := newProfile(t, "minji")

	created, err := store.Create(ctx, ev("user.registered", "e1"), p)
	if err != nil || !created {
		t.Fatalf("first delivery: created=%v err=%v", created, err)
	}
	// The same event again (redelivery), then a republish with a new id
	// and a different username: still the first profile, untouched.
	if created, err := store.Create(ctx, ev("user.registered", "e1"), p); err != nil || created {
		t.Errorf("redelivery: created=%v err=%v, want no-op", created, err)
	}
	sn := p.Snapshot()
	sn.Username, sn.Nickname = "other", "other"
	again := profile.Restore(sn)
	if created, err := store.Create(ctx, ev("user.registered", "e2"), again); err != nil || created {
		t.Errorf("republish: created=%v err=%v, want no-op", created, err)
	}
	if n := count(t, pool, p.Snapshot().UserID); n != 1 {
		t.Errorf("%d profiles, want 1", n)
	}
	got, err := store.Get(ctx, p.Snapshot().UserID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Snapshot().Username != "minji" || got.Snapshot().Nickname != "minji" || got.Snapshot().Timezone != "Asia/Seoul" || got.Snapshot().Locale != "ko" ||
		!got.Snapshot().Notifications.SpecialDate || got.Snapshot().Birthday != nil || got.Snapshot().AvatarImageID != nil || !got.Snapshot().CreatedAt.Equal(t0) {
		t.Errorf("stored profile = %+v", got)
	}
}

func TestGetUnknown(t *testing.T) {
	store, _ := newStore(t)
	if _, err := store.Get(context.Background(), uuid.New()); !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func TestUpdateRoundTripsEveryField(t *testing.T) {
	ctx := context.Background()
	store, _ := newStore(t)
	p := newProfile(t, "minji")
	if _, err := store.Create(ctx, ev("user.registered", "e1"), p); err != nil {
		t.Fatal(err)
	}
	avatar := uuid.NewString()
	birthday := "2000-02-29"
	later := t0.Add(time.Hour)
	updated, err := store.Update(ctx, p.Snapshot().UserID, func(cur profile.Profile) (profile.Profile, error) {
		return cur.Apply(profile.Patch{
			Nickname: profile.Some("민지"), Bio: profile.Some("편지를 씁니다"), Birthday: profile.Some(&birthday),
			BlogURL: profile.Some("https://blog.example.com"), AvatarImageID: profile.Some(&avatar),
			Timezone: profile.Some("Europe/Berlin"), Locale: profile.Some("en"), LetterOpened: profile.Some(false),
		}, later)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.Get(ctx, p.Snapshot().UserID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Snapshot().Nickname != "민지" || got.Snapshot().Bio != "편지를 씁니다" || got.Snapshot().Birthday == nil || got.Snapshot().Birthday.String() != birthday ||
		got.Snapshot().BlogURL != "https://blog.example.com" || got.Snapshot().AvatarImageID == nil || got.Snapshot().AvatarImageID.String() != avatar ||
		got.Snapshot().Timezone != "Europe/Berlin" || got.Snapshot().Locale != "en" || got.Snapshot().Notifications.LetterOpened ||
		!got.Snapshot().Notifications.RoutineReminder || !got.Snapshot().UpdatedAt.Equal(later) || !got.Snapshot().CreatedAt.Equal(t0) {
		t.Errorf("stored = %+v", got)
	}
	if !updated.Snapshot().UpdatedAt.Equal(got.Snapshot().UpdatedAt) {
		t.Errorf("Update returned updated_at %v, stored %v", updated.Snapshot().UpdatedAt, got.Snapshot().UpdatedAt)
	}

	// Nulls clear.
	if _, err := store.Update(ctx, p.Snapshot().UserID, func(cur profile.Profile) (profile.Profile, error) {
		return cur.Apply(profile.Patch{Birthday: profile.Some[*string](nil), AvatarImageID: profile.Some[*string](nil)}, later)
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.Get(ctx, p.Snapshot().UserID); got.Snapshot().Birthday != nil || got.Snapshot().AvatarImageID != nil {
		t.Errorf("birthday, avatar = %v, %v; want cleared", got.Snapshot().Birthday, got.Snapshot().AvatarImageID)
	}
}

func TestUpdateRefusedSavesNothing(t *testing.T) {
	ctx := context.Background()
	store, _ := newStore(t)
	p := newProfile(t, "minji")
	if _, err := store.Create(ctx, ev("user.registered", "e1"), p); err != nil {
		t.Fatal(err)
	}
	_, err := store.Update(ctx, p.Snapshot().UserID, func(cur profile.Profile) (profile.Profile, error) {
		return cur.Apply(profile.Patch{Nickname: profile.Some("ok"), Locale: profile.Some("xx")}, t0)
	})
	if !errors.Is(err, fields.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	if got, _ := store.Get(ctx, p.Snapshot().UserID); got.Snapshot().Nickname != "minji" {
		t.Errorf("nickname = %q; a refused update was saved", got.Snapshot().Nickname)
	}
	if _, err := store.Update(ctx, uuid.New(), func(cur profile.Profile) (profile.Profile, error) { return cur, nil }); !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("unknown user: err = %v, want ErrNotFound", err)
	}
}

func TestChangeEmail(t *testing.T) {
	ctx := context.Background()
	store, _ := newStore(t)
	p := newProfile(t, "minji")
	if _, err := store.Create(ctx, ev("user.registered", "e1"), p); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	if changed, err := store.ChangeEmail(ctx, ev("user.email_changed", "e2"), p.Snapshot().UserID, "new@example.com", later); err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	if changed, err := store.ChangeEmail(ctx, ev("user.email_changed", "e2"), p.Snapshot().UserID, "new@example.com", later); err != nil || changed {
		t.Errorf("redelivery: changed=%v err=%v, want no-op", changed, err)
	}
	got, _ := store.Get(ctx, p.Snapshot().UserID)
	if got.Snapshot().Email != "new@example.com" || !got.Snapshot().UpdatedAt.Equal(later) {
		t.Errorf("email, updated_at = %q, %v", got.Snapshot().Email, got.Snapshot().UpdatedAt)
	}
	if changed, err := store.ChangeEmail(ctx, ev("user.email_changed", "e3"), uuid.New(), "x@example.com", later); err != nil || changed {
		t.Errorf("unknown user: changed=%v err=%v, want a quiet no-op", changed, err)
	}
}

func TestPurge(t *testing.T) {
	ctx := context.Background()
	store, pool := newStore(t)
	p, other := newProfile(t, "minji"), newProfile(t, "jisoo")
	for i, q := range []profile.Profile{p, other} {
		if _, err := store.Create(ctx, ev("user.registered", string(rune('a'+i))), q); err != nil {
			t.Fatal(err)
		}
	}
	if deleted, err := store.Purge(ctx, ev("user.deleted", "d1"), p.Snapshot().UserID); err != nil || !deleted {
		t.Fatalf("deleted=%v err=%v", deleted, err)
	}
	if deleted, err := store.Purge(ctx, ev("user.deleted", "d2"), p.Snapshot().UserID); err != nil || deleted {
		t.Errorf("second purge: deleted=%v err=%v, want a quiet no-op", deleted, err)
	}
	if _, err := store.Get(ctx, p.Snapshot().UserID); !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("after purge: err = %v, want ErrNotFound", err)
	}
	if n := count(t, pool, other.Snapshot().UserID); n != 1 {
		t.Errorf("the other user's profile went too")
	}
	// A registration redelivered after the deletion does not resurrect it.
	if created, err := store.Create(ctx, ev("user.registered", "late"), p); !errors.Is(err, tombstone.ErrGone) || created {
		t.Errorf("late registration: created=%v err=%v, want tombstone.ErrGone", created, err)
	}
	if n := count(t, pool, p.Snapshot().UserID); n != 0 {
		t.Errorf("%d profiles after a late registration, want 0", n)
	}
}
