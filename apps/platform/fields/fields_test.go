package fields_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/fields"
)

func TestSet(t *testing.T) {
	var s fields.Set
	if err := s.Err(); err != nil {
		t.Fatalf("empty set: %v", err)
	}
	s.Add("title", "required")
	s.Add("title", "too long")
	s.Add("time", "must be HH:MM")
	err := fmt.Errorf("create: %w", s.Err())
	var fe *fields.Error
	if !errors.As(err, &fe) || !errors.Is(err, fields.ErrInvalid) {
		t.Fatalf("err = %v, want a *fields.Error matching ErrInvalid", err)
	}
	if got := fe.Fields(); len(got) != 2 || got["title"] != "required" || got["time"] != "must be HH:MM" {
		t.Errorf("fields = %v, want the first message per field", got)
	}
	if got, want := fe.Error(), "invalid: time: must be HH:MM; title: required"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	fe.Fields()["title"] = "changed"
	if fe.Message("title") != "required" || !s.Has("time") || s.Has("other") {
		t.Error("Fields must be a copy; Has must see added fields")
	}
}

func TestNew(t *testing.T) {
	e := fields.New("email", "is taken")
	if e.Message("email") != "is taken" || e.Message("x") != "" {
		t.Errorf("Message = %q", e.Message("email"))
	}
}
