package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

type notificationsDTO struct {
	LetterOpened    bool `json:"letter_opened"`
	RoutineReminder bool `json:"routine_reminder"`
	SpecialDate     bool `json:"special_date"`
}

// profileDTO is GET/PATCH /api/users/me's answer.
type profileDTO struct {
	ID            uuid.UUID        `json:"id"`
	Username      string           `json:"username"`
	Email         string           `json:"email"`
	Nickname      string           `json:"nickname"`
	Bio           string           `json:"bio"`
	Birthday      *string          `json:"birthday"` // YYYY-MM-DD or null
	BlogURL       string           `json:"blog_url"`
	AvatarImageID *uuid.UUID       `json:"avatar_image_id"`
	Timezone      string           `json:"timezone"`
	Locale        string           `json:"locale"`
	Notifications notificationsDTO `json:"notifications"`
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
}

// contactDTO is what notification-service needs to send someone mail.
type contactDTO struct {
	UserID        uuid.UUID        `json:"user_id"`
	Email         string           `json:"email"`
	Nickname      string           `json:"nickname"`
	Locale        string           `json:"locale"`
	Timezone      string           `json:"timezone"`
	Notifications notificationsDTO `json:"notifications"`
}

func toNotificationsDTO(n profile.Notifications) notificationsDTO {
	return notificationsDTO{LetterOpened: n.LetterOpened, RoutineReminder: n.RoutineReminder, SpecialDate: n.SpecialDate}
}

func toProfileDTO(prof profile.Profile) profileDTO {
	p := prof.Snapshot()
	var birthday *string
	if p.Birthday != nil {
		s := p.Birthday.String()
		birthday = &s
	}
	return profileDTO{
		ID: p.UserID, Username: p.Username, Email: p.Email, Nickname: p.Nickname, Bio: p.Bio,
		Birthday: birthday, BlogURL: p.BlogURL, AvatarImageID: p.AvatarImageID,
		Timezone: p.Timezone, Locale: p.Locale, Notifications: toNotificationsDTO(p.Notifications),
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}
}

func toContactDTO(prof profile.Profile) contactDTO {
	p := prof.Snapshot()
	return contactDTO{
		UserID: p.UserID, Email: p.Email, Nickname: p.Nickname, Locale: p.Locale, Timezone: p.Timezone,
		Notifications: toNotificationsDTO(p.Notifications),
	}
}

// Messages for members a PATCH may not carry.
const (
	msgReadOnlyAccount = "read-only; change it through /api/auth"
	msgReadOnly        = "read-only"
	msgUnknown         = "unknown field"
)

// decodePatch reads a PATCH /api/users/me body. An absent member leaves
// the field unchanged; null clears birthday and avatar_image_id. It
// returns the patch of every well-formed member plus a message per
// malformed, read-only or unknown member, so the caller can report them
// together with the domain's rule errors. err is for a body that is not a
// JSON object at all.
func decodePatch(c *gin.Context) (profile.Patch, map[string]string, error) {
	var body map[string]json.RawMessage
	if err := httpx.DecodeJSON(c, &body, maxPatchBytes); err != nil {
		return profile.Patch{}, nil, err
	}
	if body == nil { // the JSON value null
		return profile.Patch{}, nil, problem.New(http.StatusBadRequest, "The body must be a JSON object.")
	}
	d := fieldDecoder{errs: map[string]string{}}
	var p profile.Patch
	for name, raw := range body {
		switch name {
		case "nickname":
			p.Nickname = d.str(name, raw)
		case "bio":
			p.Bio = d.str(name, raw)
		case "birthday":
			p.Birthday = d.nullableStr(name, raw)
		case "blog_url":
			p.BlogURL = d.str(name, raw)
		case "avatar_image_id":
			p.AvatarImageID = d.nullableStr(name, raw)
		case "timezone":
			p.Timezone = d.str(name, raw)
		case "locale":
			p.Locale = d.str(name, raw)
		case "notifications":
			d.notifications(&p, raw)
		case "username", "email":
			d.errs[name] = msgReadOnlyAccount
		case "id", "created_at", "updated_at":
			d.errs[name] = msgReadOnly
		default:
			d.errs[name] = msgUnknown
		}
	}
	return p, d.errs, nil
}

type fieldDecoder struct {
	errs map[string]string
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func (d fieldDecoder) str(name string, raw json.RawMessage) profile.Field[string] {
	var s string
	if isNull(raw) || json.Unmarshal(raw, &s) != nil {
		d.errs[name] = "must be a string"
		return profile.Field[string]{}
	}
	return profile.Some(s)
}

func (d fieldDecoder) nullableStr(name string, raw json.RawMessage) profile.Field[*string] {
	if isNull(raw) {
		return profile.Some[*string](nil)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		d.errs[name] = "must be a string or null"
		return profile.Field[*string]{}
	}
	return profile.Some(&s)
}

func (d fieldDecoder) boolean(name string, raw json.RawMessage) profile.Field[bool] {
	var b bool
	if isNull(raw) || json.Unmarshal(raw, &b) != nil {
		d.errs[name] = "must be true or false"
		return profile.Field[bool]{}
	}
	return profile.Some(b)
}

// notifications reads a partial object of booleans.
func (d fieldDecoder) notifications(p *profile.Patch, raw json.RawMessage) {
	var obj map[string]json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &obj) != nil {
		d.errs["notifications"] = "must be an object of true/false values"
		return
	}
	for name, v := range obj {
		field := "notifications." + name
		switch name {
		case "letter_opened":
			p.LetterOpened = d.boolean(field, v)
		case "routine_reminder":
			p.RoutineReminder = d.boolean(field, v)
		case "special_date":
			p.SpecialDate = d.boolean(field, v)
		default:
			d.errs[field] = msgUnknown
		}
	}
}
