package notify_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

const (
	userID   = "0b9f2a3e-6c4d-4f7a-9a51-3f1e2d4c5b6a"
	letterID = "7d7c1e0a-2b3c-4d5e-8f90-a1b2c3d4e5f6"
)

func TestNewRequest(t *testing.T) {
	tests := []struct {
		name    string
		id      string
		user    string
		kind    notify.Kind
		data    notify.Data
		wantErr bool
	}{
		{"letter opened", "letter_opened:" + letterID, userID, notify.LetterOpened, notify.Data{LetterID: letterID, Title: "t"}, false},
		{"routine without a title still mails", "routine:r1:2026-03-01", userID, notify.RoutineReminder, notify.Data{}, false},
		{"special date", "special:s1:2026", userID, notify.SpecialDate, notify.Data{Name: "생일"}, false},
		{"no id", "", userID, notify.SpecialDate, notify.Data{}, true},
		{"id too long", strings.Repeat("x", notify.MaxIDLength+1), userID, notify.SpecialDate, notify.Data{}, true},
		{"user id not a uuid", "k", "minji", notify.SpecialDate, notify.Data{}, true},
		{"unknown kind", "k", userID, notify.Kind("birthday_cake"), notify.Data{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := notify.NewRequest(tt.id, tt.user, tt.kind, tt.data)
			if tt.wantErr != (err != nil) {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, notify.ErrInvalidRequest) {
				t.Errorf("err = %v, want ErrInvalidRequest", err)
			}
		})
	}
}

func TestCheckAddress(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"minji@example.com", true},
		{"", false},
		{"a@example.com;b@example.com", false}, // the binding splits emailTo on ";"
		{"a@example.com,b@example.com", false},
		{"Minji <minji@example.com>", false},
		{"minji@example.com\r\nBcc: x@example.com", false},
		{"not an address", false},
	}
	for _, tt := range tests {
		if err := notify.CheckAddress(tt.addr); (err == nil) != tt.ok {
			t.Errorf("CheckAddress(%q) = %v, want ok %v", tt.addr, err, tt.ok)
		}
	}
}

func TestLetterIDFallsBackToTheKey(t *testing.T) {
	tests := []struct {
		name, id, fromData, want string
	}{
		{"from data", "anything", strings.ToUpper(letterID), letterID},
		{"from the scheduler's key", "letter_opened:" + letterID + ":2026-03-01T00:00:00Z", "", letterID},
		{"neither: link to the list", "opaque-key", "", ""},
		{"a key of another kind", "routine_reminder:" + letterID + ":2026-03-01", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := notify.NewRequest(tt.id, userID, notify.LetterOpened, notify.Data{LetterID: tt.fromData, Title: "t"})
			if err != nil {
				t.Fatal(err)
			}
			if req.Data.LetterID != tt.want {
				t.Errorf("letter id = %q, want %q", req.Data.LetterID, tt.want)
			}
		})
	}
}
