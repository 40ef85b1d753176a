//go:build e2e

package e2e

import (
	"fmt"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	smtpmock "github.com/mocktools/go-smtp-mock/v2"
)

// The edge of the world: a mail provider and Google Cloud Storage. Both are
// in-process servers speaking the real protocols (SMTP; the GCS JSON API).

func startSMTP() (*smtpmock.Server, error) { return startSMTPOn(0) }

// startSMTPOn starts the server on port (0: any free port).
func startSMTPOn(port int) (*smtpmock.Server, error) {
	srv := smtpmock.New(smtpmock.ConfigurationAttr{
		HostAddress:              "127.0.0.1",
		PortNumber:               port,
		MultipleRcptto:           true,
		MultipleMessageReceiving: true,
	})
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("smtp mock: %w", err)
	}
	return srv, nil
}

// gcsBucket is the bucket the gcp.bucket component names.
const gcsBucket = "ltm-images"

func startGCS(port int) (*fakestorage.Server, error) {
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		Scheme:     "http",
		Host:       "127.0.0.1",
		Port:       uint16(port),
		PublicHost: fmt.Sprintf("127.0.0.1:%d", port),
	})
	if err != nil {
		return nil, fmt.Errorf("fake gcs: %w", err)
	}
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: gcsBucket})
	return srv, nil
}
