package importer

import (
	"context"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// sessionConnector builds the clients from the shared auth block through azure.Session.
func sessionConnector(ctx context.Context, c *Config) (*clients, error) {
	s, err := azure.NewSession(ctx, &c.Config)
	if err != nil {
		return nil, err
	}
	return clientsFromSession(s, azure.PollDisk)
}

// clientsFromSession makes the disk and image clients in the session's subscription. Page writes go
// through the session's transport when it has its own (a custom CA, a proxy); otherwise azcore's default
// client, which keeps enough idle connections per host for parallel writes.
func clientsFromSession(s *azure.Session, pollEvery time.Duration) (*clients, error) {
	f, err := s.Compute("")
	if err != nil {
		return nil, err
	}
	var blob policy.Transporter
	if t := s.HTTPClient(); t != policy.Transporter(http.DefaultClient) {
		blob = t
	}
	return &clients{disks: f.NewDisksClient(), images: f.NewImagesClient(), snapshots: f.NewSnapshotsClient(), blobTransport: blob, pollEvery: pollEvery}, nil
}
