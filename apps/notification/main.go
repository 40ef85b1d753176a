// Command notification-service renders and sends mail through the smtp binding, exactly once, and keeps the history.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/config"
	"github.com/lettertomyself/ltm/apps/platform/contact"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/notification/internal/events"
	"github.com/lettertomyself/ltm/apps/notification/internal/httpapi"
	"github.com/lettertomyself/ltm/apps/notification/internal/mail"
	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
	"github.com/lettertomyself/ltm/apps/notification/internal/postgres"
	"github.com/lettertomyself/ltm/apps/notification/internal/users"
)

// Config is everything notification-service reads from its environment.
type Config struct {
	config.Base
	config.Database
	Mail
}

// Mail is notification-service's own configuration.
type Mail struct {
	// MailBindings are the identical bindings.smtp components mail goes
	// through, each carrying one send at a time (mail.Binding says why):
	// how many there are is how many mails this process sends at once.
	MailBindings []string `env:"MAIL_BINDINGS" envDefault:"mail,mail-2,mail-3,mail-4"`
	// PublicBaseURL is where the web client lives; mail links point there.
	PublicBaseURL string `env:"PUBLIC_BASE_URL" envDefault:"http://127.0.0.1:8080"`
	// MaxAttempts is the number of SMTP attempts before the history says
	// failed. 21 = the mailEventRetry policy's maxRetries (20) + the first
	// delivery (components/resiliency.yaml); keep the two in step.
	MaxAttempts int `env:"MAX_ATTEMPTS" envDefault:"21"`
	// ClaimLease keeps a second delivery of the same id away while one is
	// sending. It must outlast SendTimeout plus one SMTP conversation the
	// sidecar may finish after we stopped waiting (mailSend: 30s).
	ClaimLease time.Duration `env:"CLAIM_LEASE" envDefault:"2m"`
	// SendTimeout bounds one call to the smtp binding, the sidecar's own
	// retries included; it stays below the eventDelivery timeout (60s).
	SendTimeout time.Duration `env:"SEND_TIMEOUT" envDefault:"40s"`
}

func (c Mail) validate() error {
	var errs []error
	if len(c.MailBindings) == 0 || slices.Contains(c.MailBindings, "") {
		errs = append(errs, fmt.Errorf("MAIL_BINDINGS must name one or more binding components, got %q", c.MailBindings))
	}
	if c.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("MAX_ATTEMPTS must be at least 1, got %d", c.MaxAttempts))
	}
	if c.SendTimeout <= 0 {
		errs = append(errs, errors.New("SEND_TIMEOUT must be positive"))
	}
	if c.ClaimLease <= c.SendTimeout {
		errs = append(errs, fmt.Errorf("CLAIM_LEASE (%s) must be longer than SEND_TIMEOUT (%s)", c.ClaimLease, c.SendTimeout))
	}
	return errors.Join(errs...)
}

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "notification-service:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load[Config](getenv)
	if err != nil {
		return err
	}
	return service.Run(ctx, cfg.Base, spec(cfg, nil), stdout)
}

// spec is notification-service as main runs it and as its tests build it.
// sender, when set, replaces the smtp binding (the edge of the world).
func spec(cfg Config, sender notify.Sender) service.Spec {
	return service.Spec{
		Name:       "notification-service",
		Database:   &cfg.Database,
		Migrations: postgres.Migrations(),
		Setup: func(d service.Deps) ([]service.Worker, error) {
			// Configuration is checked before anything else is touched.
			if err := cfg.Mail.validate(); err != nil {
				return nil, err
			}
			renderer, err := mail.NewRenderer(cfg.PublicBaseURL)
			if err != nil {
				return nil, err
			}
			if sender == nil {
				sender = mail.NewBinding(d.Dapr, cfg.MailBindings...)
			}
			store := postgres.New(d.DB)
			svc := notify.NewService(store, users.New(contact.New(d.Dapr.Get, d.Log)), renderer, sender, d.Clock, d.Log, notify.Policy{
				MaxAttempts: cfg.MaxAttempts, Lease: cfg.ClaimLease, SendTimeout: cfg.SendTimeout,
			})
			events.New(svc, store, d.Log).Subscribe(d.Subs)
			return nil, httpapi.Routes(d, httpapi.App{History: store})
		},
	}
}
