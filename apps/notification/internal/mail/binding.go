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

// Binding sends mail through bindings.smtp components. A component sends
// the data as the text/html body and takes the sender from its own
// emailFrom; daprd answers success only after the SMTP server accepted the
// message (a 204 over HTTP; over gRPC, no error).
//
// Each component carries one send at a time: daprd 1.18.1's smtp binding
// merges a request's emailTo and subject into the component's own
// metadata, shared by every call (mergeWithRequestMetadata copies a
// pointer), so two calls at once can swap recipients and one person gets
// another's mail (docs/dapr-findings.md). Sends therefore take a component
// from a pool of identical ones (components/mail.yaml) and give it back;
// the pool's size is how many mails one process sends at once.
//
// The binding carries one body, so the plain-text rendering is not sent;
// HTML mail clients are what the product targets.
type Binding struct {
	invoker Invoker
	free    chan string
}

// NewBinding sends through the binding components names, each used by one
// send at a time.
func NewBinding(inv Invoker, names ...string) *Binding {
	free := make(chan string, len(names))
	for _, n := range names {
		free <- n
	}
	return &Binding{invoker: inv, free: free}
}

// Send hands m to the SMTP server.
func (b *Binding) Send(ctx context.Context, m notify.Mail) error {
	// notify.CheckAddress ran already; this guards the binding's ";" split
	// for any other caller.
	if err := notify.CheckAddress(m.To); err != nil {
		return err
	}
	var name string
	select {
	case name = <-b.free:
	case <-ctx.Done():
		return fmt.Errorf("waiting for a free smtp binding: %w", ctx.Err())
	}
	defer func() { b.free <- name }()
	_, err := b.invoker.InvokeBinding(ctx, name, "create", []byte(m.HTML), map[string]string{
		"emailTo": m.To,
		"subject": m.Subject,
	})
	if err != nil {
		return fmt.Errorf("smtp binding %s: %w", name, err)
	}
	return nil
}
