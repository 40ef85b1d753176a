package httpapi

import (
	"context"
	"strconv"
	"testing"
	"time"
)

func TestLocaleCache(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	calls := map[string]int{}
	answer := map[string]string{"a": "en", "b": "ko"}
	c := newLocaleCache(func(_ context.Context, id string) string {
		calls[id]++
		return answer[id]
	}, func() time.Time { return now }, 30*time.Second, 3)
	ctx := context.Background()

	if got := c.Locale(ctx, "a"); got != "en" {
		t.Fatalf("first lookup = %q", got)
	}
	answer["a"] = "ko" // changed in user-service
	if got := c.Locale(ctx, "a"); got != "en" || calls["a"] != 1 {
		t.Fatalf("within the TTL: %q after %d lookups, want the cached en after 1", got, calls["a"])
	}
	now = now.Add(30 * time.Second)
	if got := c.Locale(ctx, "a"); got != "ko" || calls["a"] != 2 {
		t.Fatalf("after the TTL: %q after %d lookups, want ko after 2", got, calls["a"])
	}

	// A failed lookup ("") is not remembered.
	c.Locale(ctx, "x")
	c.Locale(ctx, "x")
	if calls["x"] != 2 {
		t.Errorf("a failed lookup was cached: %d lookups", calls["x"])
	}

	// Bounded: never more than max entries.
	for i := range 10 {
		id := "u" + strconv.Itoa(i)
		answer[id] = "en"
		c.Locale(ctx, id)
		if len(c.m) > 3 {
			t.Fatalf("%d entries, max 3", len(c.m))
		}
	}
}
