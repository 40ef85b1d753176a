package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lettertomyself/ltm/tools/internal/world"
)

var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// user is a signed-up, logged-in account whose profile exists.
type user struct {
	email, token string
}

// call sends a JSON body (nil: none) and decodes a JSON answer into out
// (nil: ignored). A 429 is waited out, a bounded number of times: a running
// system limits sign-ups per address.
func call(ctx context.Context, method, url, token string, body, out any) (int, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return 0, err
		}
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(raw))
		if err != nil {
			return 0, err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return resp.StatusCode, err
		}
		if resp.StatusCode == http.StatusTooManyRequests && attempt < 120 {
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(time.Second):
			}
			continue
		}
		if out != nil && resp.StatusCode < 300 {
			if err := json.Unmarshal(b, out); err != nil {
				return resp.StatusCode, fmt.Errorf("%s %s: %w", method, url, err)
			}
		}
		if resp.StatusCode >= 300 {
			return resp.StatusCode, fmt.Errorf("%s %s: %d %.200s", method, url, resp.StatusCode, b)
		}
		return resp.StatusCode, nil
	}
}

// newUser signs up, logs in and waits for the profile (made by an event).
func newUser(ctx context.Context, gw, kind string) (user, error) {
	name := "bench_" + kind + "_" + world.RandomHex(5)
	u := user{email: name + "@example.com"}
	password := "paper-lantern-" + world.RandomHex(4)
	if _, err := call(ctx, http.MethodPost, gw+"/api/auth/signup", "",
		map[string]string{"username": name, "email": u.email, "password": password}, nil); err != nil {
		return u, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if _, err := call(ctx, http.MethodPost, gw+"/api/auth/login", "",
		map[string]string{"username": name, "password": password}, &tok); err != nil {
		return u, err
	}
	u.token = tok.AccessToken
	for range 300 {
		if _, err := call(ctx, http.MethodGet, gw+"/api/users/me", u.token, nil, nil); err == nil {
			return u, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return u, errors.New("profile of " + name + " not within 30 s")
}

// parallel runs f(i) for i in [0, n) on workers goroutines and returns the
// first error.
func parallel(n, workers int, f func(i int) error) error {
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// newUsers makes n users, a few at a time (sign-up hashes a password).
func newUsers(ctx context.Context, gw, kind string, n int) ([]user, error) {
	out := make([]user, n)
	err := parallel(n, 4, func(i int) error {
		var err error
		out[i], err = newUser(ctx, gw, kind)
		return err
	})
	return out, err
}

func tokens(us []user) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.token
	}
	return out
}

var seoul = func() *time.Location {
	l, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return l
}()

// letterBody opens at openAt in Asia/Seoul, a new profile's timezone.
func letterBody(title, content string, openAt time.Time) map[string]string {
	local := openAt.In(seoul)
	return map[string]string{"title": title, "content": content,
		"open_date": local.Format("2006-01-02"), "open_time": local.Format("15:04")}
}

// writeLetters has each user write per letters opening at openAt and
// returns the ids of those written, with the first refusal: the caller
// decides whether a few refused letters spoil the measurement.
func writeLetters(ctx context.Context, gw string, us []user, per int, openAt time.Time) ([]string, error) {
	ids := make([]string, len(us)*per)
	var refused atomic.Int64
	err := parallel(len(ids), 16, func(i int) error {
		var out struct {
			ID string `json:"id"`
		}
		_, err := call(ctx, http.MethodPost, gw+"/api/letters", us[i/per].token,
			letterBody(fmt.Sprintf("편지 %d", i%per), "오늘의 나에게, 조금 지쳤지만 그래도 고마운 하루였어.", openAt), &out)
		ids[i] = out.ID
		if err != nil {
			refused.Add(1)
		}
		return err
	})
	if err != nil {
		err = fmt.Errorf("%d of %d letters refused, first: %w", refused.Load(), len(ids), err)
	}
	return slices.DeleteFunc(ids, func(id string) bool { return id == "" }), err
}
