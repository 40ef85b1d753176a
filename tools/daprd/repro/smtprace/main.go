// Command smtprace shows what concurrent sends through one instance of
// daprd 1.18.1's bindings.smtp component (the components-contrib code daprd
// is built from) do: Invoke merges the request's emailTo and subject into
// the component's own metadata through a pointer (mergeWithRequestMetadata:
// `merged := metadata`), so a send can go out with another send's
// recipient. It runs a small SMTP server of its own, sends -mails mails from
// -workers goroutines, each mail naming its recipient in its body, and counts
// the mails that reached someone else.
//
//	cd tools/daprd && GOWORK=off go run -race ./repro/smtprace -workers 50         # one instance for all workers
//	cd tools/daprd && GOWORK=off go run -race ./repro/smtprace -workers 50 -pool   # one instance per worker
//
// Observed 2026-11-30 (docs/dapr-findings.md), 2 vCPU: with -race (which
// widens the window between the merge and the read of emailTo), 100 of
// 2,000 mails delivered to someone else and a DATA RACE report in
// mergeWithRequestMetadata; -pool: none misdirected, no race report.
// Without -race the window is a few instructions: 0 of 2,000 on an idle
// machine, but the fault suite, on a loaded one through real sidecars,
// saw 1–4 of ~2,000 per run.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/dapr/components-contrib/bindings"
	"github.com/dapr/components-contrib/bindings/smtp"
	"github.com/dapr/components-contrib/metadata"
	"github.com/dapr/kit/logger"
)

func main() {
	workers := flag.Int("workers", 20, "concurrent senders")
	mails := flag.Int("mails", 2000, "mails in all")
	pool := flag.Bool("pool", false, "one binding instance per worker")
	flag.Parse()

	srv, err := newServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	newBinding := func() bindings.OutputBinding {
		b := smtp.NewSMTP(logger.NewLogger("smtprace"))
		err := b.Init(context.Background(), bindings.Metadata{Base: metadata.Base{Properties: map[string]string{
			"host": "127.0.0.1", "port": strconv.Itoa(srv.port), "emailFrom": "from@example.com", "skipTLSVerify": "true",
		}}})
		if err != nil {
			fmt.Fprintln(os.Stderr, "init:", err)
			os.Exit(1)
		}
		return b
	}
	shared := newBinding()
	var wg sync.WaitGroup
	failed := 0
	var mu sync.Mutex
	for w := range *workers {
		b := shared
		if *pool {
			b = newBinding()
		}
		wg.Go(func() {
			for i := w; i < *mails; i += *workers {
				to := fmt.Sprintf("user%d@example.com", i)
				_, err := b.Invoke(context.Background(), &bindings.InvokeRequest{
					Operation: bindings.CreateOperation,
					Data:      []byte("for " + to),
					Metadata:  map[string]string{"emailTo": to, "subject": "mail " + strconv.Itoa(i)},
				})
				if err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	got, wrong := srv.result()
	fmt.Printf("pool=%v: %d mails sent (%d failed), %d received, %d delivered to someone else\n", *pool, *mails-failed, failed, got, wrong)
}

// server is a minimal SMTP server that records each mail's recipient and
// whether its body names that recipient.
type server struct {
	port      int
	mu        sync.Mutex
	got, misd int
}

func newServer() (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{port: l.Addr().(*net.TCPAddr).Port}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.session(c)
		}
	}()
	return s, nil
}

func (s *server) session(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 smtprace")
	var rcpt string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 smtprace")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			rcpt = strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<>")
			say("250 ok")
		case strings.HasPrefix(cmd, "DATA"):
			say("354 go on")
			var body strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				body.WriteString(l)
			}
			s.mu.Lock()
			s.got++
			if !strings.Contains(body.String(), "for "+rcpt) {
				s.misd++
			}
			s.mu.Unlock()
			say("250 ok")
		case strings.HasPrefix(cmd, "QUIT"):
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *server) result() (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got, s.misd
}
