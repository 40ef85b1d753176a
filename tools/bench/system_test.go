package main

import (
	"fmt"
	"net/smtp"
	"testing"

	"github.com/lettertomyself/ltm/tools/internal/world"
)

// The counter reads letter ids from mails as an SMTP server accepted them,
// quoted-printable line breaks and all, and tells duplicates apart.
func TestMailCounterCountsLettersAndDuplicates(t *testing.T) {
	srv, err := world.StartSMTP(0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	a, b, other := "0b7e6a2c-1f7a-4f3e-9d3c-6a1f2e3d4c5b", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "11111111-2222-4333-8444-555555555555"
	send := func(body string) {
		t.Helper()
		msg := "Subject: a letter opened\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + body + "\r\n"
		if err := smtp.SendMail(fmt.Sprintf("127.0.0.1:%d", srv.PortNumber()), nil, "me@example.com", []string{"you@example.com"}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	send("before the letters existed " + a)
	c := newMailCounter(srv, []string{a, b})
	send(`<a href=3D"http://x/letters/` + a[:20] + "=\r\n" + a[20:] + `">open</a>`)
	send("not awaited " + other)
	send("link " + b + " and again " + b)
	send("again " + a)
	c.poll()
	if c.unique != 2 || c.dups != 1 {
		t.Errorf("unique %d, duplicates %d; want 2 and 1", c.unique, c.dups)
	}
}
