package users_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/contact"
	"github.com/lettertomyself/ltm/apps/platform/daprx"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
	"github.com/lettertomyself/ltm/apps/notification/internal/users"
)

const userID = "0b9f2a3e-6c4d-4f7a-9a51-3f1e2d4c5b6a"

func TestContact(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		err      error
		wantGone bool
		wantErr  bool
	}{
		{"found", `{"user_id":"` + userID + `","email":"minji@example.com","nickname":"민지","locale":"en","timezone":"Asia/Seoul","notifications":{"letter_opened":true,"routine_reminder":false,"special_date":true}}`, nil, false, false},
		{"profile gone", "", &daprx.StatusError{Status: 404, Body: []byte(`{"type":"https://lettertomyself.app/problems/profile-not-found","status":404}`)}, true, false},
		{"bare 404 is not proof the user is gone", "", &daprx.StatusError{Status: 404, Body: []byte(`{"type":"about:blank","status":404}`)}, false, true},
		{"user-service down", "", &daprx.StatusError{Status: 500}, false, true},
		{"sidecar not ready", "", daprx.ErrNotReady, false, true},
		{"garbage", "<html>", nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotPath string
			c := users.New(contact.New(func(_ context.Context, app, path string) ([]byte, error) {
				gotPath = app + path
				return []byte(tt.body), tt.err
			}, slog.New(slog.NewTextHandler(io.Discard, nil))))
			got, err := c.Contact(context.Background(), userID)
			if gotPath != "user-service/internal/users/"+userID+"/contact" {
				t.Errorf("called %s", gotPath)
			}
			if errors.Is(err, notify.ErrUserNotFound) != tt.wantGone {
				t.Fatalf("err = %v, want gone %v", err, tt.wantGone)
			}
			if !tt.wantGone && (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil {
				want := notify.Contact{UserID: userID, Email: "minji@example.com", Nickname: "민지", Locale: "en", Timezone: "Asia/Seoul",
					Notifications: notify.Preferences{LetterOpened: true, SpecialDate: true}}
				if got != want {
					t.Errorf("contact = %+v, want %+v", got, want)
				}
			}
		})
	}
}
