package delivery_test

import (
	"errors"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/delivery"
)

func TestNew(t *testing.T) {
	r, err := delivery.New("user-service/user.deleted", "ev-1")
	if err != nil || r.Consumer() != "user-service/user.deleted" || r.ID() != "ev-1" {
		t.Errorf("New = %+v, %v", r, err)
	}
	if _, err := delivery.New("c", ""); !errors.Is(err, delivery.ErrNoID) {
		t.Errorf("New without an id: %v, want ErrNoID", err)
	}
}
