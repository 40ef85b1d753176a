// Package mail writes notification mail (subject, plain text and HTML, in
// Korean or English) from embedded templates, and sends it through the
// Dapr smtp output binding.
//
// HTML bodies go through html/template, so titles and names written by
// users are escaped; subjects and text bodies use text/template and are
// plain text. A letter's content is never an input here.
package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lettertomyself/ltm/apps/platform/contact"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

//go:embed templates
var files embed.FS

// Locales the templates are written in; the first is the default.
var Locales = []string{"ko", "en"}

type key struct {
	kind   notify.Kind
	locale string
}

type set struct {
	text *texttemplate.Template // "subject" and "text"
	html *htmltemplate.Template // "layout"
}

// Renderer renders mail; it implements notify.Renderer.
type Renderer struct {
	base string
	sets map[key]set
}

// NewRenderer parses every template once. baseURL is where the web client
// lives (links point to <base>/letters/<id> and <base>/write); it must be
// an absolute http(s) URL.
func NewRenderer(baseURL string) (*Renderer, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("public base url %q: want an absolute http(s) URL without query or fragment", baseURL)
	}
	r := &Renderer{base: strings.TrimRight(u.String(), "/"), sets: map[key]set{}}
	for _, kind := range notify.Kinds {
		for _, loc := range Locales {
			dir := "templates/" + loc + "/"
			text, err := texttemplate.New("").ParseFS(files, dir+"common.txt", dir+string(kind)+".txt")
			if err != nil {
				return nil, fmt.Errorf("mail templates %s/%s: %w", loc, kind, err)
			}
			html, err := htmltemplate.New("").ParseFS(files, "templates/layout.html", dir+"common.html", dir+string(kind)+".html")
			if err != nil {
				return nil, fmt.Errorf("mail templates %s/%s: %w", loc, kind, err)
			}
			r.sets[key{kind, loc}] = set{text: text, html: html}
		}
	}
	return r, nil
}

// view is what the templates see.
type view struct {
	Lang     string
	Nickname string
	Title    string // the letter's or the routine's
	Name     string // the special date's
	Copula   string // Korean 이에요/예요 after Name
	Link     string
	Subject  string
}

// Render writes the mail for req to the contact, in their locale (Korean
// unless they chose English).
func (r *Renderer) Render(req notify.Request, to notify.Contact) (notify.Message, error) {
	loc := "ko"
	if to.Locale == "en" {
		loc = "en"
	}
	s, ok := r.sets[key{req.Kind, loc}]
	if !ok {
		return notify.Message{}, fmt.Errorf("no templates for %s/%s", loc, req.Kind)
	}
	v := view{Lang: loc, Nickname: oneLine(to.Nickname, 50), Link: r.base + "/write"}
	switch req.Kind {
	case notify.LetterOpened:
		v.Title = fallback(oneLine(req.Data.Title, 200), loc, "제목 없는 편지", "Untitled letter")
		if req.Data.Title == "" {
			v.Title = writtenOn(req.Data.WrittenAt, to.Timezone, loc, v.Title)
		}
		v.Link = r.base + "/letters"
		if req.Data.LetterID != "" {
			v.Link += "/" + url.PathEscape(req.Data.LetterID)
		}
	case notify.RoutineReminder:
		v.Title = fallback(oneLine(req.Data.Title, 100), loc, "편지 쓰기", "Letter writing")
	case notify.SpecialDate:
		v.Name = fallback(oneLine(req.Data.Name, 100), loc, "특별한 날", "a special day")
		v.Copula = copula(v.Name)
	}

	var b bytes.Buffer
	if err := s.text.ExecuteTemplate(&b, "subject", v); err != nil {
		return notify.Message{}, fmt.Errorf("subject: %w", err)
	}
	v.Subject = oneLine(b.String(), 200)
	b.Reset()
	if err := s.text.ExecuteTemplate(&b, "text", v); err != nil {
		return notify.Message{}, fmt.Errorf("text body: %w", err)
	}
	text := b.String()
	b.Reset()
	if err := s.html.ExecuteTemplate(&b, "layout", v); err != nil {
		return notify.Message{}, fmt.Errorf("html body: %w", err)
	}
	if v.Subject == "" {
		return notify.Message{}, errors.New("empty subject")
	}
	return notify.Message{Subject: v.Subject, Text: text, HTML: b.String()}, nil
}

// oneLine makes user text safe for a header and a single line: control
// characters (line breaks included) become spaces, runs of space collapse,
// and it is cut to max runes with an ellipsis.
func oneLine(s string, max int) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		rs := []rune(s)
		s = strings.TrimSpace(string(rs[:max-1])) + "…"
	}
	return s
}

// writtenOn names a letter by the day it was written, in the reader's zone:
// the mail never carries the letter's own words.
func writtenOn(rfc3339, zone, loc, otherwise string) string {
	at, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return otherwise
	}
	z, err := time.LoadLocation(zone)
	if err != nil || zone == "" {
		z = contact.DefaultLocation()
	}
	at = at.In(z)
	if loc == "en" {
		return "the letter you wrote on " + at.Format("January 2, 2006")
	}
	return fmt.Sprintf("%d년 %d월 %d일에 쓴 편지", at.Year(), int(at.Month()), at.Day())
}

func fallback(s, loc, ko, en string) string {
	if s != "" {
		return s
	}
	if loc == "en" {
		return en
	}
	return ko
}

// copula picks the Korean "it is" ending for a noun: 이에요 after a final
// consonant (생일이에요), 예요 after a vowel (크리스마스예요). Digits are read
// in Sino-Korean; anything else gets the neutral "(이)에요".
func copula(noun string) string {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(noun, " )]}\"'”’」』"))
	switch {
	case r >= 0xAC00 && r <= 0xD7A3:
		if (r-0xAC00)%28 != 0 {
			return "이에요"
		}
		return "예요"
	case r >= '0' && r <= '9':
		// 영 일 이 삼 사 오 육 칠 팔 구: 2, 4, 5, 9 end in a vowel.
		if strings.ContainsRune("2459", r) {
			return "예요"
		}
		return "이에요"
	}
	return "(이)에요"
}
