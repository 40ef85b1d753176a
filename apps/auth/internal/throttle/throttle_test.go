package throttle

import (
	"context"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"
)

var policy = Policy{MaxFailures: 5, Window: 15 * time.Minute, BaseLock: time.Minute, MaxLock: time.Hour}

func TestPolicyFail(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		after     time.Duration // since the previous step
		wantRetry time.Duration // RetryAfter right after the failure
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"four failures do not lock", []step{{0, 0}, {time.Second, 0}, {time.Second, 0}, {time.Second, 0}}},
		{"the fifth locks for a minute", []step{{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, time.Minute}}},
		{"each failure after a lock doubles it", []step{
			{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, time.Minute},
			{time.Minute, 2 * time.Minute}, {2 * time.Minute, 4 * time.Minute}, {4 * time.Minute, 8 * time.Minute},
		}},
		{"the lock is capped", []step{
			{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0 + time.Minute}, {0, 2 * time.Minute}, {0, 4 * time.Minute},
			{0, 8 * time.Minute}, {0, 16 * time.Minute}, {0, 32 * time.Minute}, {0, time.Hour}, {0, time.Hour},
		}},
		{"a quiet window forgives", []step{{0, 0}, {0, 0}, {0, 0}, {0, 0}, {15 * time.Minute, 0}, {0, 0}, {0, 0}, {0, 0}, {0, time.Minute}}},
		{"waiting out a lock is not a quiet window", []step{
			{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, time.Minute}, {14 * time.Minute, 2 * time.Minute},
		}},
		{"a window of quiet after the lock forgives", []step{
			{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, time.Minute}, {16 * time.Minute, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s State
			now := t0
			for i, st := range tt.steps {
				now = now.Add(st.after)
				s = policy.Fail(s, now)
				if got := s.RetryAfter(now); got != st.wantRetry {
					t.Fatalf("step %d: RetryAfter = %s, want %s (state %+v)", i+1, got, st.wantRetry, s)
				}
			}
		})
	}
}

func TestThrottler(t *testing.T) {
	ctx := context.Background()
	fake := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	addrPolicy := policy
	addrPolicy.MaxFailures = 8
	th := New(NewMemoryStore(), fake, policy, addrPolicy)
	wait := func(s Subject) time.Duration {
		t.Helper()
		d, err := th.Check(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	fail := func(s Subject, n int) {
		t.Helper()
		for range n {
			if err := th.Fail(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	victim := Subject{Account: "alice", Address: "203.0.113.7"}
	stranger := Subject{Account: "alice", Address: "198.51.100.1"}

	// Issue 15, finding 4: a stranger's wrong passwords for alice lock the
	// stranger out of alice, never alice from her own address.
	fail(stranger, 5)
	if d := wait(stranger); d != time.Minute {
		t.Fatalf("the stranger after 5 failures: %s, want 1m", d)
	}
	if d := wait(victim); d != 0 {
		t.Fatalf("alice from her own address locked by a stranger: %s", d)
	}
	fail(stranger, 1) // progressive: every further miss doubles the lock
	if d := wait(stranger); d != 2*time.Minute {
		t.Fatalf("the stranger's 6th failure: %s, want 2m", d)
	}

	// Alice's own misses count from her address; a success forgets them.
	fail(victim, 4)
	if err := th.Succeed(ctx, victim); err != nil {
		t.Fatal(err)
	}
	fail(victim, 1)
	if d := wait(victim); d != 0 {
		t.Fatalf("success did not reset alice's count: locked for %s", d)
	}
	if d := wait(stranger); d != 2*time.Minute {
		t.Fatalf("alice's success touched the stranger's lock: %s", d)
	}

	// A guesser spreading over accounts from one address hits the address
	// limit (8 here): 5 of alice's, then 3 more.
	fail(Subject{Account: "bob", Address: victim.Address}, 2)
	if d := wait(Subject{Account: "erin", Address: victim.Address}); d != 0 {
		t.Fatalf("the address locked after 7 of its 8 failures: %s", d)
	}
	fail(Subject{Account: "carol", Address: victim.Address}, 1)
	if d := wait(Subject{Account: "erin", Address: victim.Address}); d != time.Minute {
		t.Errorf("another account from the guessing address = %s, want 1m", d)
	}
	if d := wait(Subject{Account: "erin", Address: "192.0.2.1"}); d != 0 {
		t.Errorf("unrelated subject locked for %s", d)
	}
	fake.Advance(time.Minute)
	if d := wait(victim); d != 0 {
		t.Errorf("still locked after the lock ran out: %s", d)
	}
	if d := wait(stranger); d != time.Minute {
		t.Errorf("the stranger's lock after a minute: %s, want 1m left", d)
	}
}
