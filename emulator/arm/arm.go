// Package arm is the Azure Resource Manager resource-provider side of the offline Azure emulator:
// resource groups, subscriptions and locations, Compute Gallery resources, managed images, disks,
// snapshots and role assignments, with long-running operations and simulated replication.
//
// It does no authentication, TLS or HTTP-level fault injection: the emulator's root package wraps
// Service with those and mounts it for every ARM path.
package arm

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
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
	// Profile is the progress profile of every region ("" = linear; see profiles.go); RegionProfile
	// overrides it per region.
	Profile       string            `json:"profile,omitempty"`
	RegionProfile map[string]string `json:"regionProfile,omitempty"`
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
	// DeleteLag is how long after a gallery image version's (definition's) delete has finished its
	// definition (gallery) still refuses to be deleted with CannotDeleteResource, as GalleryRP does for
	// 10-20 s. 0 = none.
	DeleteLag time.Duration
	// Replication profiles, failures and the conflict on a PUT over a version being created are in
	// ReplicationModel and AddReplicationProfile; see profiles.go.
	// InFlightPutConflict makes a PUT over a gallery image version that is still being created answer
	// 409 Conflict, as Azure sometimes does, instead of treating it as an update.
	InFlightPutConflict bool
	// PageSize is how many items one list page holds before a nextLink.
	PageSize int
	// Clock returns the current time; tests inject one.
	Clock func() time.Time
}

// Service serves every ARM path the emulator supports. It is safe for concurrent use: one mutex
// serializes requests, which keeps every validation-then-mutation step atomic.
type Service struct {
	opts  Options
	mu    sync.Mutex
	st    *state
	blob  *blobStore
	kinds []*kindDef
	// dirty is what changed since the last save; pers is the open journal (journal.go).
	dirty dirtySet
	pers  persistence
}

// New builds a Service and loads state persisted in opts.DataDir.
func New(opts Options) (*Service, error) {
	opts = withDefaults(opts)
	s := &Service{opts: opts, kinds: allKinds()}
	if opts.BlobEndpoint != "" {
		b, err := newBlobStore(opts.BlobEndpoint)
		if err != nil {
			return nil, err
		}
		s.blob = b
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

func withDefaults(o Options) Options {
	if len(o.Subscriptions) == 0 {
		o.Subscriptions = []Subscription{{ID: "00000000-0000-0000-0000-000000000001", TenantID: "00000000-0000-0000-0000-0000000000aa", DisplayName: "Emulated subscription"}}
	}
	// Copy so normalizing never writes into the caller's slice.
	o.Regions = append([]string(nil), o.Regions...)
	if len(o.Regions) == 0 {
		o.Regions = append(o.Regions, defaultRegions...)
	}
	for i, r := range o.Regions {
		o.Regions[i] = normalizeRegion(r)
	}
	if len(o.Replication.RegionProfile) > 0 {
		rp := map[string]string{}
		for r, p := range o.Replication.RegionProfile {
			rp[normalizeRegion(r)] = p
		}
		o.Replication.RegionProfile = rp
	}
	if o.Replication.SecondsPerGiB == 0 {
		o.Replication.SecondsPerGiB = 2
	}
	if o.Replication.RegionBaseDelay == 0 {
		o.Replication.RegionBaseDelay = time.Second
	}
	if o.OperationDelay == 0 {
		o.OperationDelay = 200 * time.Millisecond
	}
	if o.Quotas.GalleriesPerRegion == 0 {
		o.Quotas.GalleriesPerRegion = 100
	}
	if o.Quotas.DefinitionsPerRegion == 0 {
		o.Quotas.DefinitionsPerRegion = 1000
	}
	if o.Quotas.VersionsPerRegion == 0 {
		o.Quotas.VersionsPerRegion = 10000
	}
	if o.PageSize <= 0 {
		o.PageSize = 100
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return o
}

func (s *Service) now() time.Time { return s.opts.Clock().UTC() }

// AddReplicationFailure installs a replication failure rule for versions created or updated afterwards.
func (s *Service) AddReplicationFailure(f ReplicationFailure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.Region = normalizeRegion(f.Region)
	s.touchRules()
	s.st.Failures = append(s.st.Failures, f)
	_ = s.save()
}

// Inventory is a stable, sorted JSON dump of every resource, for tests comparing before and after.
// Each entry is the resource as a GET renders it (with provisioningState computed for now).
func (s *Service) Inventory() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := make([]map[string]any, 0, len(s.st.Resources))
	for _, k := range sortedKeys(s.st.Resources) {
		out = append(out, s.render(s.st.Resources[k], "", now, true))
	}
	return json.MarshalIndent(out, "", "  ")
}

// Reset drops all state, in memory and on disk. Azurite blobs of disks are deleted too.
func (s *Service) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.st.Resources {
		if r.Meta.BlobName != "" && s.blob != nil {
			_ = s.blob.delete(r.Meta.BlobName)
		}
	}
	s.closeJournal()
	if s.opts.DataDir != "" {
		for _, f := range []string{stateFile, journalFile} {
			if err := os.Remove(filepath.Join(s.opts.DataDir, f)); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	return s.load()
}

func (s *Service) closeJournal() {
	if s.pers.journal != nil {
		_ = s.pers.journal.Close()
		s.pers.journal = nil
	}
}

// Close compacts the persisted state into its snapshot and closes the journal; state and in-flight
// operations stay persisted for the next New.
func (s *Service) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.DataDir == "" || s.pers.journal == nil {
		return nil
	}
	err := s.compact()
	s.closeJournal()
	return err
}
