package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/tombstone"

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
	for round := 0; round < 60; round++ {
		user := uuid.NewString()
		c := everyone()
		c.UserID = user
		svc := f.service(contacts{contact: c})
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				req, err := notify.NewRequest(fmt.Sprintf("letter_opened:%s", uuid.NewString()), user, notify.LetterOpened, notify.Data{LetterID: letterID, Title: "t"})
				if err == nil {
					err = svc.Handle(ctx, req)
				}
				if err != nil && !errors.Is(err, tombstone.ErrGone) {
					errs <- err
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := f.store.DeleteUser(ctx, user); err != nil {
				errs <- err
			}
		}()
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if recs, err := f.store.List(ctx, user, 100); err != nil || len(recs) != 0 {
			t.Fatalf("round %d: %d records survived the purge (%v)", round, len(recs), err)
		}
	}
}
