package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"

	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
)

// contendedStore reads nothing and fails every history write with
// updateErr.
type contendedStore struct {
	Store     // the methods this test does not call
	updateErr error
	updates   int
}

func (s *contendedStore) Seen(context.Context, string) (Seen, error) { return Seen{}, nil }

func (s *contendedStore) UpdateHistory(_ context.Context, _ string, from *Seen, _ func([]string) []string) error {
	s.updates++
	if from == nil {
		return errors.New("the history read was not passed on")
	}
	return s.updateErr
}

type fixedMood struct{}

func (fixedMood) Recent(context.Context, string) (string, string, error) {
	return "sadness", "recent_letters", nil
}

// A user's own requests racing each other for the history document cost
// the history an entry, never the answer; any other write failure fails
// the request.
func TestRecommendSurvivesAContendedHistory(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clk := clock.NewFake(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))

	store := &contendedStore{updateErr: fmt.Errorf("%w: after 8 attempts", ErrContended)}
	svc := New(cat, store, fixedMood{}, clk, rand.New(rand.NewPCG(1, 2)), log, Options{})
	ans, err := svc.Recommend(context.Background(), "u1", Query{PerType: 2})
	if err != nil {
		t.Fatalf("Recommend with a contended history: %v", err)
	}
	if ans.Mood != catalog.Sadness || len(ans.Items) == 0 || store.updates != 1 {
		t.Errorf("answer %+v after %d history writes", ans, store.updates)
	}

	down := errors.New("state store unreachable")
	store = &contendedStore{updateErr: down}
	svc = New(cat, store, fixedMood{}, clk, rand.New(rand.NewPCG(1, 2)), log, Options{})
	if _, err := svc.Recommend(context.Background(), "u1", Query{PerType: 2}); !errors.Is(err, down) {
		t.Errorf("Recommend with the store down: %v, want its error", err)
	}
}
