package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBackoffDoublesToMaxAndResets(t *testing.T) {
	b := Policy{First: time.Second, Max: 8 * time.Second}.New()
	want := []time.Duration{1, 2, 4, 8, 8, 8}
	for i, w := range want {
		if got := b.Next(); got != w*time.Second {
			t.Fatalf("wait %d = %s, want %s", i+1, got, w*time.Second)
		}
	}
	b.Reset()
	if got := b.Next(); got != time.Second {
		t.Fatalf("after Reset: %s, want 1s", got)
	}
}

func TestBackoffJitterStaysWithinBounds(t *testing.T) {
	b := Policy{First: time.Second, Max: time.Second, Jitter: 0.2}.New()
	varied := false
	for range 200 {
		got := b.Next()
		if got < 800*time.Millisecond || got > 1200*time.Millisecond {
			t.Fatalf("wait %s outside 1s±20%%", got)
		}
		varied = varied || got != time.Second
	}
	if !varied {
		t.Fatal("200 waits with 20% jitter were all exactly 1s")
	}
}

func TestZeroPolicyTakesDefault(t *testing.T) {
	b := Policy{}.New()
	if got := b.Next(); got != time.Second {
		t.Fatalf("first wait %s, want 1s", got)
	}
	for range 10 {
		b.Next()
	}
	if got := b.Next(); got != 30*time.Second {
		t.Fatalf("capped wait %s, want 30s", got)
	}
}

func TestDoRetriesUntilSuccess(t *testing.T) {
	calls := 0
	var seen []int
	err := Do(context.Background(), Policy{First: time.Microsecond, Max: time.Microsecond}, func(context.Context) error {
		calls++
		if calls < 4 {
			return errors.New("not yet")
		}
		return nil
	}, func(_ error, failures int, _ time.Duration) { seen = append(seen, failures) })
	if err != nil {
		t.Fatal(err)
	}
	if calls != 4 || len(seen) != 3 || seen[2] != 3 {
		t.Fatalf("calls %d, notified %v", calls, seen)
	}
}

func TestDoStopsOnPermanent(t *testing.T) {
	refused := errors.New("refused")
	calls := 0
	err := Do(context.Background(), Policy{First: time.Microsecond}, func(context.Context) error {
		calls++
		return Permanent(refused)
	}, nil)
	if err != refused || calls != 1 {
		t.Fatalf("err %v after %d calls, want %v after 1", err, calls, refused)
	}
}

func TestDoStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	unreachable := errors.New("unreachable")
	calls := 0
	err := Do(ctx, Policy{First: time.Hour}, func(context.Context) error {
		calls++
		cancel()
		return unreachable
	}, nil)
	if !errors.Is(err, unreachable) || !errors.Is(err, context.Canceled) || calls != 1 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
}
