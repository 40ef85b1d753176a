package daprx_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"testing"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/lettertomyself/ltm/apps/platform/daprtest"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/pgtest"
)

// UpdateState through a real daprd and the real state.postgresql component:
// concurrent writers of one document (new at first) all land, a nil change
// writes nothing, and a failing change is returned as it is.
func TestUpdateStateAgainstTheRealStateStore(t *testing.T) {
	sc := daprtest.Start(t, daprtest.Options{
		AppID:      "recommend-service",
		Components: []string{daprtest.RepoFile(t, "components/recommend-state.yaml")},
		Secrets:    map[string]string{"recommend-state-pg": pgtest.NewURL(t)},
	})
	c := sc.Client(t)
	client := func() (daprx.StateClient, error) { return c, nil }
	ctx := context.Background()
	const store, key = "recommend-state", "doc:counters"

	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- daprx.UpdateState(ctx, client, store, key, 50, func(data []byte) ([]byte, error) {
				doc := map[string]bool{}
				if len(data) > 0 {
					if err := json.Unmarshal(data, &doc); err != nil {
						return nil, err
					}
				}
				doc["w"+strconv.Itoa(i)] = true
				return json.Marshal(doc)
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a writer failed: %v", err)
		}
	}
	if got := read(t, c, store, key); len(got) != 12 {
		t.Fatalf("%d of 12 concurrent writes landed: %v", len(got), got)
	}

	if err := daprx.UpdateState(ctx, client, store, key, 3, func([]byte) ([]byte, error) { return nil, nil }); err != nil {
		t.Errorf("a nil change: %v", err)
	}
	boom := errors.New("cannot apply")
	if err := daprx.UpdateState(ctx, client, store, key, 3, func([]byte) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("a failing change: %v, want it returned", err)
	}
	if got := read(t, c, store, key); len(got) != 12 {
		t.Errorf("document changed by a nil or failing change: %v", got)
	}
}

func read(t *testing.T, c dapr.Client, store, key string) map[string]bool {
	t.Helper()
	item, err := c.GetState(context.Background(), store, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]bool{}
	if err := json.Unmarshal(item.Value, &doc); err != nil {
		t.Fatalf("%s: %v", item.Value, err)
	}
	return doc
}

// UpdateStateFrom starts from a read the caller made: when nobody wrote
// since, the change lands on it; when somebody did (a stale ETag, or a
// document that was absent and has appeared), the change is applied again
// to the winner's document, so no write is lost.
func TestUpdateStateFromAReadAlreadyMade(t *testing.T) {
	sc := daprtest.Start(t, daprtest.Options{
		AppID:      "recommend-service",
		Components: []string{daprtest.RepoFile(t, "components/recommend-state.yaml")},
		Secrets:    map[string]string{"recommend-state-pg": pgtest.NewURL(t)},
	})
	c := sc.Client(t)
	client := func() (daprx.StateClient, error) { return c, nil }
	ctx := context.Background()
	const store, key = "recommend-state", "doc:from"
	add := func(name string) func([]byte) ([]byte, error) {
		return func(data []byte) ([]byte, error) {
			doc := map[string]bool{}
			if len(data) > 0 {
				if err := json.Unmarshal(data, &doc); err != nil {
					return nil, err
				}
			}
			doc[name] = true
			return json.Marshal(doc)
		}
	}

	// Read while absent; another writer inserts; the update from the
	// absent read must keep the other writer's entry.
	absent, err := c.GetState(ctx, store, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := daprx.UpdateState(ctx, client, store, key, 3, add("other")); err != nil {
		t.Fatal(err)
	}
	if err := daprx.UpdateStateFrom(ctx, client, store, key, 5, absent, add("mine")); err != nil {
		t.Fatalf("update from an absent read: %v", err)
	}
	if got := read(t, c, store, key); !got["other"] || !got["mine"] || len(got) != 2 {
		t.Fatalf("after an update from an absent read that lost the race: %v", got)
	}

	// A fresh read: the change lands as it is.
	fresh, err := c.GetState(ctx, store, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := daprx.UpdateStateFrom(ctx, client, store, key, 1, fresh, add("fresh")); err != nil {
		t.Fatalf("update from a fresh read, one attempt: %v", err)
	}
	// That read is stale now: a second update from it is applied again to
	// the current document.
	if err := daprx.UpdateStateFrom(ctx, client, store, key, 5, fresh, add("stale")); err != nil {
		t.Fatalf("update from a stale read: %v", err)
	}
	if got := read(t, c, store, key); len(got) != 4 || !got["fresh"] || !got["stale"] {
		t.Fatalf("after updates from a fresh and a stale read: %v", got)
	}
	// One attempt from a stale read is contention, never a lost write.
	if err := daprx.UpdateStateFrom(ctx, client, store, key, 1, fresh, add("lost")); !errors.Is(err, daprx.ErrContended) {
		t.Errorf("one attempt from a stale read: %v, want ErrContended", err)
	}
	if got := read(t, c, store, key); got["lost"] {
		t.Errorf("a save from a stale ETag landed: %v", got)
	}
}
