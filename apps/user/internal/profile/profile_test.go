package profile_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/fields"

	"github.com/lettertomyself/ltm/apps/user/internal/profile"
)

const userID = "0b6c7d1e-3f7a-4c51-9d3a-2f1e8c6b5a40"

// now is 2025-03-01 19:00 in Seoul (10:00 UTC).
var now = time.Date(2025, time.March, 1, 10, 0, 0, 0, time.UTC)

func newProfile(t *testing.T) profile.Profile {
	t.Helper()
	p, err := profile.New(userID, "minji", "minji@example.com", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

func TestNewHasTheDefaults(t *testing.T) {
	p := newProfile(t)
	if p.Snapshot().Nickname != "minji" || p.Snapshot().Bio != "" || p.Snapshot().Birthday != nil || p.Snapshot().BlogURL != "" || p.Snapshot().AvatarImageID != nil {
		t.Errorf("profile fields = %+v, want nickname=username and the rest empty", p)
	}
	if p.Snapshot().Timezone != "Asia/Seoul" || p.Snapshot().Locale != "ko" {
		t.Errorf("timezone, locale = %q, %q; want Asia/Seoul, ko", p.Snapshot().Timezone, p.Snapshot().Locale)
	}
	if n := p.Snapshot().Notifications; !n.LetterOpened || !n.RoutineReminder || !n.SpecialDate {
		t.Errorf("notifications = %+v, want all on", n)
	}
	if !p.Snapshot().UpdatedAt.Equal(p.Snapshot().CreatedAt) {
		t.Errorf("updated_at %v != created_at %v", p.Snapshot().UpdatedAt, p.Snapshot().CreatedAt)
	}
}

func TestNewRefusesBadEvents(t *testing.T) {
	tests := []struct {
		name, id, username, email string
		created                   time.Time
		field                     string
	}{
		{"id not a uuid", "42", "minji", "m@example.com", now, "user_id"},
		{"no username", userID, "  ", "m@example.com", now, "username"},
		{"no email", userID, "minji", "", now, "email"},
		{"no time", userID, "minji", "m@example.com", time.Time{}, "created_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := profile.New(tt.id, tt.username, tt.email, tt.created)
			var ve *fields.Error
			if !errors.As(err, &ve) || ve.Message(tt.field) == "" {
				t.Fatalf("err = %v, want a validation error on %s", err, tt.field)
			}
		})
	}
}

func TestApply(t *testing.T) {
	decomposed := "\u1100\u1161\u11a8" // 각 as three jamo; NFC makes it one syllable
	tests := []struct {
		name    string
		patch   profile.Patch
		now     time.Time // zero: now
		check   func(t *testing.T, p profile.Profile)
		invalid map[string]string // field → substring of the message
	}{
		{
			name:  "korean nickname of 20 syllables",
			patch: profile.Patch{Nickname: profile.Some(strings.Repeat("가", 20))},
			check: func(t *testing.T, p profile.Profile) {
				if p.Snapshot().Nickname != strings.Repeat("가", 20) {
					t.Errorf("nickname = %q", p.Snapshot().Nickname)
				}
			},
		},
		{
			name:    "korean nickname of 21 syllables",
			patch:   profile.Patch{Nickname: profile.Some(strings.Repeat("가", 21))},
			invalid: map[string]string{"nickname": "at most 20"},
		},
		{
			name:  "decomposed hangul counts as composed",
			patch: profile.Patch{Nickname: profile.Some(strings.Repeat(decomposed, 20))},
			check: func(t *testing.T, p profile.Profile) {
				if p.Snapshot().Nickname != strings.Repeat("각", 20) {
					t.Errorf("nickname = %q, want 20 composed syllables", p.Snapshot().Nickname)
				}
			},
		},
		{
			name:  "emoji nickname counted in code points and trimmed",
			patch: profile.Patch{Nickname: profile.Some("  편지 쓰는 🐻  ")},
			check: func(t *testing.T, p profile.Profile) {
				if p.Snapshot().Nickname != "편지 쓰는 🐻" {
					t.Errorf("nickname = %q, want trimmed", p.Snapshot().Nickname)
				}
			},
		},
		{"blank nickname", profile.Patch{Nickname: profile.Some("   ")}, time.Time{}, nil, map[string]string{"nickname": "required"}},
		{"nickname with a newline inside", profile.Patch{Nickname: profile.Some("민\n지")}, time.Time{}, nil, map[string]string{"nickname": "one line"}},
		{"nickname with a bidi override", profile.Patch{Nickname: profile.Some("abc\u202Edef")}, time.Time{}, nil, map[string]string{"nickname": "bidirectional"}},
		{"nickname with NUL", profile.Patch{Nickname: profile.Some("민\x00지")}, time.Time{}, nil, map[string]string{"nickname": "control"}},
		{"nickname of zero-width spaces", profile.Patch{Nickname: profile.Some("\u200b\u200b")}, time.Time{}, nil, map[string]string{"nickname": "visible"}},
		{"nickname of Hangul fillers", profile.Patch{Nickname: profile.Some("\u3164\u3164")}, time.Time{}, nil, map[string]string{"nickname": "visible"}},
		{"bio of 160 korean characters", profile.Patch{Bio: profile.Some(strings.Repeat("한", 160))}, time.Time{}, nil, nil},
		{"bio of 161 characters", profile.Patch{Bio: profile.Some(strings.Repeat("한", 161))}, time.Time{}, nil, map[string]string{"bio": "at most 160"}},
		{"bio on two lines", profile.Patch{Bio: profile.Some("one\ntwo")}, time.Time{}, nil, map[string]string{"bio": "one line"}},
		{"empty bio", profile.Patch{Bio: profile.Some("")}, time.Time{}, nil, nil},
		{
			name:  "birthday on feb 29 of a leap year",
			patch: profile.Patch{Birthday: profile.Some(ptr("2000-02-29"))},
			check: func(t *testing.T, p profile.Profile) {
				if p.Snapshot().Birthday == nil || p.Snapshot().Birthday.String() != "2000-02-29" {
					t.Errorf("birthday = %v", p.Snapshot().Birthday)
				}
			},
		},
		{"birthday on feb 29 of a common year", profile.Patch{Birthday: profile.Some(ptr("2001-02-29"))}, time.Time{}, nil, map[string]string{"birthday": "real date"}},
		{"birthday on feb 30", profile.Patch{Birthday: profile.Some(ptr("2000-02-30"))}, time.Time{}, nil, map[string]string{"birthday": "real date"}},
		{"birthday in another format", profile.Patch{Birthday: profile.Some(ptr("01/02/2000"))}, time.Time{}, nil, map[string]string{"birthday": "YYYY-MM-DD"}},
		{"birthday with a time", profile.Patch{Birthday: profile.Some(ptr("2000-01-02T00:00:00Z"))}, time.Time{}, nil, map[string]string{"birthday": "YYYY-MM-DD"}},
		{"birthday today", profile.Patch{Birthday: profile.Some(ptr("2025-03-01"))}, time.Time{}, nil, map[string]string{"birthday": "past"}},
		{"birthday tomorrow", profile.Patch{Birthday: profile.Some(ptr("2025-03-02"))}, time.Time{}, nil, map[string]string{"birthday": "past"}},
		{"birthday yesterday", profile.Patch{Birthday: profile.Some(ptr("2025-02-28"))}, time.Time{}, nil, nil},
		{
			// 01:00 on March 1 in Seoul is still February 28 in UTC.
			name:  "today is judged in the person's zone",
			patch: profile.Patch{Birthday: profile.Some(ptr("2025-02-28"))},
			now:   time.Date(2025, time.February, 28, 16, 0, 0, 0, time.UTC),
		},
		{
			name:    "a zone change in the same patch moves today",
			patch:   profile.Patch{Timezone: profile.Some("UTC"), Birthday: profile.Some(ptr("2025-02-28"))},
			now:     time.Date(2025, time.February, 28, 16, 0, 0, 0, time.UTC),
			invalid: map[string]string{"birthday": "past"},
		},
		{"birthday on 1900-01-01", profile.Patch{Birthday: profile.Some(ptr("1900-01-01"))}, time.Time{}, nil, nil},
		{"birthday in 1899", profile.Patch{Birthday: profile.Some(ptr("1899-12-31"))}, time.Time{}, nil, map[string]string{"birthday": "1900-01-01"}},
		{
			name:  "null clears the birthday",
			patch: profile.Patch{Birthday: profile.Some[*string](nil)},
			check: func(t *testing.T, p profile.Profile) {
				if p.Snapshot().Birthday != nil {
					t.Errorf("birthday = %v, want cleared", p.Snapshot().Birthday)
				}
			},
		},
		{"https blog", profile.Patch{BlogURL: profile.Some("https://blog.example.com/민지")}, time.Time{}, nil, nil},
		{"http blog with port", profile.Patch{BlogURL: profile.Some("HTTP://localhost:8080/x")}, time.Time{}, nil, nil},
		{"empty blog", profile.Patch{BlogURL: profile.Some("")}, time.Time{}, nil, nil},
		{"javascript url", profile.Patch{BlogURL: profile.Some("javascript:alert(1)")}, time.Time{}, nil, map[string]string{"blog_url": "http"}},
		{"ftp url", profile.Patch{BlogURL: profile.Some("ftp://example.com")}, time.Time{}, nil, map[string]string{"blog_url": "http"}},
		{"relative url", profile.Patch{BlogURL: profile.Some("/blog")}, time.Time{}, nil, map[string]string{"blog_url": "http"}},
		{"no host", profile.Patch{BlogURL: profile.Some("https:///path")}, time.Time{}, nil, map[string]string{"blog_url": "host"}},
		{"no scheme", profile.Patch{BlogURL: profile.Some("example.com")}, time.Time{}, nil, map[string]string{"blog_url": "http"}},
		{"credentials in url", profile.Patch{BlogURL: profile.Some("https://bank.example@evil.example")}, time.Time{}, nil, map[string]string{"blog_url": "user name"}},
		{"url of 201 characters", profile.Patch{BlogURL: profile.Some("https://e.com/" + strings.Repeat("a", 187))}, time.Time{}, nil, map[string]string{"blog_url": "at most 200"}},
		{"url of 200 characters", profile.Patch{BlogURL: profile.Some("https://e.com/" + strings.Repeat("a", 186))}, time.Time{}, nil, nil},
		{"avatar uuid", profile.Patch{AvatarImageID: profile.Some(ptr("5b1f6a1c-8a39-4a5e-9f3e-0e7d6c5b4a31"))}, time.Time{}, nil, nil},
		{"avatar not a uuid", profile.Patch{AvatarImageID: profile.Some(ptr("cat.png"))}, time.Time{}, nil, map[string]string{"avatar_image_id": "UUID"}},
		{"avatar uuid in braces", profile.Patch{AvatarImageID: profile.Some(ptr("{5b1f6a1c-8a39-4a5e-9f3e-0e7d6c5b4a31}"))}, time.Time{}, nil, map[string]string{"avatar_image_id": "UUID"}},
		{"null clears the avatar", profile.Patch{AvatarImageID: profile.Some[*string](nil)}, time.Time{}, nil, nil},
		{"utc", profile.Patch{Timezone: profile.Some("UTC")}, time.Time{}, nil, nil},
		{"new york", profile.Patch{Timezone: profile.Some("America/New_York")}, time.Time{}, nil, nil},
		{"made-up zone", profile.Patch{Timezone: profile.Some("Mars/Olympus")}, time.Time{}, nil, map[string]string{"timezone": "IANA"}},
		{"local zone", profile.Patch{Timezone: profile.Some("Local")}, time.Time{}, nil, map[string]string{"timezone": "IANA"}},
		{"empty zone", profile.Patch{Timezone: profile.Some("")}, time.Time{}, nil, map[string]string{"timezone": "IANA"}},
		{"path in zone", profile.Patch{Timezone: profile.Some("../../etc/passwd")}, time.Time{}, nil, map[string]string{"timezone": "IANA"}},
		{"english", profile.Patch{Locale: profile.Some("en")}, time.Time{}, nil, nil},
		{"japanese", profile.Patch{Locale: profile.Some("ja")}, time.Time{}, nil, map[string]string{"locale": "ko, en"}},
		{"upper-case locale", profile.Patch{Locale: profile.Some("KO")}, time.Time{}, nil, map[string]string{"locale": "ko, en"}},
		{
			name:  "one notification off, the others untouched",
			patch: profile.Patch{SpecialDate: profile.Some(false)},
			check: func(t *testing.T, p profile.Profile) {
				if n := p.Snapshot().Notifications; !n.LetterOpened || !n.RoutineReminder || n.SpecialDate {
					t.Errorf("notifications = %+v", n)
				}
			},
		},
		{
			name: "every error at once",
			patch: profile.Patch{
				Nickname: profile.Some(""), Bio: profile.Some(strings.Repeat("x", 161)),
				Birthday: profile.Some(ptr("2999-01-01")), BlogURL: profile.Some("mailto:a@b.c"),
				AvatarImageID: profile.Some(ptr("x")), Timezone: profile.Some("Nowhere"), Locale: profile.Some("fr"),
			},
			invalid: map[string]string{
				"nickname": "required", "bio": "160", "birthday": "past", "blog_url": "http",
				"avatar_image_id": "UUID", "timezone": "IANA", "locale": "ko",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := now
			if !tt.now.IsZero() {
				at = tt.now
			}
			before := newProfile(t)
			got, err := before.Apply(tt.patch, at)
			if tt.invalid != nil {
				var ve *fields.Error
				if !errors.As(err, &ve) || !errors.Is(err, fields.ErrInvalid) {
					t.Fatalf("err = %v, want a validation error", err)
				}
				if len(ve.Fields()) != len(tt.invalid) {
					t.Errorf("fields = %v, want exactly %v", ve.Fields(), tt.invalid)
				}
				for f, want := range tt.invalid {
					if !strings.Contains(ve.Message(f), want) {
						t.Errorf("%s: message %q, want it to mention %q", f, ve.Message(f), want)
					}
				}
				if got.Snapshot().Nickname != before.Snapshot().Nickname || !got.Snapshot().UpdatedAt.Equal(before.Snapshot().UpdatedAt) {
					t.Errorf("a refused patch changed the profile: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want the patch accepted", err)
			}
			if !got.Snapshot().UpdatedAt.Equal(at) {
				t.Errorf("updated_at = %v, want %v", got.Snapshot().UpdatedAt, at)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func TestApplyLeavesAbsentFieldsAlone(t *testing.T) {
	p := newProfile(t)
	p, err := p.Apply(profile.Patch{Bio: profile.Some("hello"), Birthday: profile.Some(ptr("1995-05-05"))}, now)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Apply(profile.Patch{Locale: profile.Some("en")}, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got.Snapshot().Bio != "hello" || got.Snapshot().Birthday == nil || got.Snapshot().Birthday.String() != "1995-05-05" || got.Snapshot().Nickname != "minji" || got.Snapshot().Locale != "en" {
		t.Errorf("got %+v, want only the locale changed", got)
	}
}

func TestEmptyPatchChangesNothing(t *testing.T) {
	p := newProfile(t)
	got, err := p.Apply(profile.Patch{}, now)
	if err != nil || !got.Snapshot().UpdatedAt.Equal(p.Snapshot().UpdatedAt) {
		t.Errorf("got %v, %v; want the profile untouched", got.Snapshot().UpdatedAt, err)
	}
}
