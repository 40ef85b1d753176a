package world

import (
	"fmt"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	smtpmock "github.com/mocktools/go-smtp-mock/v2"
)

// The edge of the world: a mail provider and Google Cloud Storage. Both are
// in-process servers speaking the real protocols (SMTP; the GCS JSON API).

// StartSMTP starts a mail server on port (0: any free port) that keeps
// every message it accepts.
func StartSMTP(port int) (*smtpmock.Server, error) {
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

// GCSBucket is the bucket the gcp.bucket component names.
const GCSBucket = "ltm-images"

// StartGCS starts a GCS JSON API on port with GCSBucket in it.
func StartGCS(port int) (*fakestorage.Server, error) {
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		Scheme:     "http",
		Host:       "127.0.0.1",
		Port:       uint16(port),
		PublicHost: fmt.Sprintf("127.0.0.1:%d", port),
	})
	if err != nil {
		return nil, fmt.Errorf("fake gcs: %w", err)
	}
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: GCSBucket})
	return srv, nil
}
