package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/tombstone"
	"github.com/lettertomyself/ltm/apps/platform/tombstone/tombstonetest"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

func TestADeletedUserGetsNoMail(t *testing.T) {
	f := newFixture(t)
	svc := f.service(contacts{contact: everyone()})
	if _, err := f.store.DeleteUser(context.Background(), userID); err != nil {
		t.Fatal(err)
	}
	err := svc.Handle(context.Background(), letterRequest(t, "letter_opened:"+uuid.NewString()))
	if !errors.Is(err, tombstone.ErrGone) {
		t.Fatalf("Handle after the purge = %v, want tombstone.ErrGone", err)
	}
	if n := len(f.send.mails); n != 0 {
		t.Fatalf("%d mails sent", n)
	}
	if recs, _ := f.store.List(context.Background(), userID, 10); len(recs) != 0 {
		t.Fatalf("%d records of the deleted user", len(recs))
	}
}

// TestRequestsRacingThePurgeLeaveNothing: deliveries race user.deleted,
// many times; no record of the user survives the purge.
func TestRequestsRacingThePurgeLeaveNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	services := map[uuid.UUID]*notify.Service{}
	var mu sync.Mutex
	service := func(user uuid.UUID) *notify.Service {
		mu.Lock()
		defer mu.Unlock()
		if svc, ok := services[user]; ok {
			return svc
		}
		c := everyone()
		c.UserID = user.String()
		services[user] = f.service(contacts{contact: c})
		return services[user]
	}
	tombstonetest.Race{
		Writes: 1,
		Write: func(user uuid.UUID, _, _ int) error {
			req, err := notify.NewRequest(fmt.Sprintf("letter_opened:%s", uuid.NewString()), user.String(), notify.LetterOpened, notify.Data{LetterID: letterID, Title: "t"})
			if err != nil {
				return err
			}
			return service(user).Handle(ctx, req)
		},
		Purge: func(_ int, user uuid.UUID) error { _, err := f.store.DeleteUser(ctx, user.String()); return err },
		Left: func(user uuid.UUID) (int, error) {
			recs, err := f.store.List(ctx, user.String(), 100)
			return len(recs), err
		},
	}.Run(t)
}
