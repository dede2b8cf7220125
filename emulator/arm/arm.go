// Package arm is the Azure Resource Manager resource-provider side of the offline Azure emulator:
// resource groups, subscriptions and locations, Compute Gallery resources, managed images, disks,
// snapshots and role assignments, with long-running operations and simulated replication.
//
// It does no authentication, TLS or HTTP-level fault injection: the emulator's root package wraps
// Service with those and mounts it for every ARM path.
package arm

import (
	"net/http"
	"time"
)

// Subscription is one subscription the emulator serves. The first in Options.Subscriptions is the default.
type Subscription struct {
	ID          string `json:"id"`
	TenantID    string `json:"tenantId"`
	DisplayName string `json:"displayName"`
}

// ReplicationModel sets how long simulated replication takes: a version replicates to a region in
// RegionBaseDelay (or RegionDelay[region]) plus SecondsPerGiB per GiB of source, per replica.
type ReplicationModel struct {
	SecondsPerGiB   float64                  `json:"secondsPerGiB"`
	RegionBaseDelay time.Duration            `json:"regionBaseDelay"`
	RegionDelay     map[string]time.Duration `json:"regionDelay,omitempty"`
}

// Quotas are per subscription and per region, as Azure's Compute Gallery limits are.
type Quotas struct {
	GalleriesPerRegion   int `json:"galleriesPerRegion"`
	DefinitionsPerRegion int `json:"definitionsPerRegion"`
	VersionsPerRegion    int `json:"versionsPerRegion"`
}

// ReplicationFailure makes replication of versions created or updated afterwards fail in Region with
// Details. Count limits how many versions it hits (0 = unlimited); Probability (0 = always) makes it random.
type ReplicationFailure struct {
	Region      string  `json:"region"`
	Details     string  `json:"details"`
	Count       int     `json:"count"`
	Probability float64 `json:"probability"`
}

// Options configure a Service. Zero values get test-friendly defaults (see New).
type Options struct {
	// DataDir, when set, is where state persists as JSON files (atomic temp+rename). "" = memory only.
	DataDir string
	// Subscriptions served; the first is the default.
	Subscriptions []Subscription
	// Regions are canonical region names, e.g. "eastus".
	Regions []string
	// Replication is the simulated replication speed.
	Replication ReplicationModel
	// OperationDelay is how long non-replicating LROs (gallery, definition, image, disk) stay InProgress.
	OperationDelay time.Duration
	// Quotas per subscription per region.
	Quotas Quotas
	// BlobEndpoint is Azurite's blob endpoint, e.g. http://127.0.0.1:10000/devstoreaccount1.
	// "" = disk upload is unsupported and says so.
	BlobEndpoint string
	// PageSize is how many items one list page holds before a nextLink.
	PageSize int
	// Clock returns the current time; tests inject one.
	Clock func() time.Time
}

// Service serves every ARM path the emulator supports. It is safe for concurrent use.
type Service struct {
	opts Options
}

// New builds a Service and loads state persisted in opts.DataDir.
func New(opts Options) (*Service, error) {
	return &Service{opts: opts}, nil
}

// ServeHTTP serves one ARM request. Ids and links use the request's Host and TLS state.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not implemented", http.StatusNotImplemented)
}

// AddReplicationFailure installs a replication failure rule for versions created or updated afterwards.
func (s *Service) AddReplicationFailure(f ReplicationFailure) {}

// Inventory is a stable, sorted JSON dump of every resource, for tests comparing before and after.
func (s *Service) Inventory() ([]byte, error) { return []byte("{}"), nil }

// Reset drops all state, in memory and on disk.
func (s *Service) Reset() error { return nil }

// SupportedAPIVersions maps "Provider/resourceType" to the api-versions served, for docs.
func (s *Service) SupportedAPIVersions() map[string][]string { return nil }

// Close releases resources; in-flight operations stay persisted.
func (s *Service) Close() error { return nil }
