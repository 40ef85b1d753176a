// Package httpapi is notification-service's HTTP surface. Setup lists every
// route and subscription it serves; the platform adds /healthz, /readyz and
// /dapr/subscribe.
package httpapi

import (
	"errors"
	"fmt"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/service"

	"github.com/lettertomyself/ltm/apps/notification/internal/events"
	"github.com/lettertomyself/ltm/apps/notification/internal/mail"
	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
	"github.com/lettertomyself/ltm/apps/notification/internal/postgres"
	"github.com/lettertomyself/ltm/apps/notification/internal/users"
)

// Config is notification-service's own configuration.
type Config struct {
	// MailBinding is the bindings.smtp component mail goes through.
	MailBinding string `env:"MAIL_BINDING" envDefault:"mail"`
	// PublicBaseURL is where the web client lives; mail links point there.
	PublicBaseURL string `env:"PUBLIC_BASE_URL" envDefault:"http://127.0.0.1:8080"`
	// MaxAttempts is the number of SMTP attempts before the history says
	// failed. 11 = the eventRetry policy's maxRetries (10) + the first
	// delivery (components/resiliency.yaml); keep the two in step.
	MaxAttempts int `env:"MAX_ATTEMPTS" envDefault:"11"`
	// ClaimLease keeps a second delivery of the same id away while one is
	// sending. It must outlast SendTimeout plus one SMTP conversation the
	// sidecar may finish after we stopped waiting (mailSend: 30s).
	ClaimLease time.Duration `env:"CLAIM_LEASE" envDefault:"2m"`
	// SendTimeout bounds one call to the smtp binding, the sidecar's own
	// retries included; it stays below the eventDelivery timeout (60s).
	SendTimeout time.Duration `env:"SEND_TIMEOUT" envDefault:"40s"`
}

func (c Config) validate() error {
	var errs []error
	if c.MailBinding == "" {
		errs = append(errs, errors.New("MAIL_BINDING must not be empty"))
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

// Options replace edges of the world in tests; zero values mean the real
// thing.
type Options struct {
	Clock clock.Clock
	// Sender replaces the smtp binding.
	Sender notify.Sender
}

// Setup returns notification-service's wiring.
func Setup(cfg Config, opts Options) func(service.Deps) ([]service.Worker, error) {
	return func(d service.Deps) ([]service.Worker, error) {
		if err := cfg.validate(); err != nil {
			return nil, err
		}
		renderer, err := mail.NewRenderer(cfg.PublicBaseURL)
		if err != nil {
			return nil, err
		}
		if d.DB == nil {
			return nil, errors.New("notification-service needs its database")
		}
		clk := opts.Clock
		if clk == nil {
			clk = clock.System{}
		}
		sender := opts.Sender
		if sender == nil {
			sender = mail.NewBinding(d.Dapr, cfg.MailBinding)
		}
		store := postgres.New(d.DB)
		svc := notify.NewService(store, users.New(d.Dapr.Get), renderer, sender, clk, d.Log, notify.Policy{
			MaxAttempts: cfg.MaxAttempts, Lease: cfg.ClaimLease, SendTimeout: cfg.SendTimeout,
		})
		ev := events.New(svc, store, d.Log)
		api := &handlers{store: store, log: d.Log}

		// Pub/sub (POST /events/<topic>, from the sidecar only).
		d.Subs.Handle(events.TopicRequested, ev.Requested)     // from scheduler-service
		d.Subs.Handle(events.TopicUserDeleted, ev.UserDeleted) // from auth-service

		// Public, through the gateway, with an access token.
		d.Router.GET("/api/notifications", d.Auth.Require(), api.list) // GET /api/notifications — the caller's mail history

		return nil, nil
	}
}
