package mail

import (
	"context"
	"fmt"

	dapr "github.com/dapr/go-sdk/client"

	"github.com/lettertomyself/ltm/apps/notification/internal/notify"
)

// Invoker calls a Dapr output binding (daprx.Sidecar does).
type Invoker interface {
	InvokeBinding(ctx context.Context, name, operation string, data []byte, meta map[string]string) (*dapr.BindingEvent, error)
}

// Binding sends mail through a bindings.smtp component. The component
// sends the data as the text/html body and takes the sender from its own
// emailFrom; daprd answers success only after the SMTP server accepted the
// message (a 204 over HTTP; over gRPC, no error).
//
// The binding carries one body, so the plain-text rendering is not sent;
// HTML mail clients are what the product targets.
type Binding struct {
	invoker Invoker
	name    string
}

// NewBinding sends through the binding component name.
func NewBinding(inv Invoker, name string) *Binding { return &Binding{invoker: inv, name: name} }

// Send hands m to the SMTP server.
func (b *Binding) Send(ctx context.Context, m notify.Mail) error {
	// notify.CheckAddress ran already; this guards the binding's ";" split
	// for any other caller.
	if err := notify.CheckAddress(m.To); err != nil {
		return err
	}
	_, err := b.invoker.InvokeBinding(ctx, b.name, "create", []byte(m.HTML), map[string]string{
		"emailTo": m.To,
		"subject": m.Subject,
	})
	if err != nil {
		return fmt.Errorf("smtp binding %s: %w", b.name, err)
	}
	return nil
}
