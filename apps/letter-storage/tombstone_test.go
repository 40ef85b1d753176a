package main

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// After user.deleted the account's still-valid token uploads nothing and
// its avatar cannot be set; uploads racing the event leave no row and no
// object, many times over.
func TestADeletedUserStoresNothingMore(t *testing.T) {
	e := newEnv(t)
	alice := uuid.NewString()
	a1 := e.uploadOK(alice, pngBytes(t))
	if st := e.event("user.deleted", map[string]string{"user_id": alice}); st != "SUCCESS" {
		t.Fatalf("user.deleted: %s", st)
	}
	resp, body := e.upload(alice, "file", pngBytes(t))
	p := problemOf(t, resp, body, http.StatusUnauthorized)
	if p["detail"] != "This account no longer exists." {
		t.Errorf("upload after user.deleted: %s", body)
	}
	if resp, body := e.as("user-service", "/internal/images/avatar", map[string]any{"user_id": alice, "image_id": a1}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("avatar after user.deleted: %d %s", resp.StatusCode, body)
	}
	if n := e.fake.Len(); n != 0 {
		t.Fatalf("%d objects of the deleted user stored", n)
	}

	png := pngBytes(t)
	for round := 0; round < 15; round++ {
		user := uuid.NewString()
		start := make(chan struct{})
		var wg sync.WaitGroup
		statuses := make(chan int, 16)
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := 0; i < 2; i++ {
					resp, body := e.upload(user, "file", png)
					if resp.StatusCode == http.StatusInternalServerError {
						t.Logf("500: %s", body)
					}
					statuses <- resp.StatusCode
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			e.event("user.deleted", map[string]string{"user_id": user})
		}()
		close(start)
		wg.Wait()
		close(statuses)
		for st := range statuses {
			// 413: the quota of 3 images was reached before the purge.
			if st != http.StatusCreated && st != http.StatusUnauthorized && st != http.StatusRequestEntityTooLarge {
				t.Fatalf("round %d: upload answered %d", round, st)
			}
		}
		var rows int
		if err := e.srv.DB.QueryRow(context.Background(), `SELECT count(*) FROM images WHERE user_id = $1`, user).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if n := e.fake.Len(); rows != 0 || n != 0 {
			t.Fatalf("round %d: %d rows and %d objects survived the purge", round, rows, n)
		}
	}
}
