package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/arm"
)

// Options configure a Server. Everything but DataDir may come from the JSON file given by --config
// (LoadOptions); zero values get defaults (see docs/emulator.md and applyDefaults).
type Options struct {
	// DataDir holds the CA, keys, generated credentials and ARM state. Required.
	DataDir string `json:"-"`
	// BlobEndpoint is the Azurite blob endpoint disk uploads go to (--blob-endpoint).
	BlobEndpoint string `json:"blob_endpoint,omitempty"`

	// Tenants served; the first is the default. Default: the tenants named by subscriptions and clients,
	// or one generated tenant.
	Tenants []string `json:"tenants,omitempty"`
	// Subscriptions served; the first is the default. Default: one generated subscription.
	Subscriptions []SubscriptionConfig `json:"subscriptions,omitempty"`
	// Clients (app registrations) that may get tokens. Default: one with a generated secret.
	Clients []ClientConfig `json:"clients,omitempty"`

	// Regions are the locations served (canonical names such as "eastus").
	Regions []string `json:"regions,omitempty"`
	// Replication is the simulated replication speed.
	Replication ReplicationConfig `json:"replication"`
	// OperationDelay is how long LROs that do not replicate stay InProgress.
	OperationDelay Duration `json:"operation_delay,omitempty"`
	// Quotas per subscription and region.
	Quotas QuotaConfig `json:"quotas"`
	// TokenLifetime of issued access tokens. Default 1h.
	TokenLifetime Duration `json:"token_lifetime,omitempty"`
	// PageSize is how many items a list page holds before nextLink.
	PageSize int `json:"page_size,omitempty"`
	// RequestLogSize bounds the request log ring. Default 10000.
	RequestLogSize int `json:"request_log_size,omitempty"`
	// Throttling is Compute's throttling model (throttle.go); on by default with budgets tests never meet.
	Throttling ThrottleConfig `json:"throttling"`
	// DeleteLag is how long after a version's (definition's) delete finished its definition (gallery)
	// still refuses deletion with CannotDeleteResource. In-process default 0; the azure-gallery-emulator
	// binary defaults to DefaultDeleteLag when the config does not set it.
	DeleteLag Duration `json:"delete_lag,omitempty"`
	// InFlightPutConflict makes a PUT over a gallery image version still being created answer 409
	// Conflict instead of treating it as an update (issue 15).
	InFlightPutConflict bool `json:"in_flight_put_conflict,omitempty"`

	// Clock returns now; tests inject one. nil = time.Now.
	Clock func() time.Time `json:"-"`
	// Log receives one line per request and lifecycle messages. nil = discard.
	Log io.Writer `json:"-"`
}

// SubscriptionConfig is one subscription and the tenant it belongs to.
type SubscriptionConfig struct {
	ID          string `json:"id"`
	TenantID    string `json:"tenant_id,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
}

// ClientConfig is one app registration (service principal).
type ClientConfig struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"`
	TenantID     string `json:"tenant_id,omitempty"`
	ObjectID     string `json:"object_id,omitempty"`
	// Tenants are further tenants a multi-tenant app is consented in.
	Tenants []string `json:"tenants,omitempty"`
	// Certificates are PEM certificates (inline text or file paths) whose keys may sign client assertions.
	Certificates []string `json:"certificates,omitempty"`
	// FederatedCredentials trust external OIDC issuers (workload-identity federation).
	FederatedCredentials []FederatedCredentialConfig `json:"federated_credentials,omitempty"`
}

// FederatedCredentialConfig is one federated identity credential of a client.
type FederatedCredentialConfig struct {
	Issuer    string   `json:"issuer"`
	Subject   string   `json:"subject"`
	Audiences []string `json:"audiences,omitempty"` // default ["api://AzureADTokenExchange"]
}

// ReplicationConfig sets simulated replication: base delay per region plus seconds per GiB per replica.
type ReplicationConfig struct {
	SecondsPerGiB   float64             `json:"seconds_per_gib,omitempty"`
	RegionBaseDelay Duration            `json:"region_base_delay,omitempty"`
	RegionDelays    map[string]Duration `json:"region_delays,omitempty"`
	// Profile is the progress profile of every region: linear (default), slow_start, cubic, s_curve, stall.
	Profile string `json:"profile,omitempty"`
	// RegionProfiles overrides Profile per region.
	RegionProfiles map[string]string `json:"region_profiles,omitempty"`
}

// DefaultDeleteLag is the shipped binary's delete lag (GalleryRP's is 10-20 s).
const DefaultDeleteLag = 10 * time.Second

func checkProfile(p string) error {
	if !arm.ValidProfile(p) {
		return fmt.Errorf("replication profile %q: use one of %s", p, strings.Join(arm.Profiles, ", "))
	}
	return nil
}

// QuotaConfig are the per-subscription-per-region Compute Gallery limits.
type QuotaConfig struct {
	GalleriesPerRegion   int `json:"galleries_per_region,omitempty"`
	DefinitionsPerRegion int `json:"definitions_per_region,omitempty"`
	VersionsPerRegion    int `json:"versions_per_region,omitempty"`
}

// Duration is a time.Duration written in JSON as a Go duration string ("1.5s", "2m") or a number of seconds.
type Duration time.Duration

// UnmarshalJSON accepts "1.5s" or 1.5 (seconds).
func (d *Duration) UnmarshalJSON(b []byte) error {
	if s, err := strconv.Unquote(string(b)); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("duration %q: %w (write it like \"1.5s\" or \"2m\")", s, err)
		}
		*d = Duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("duration %s: want a string like \"1.5s\" or a number of seconds", b)
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}

// MarshalJSON writes the Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// LoadOptions reads a --config JSON file. Unknown keys are an error naming the key, so a typo is not
// silently ignored.
func LoadOptions(path string) (Options, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Options{}, fmt.Errorf("reading config: %w", err)
	}
	return ParseOptions(data)
}

// ParseOptions decodes config JSON (see LoadOptions).
func ParseOptions(data []byte) (Options, error) {
	var o Options
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return Options{}, fmt.Errorf("config: %w", err)
	}
	return o, o.validate()
}

func (o Options) validate() error {
	var errs []string
	for i, s := range o.Subscriptions {
		if s.ID == "" {
			errs = append(errs, fmt.Sprintf("subscriptions[%d].id is empty: give the subscription id (a GUID)", i))
		}
	}
	for i, c := range o.Clients {
		if c.ClientID == "" {
			errs = append(errs, fmt.Sprintf("clients[%d].client_id is empty: give the app's client id (a GUID)", i))
		}
		for j, fc := range c.FederatedCredentials {
			if fc.Issuer == "" || fc.Subject == "" {
				errs = append(errs, fmt.Sprintf("clients[%d].federated_credentials[%d] needs both issuer and subject", i, j))
			}
		}
	}
	if o.PageSize < 0 {
		errs = append(errs, "page_size must be positive")
	}
	if o.Replication.SecondsPerGiB < 0 {
		errs = append(errs, "replication.seconds_per_gib must not be negative")
	}
	if err := checkProfile(o.Replication.Profile); err != nil {
		errs = append(errs, "replication.profile: "+err.Error())
	}
	for region, p := range o.Replication.RegionProfiles {
		if err := checkProfile(p); err != nil {
			errs = append(errs, "replication.region_profiles."+region+": "+err.Error())
		}
	}
	for name, n := range o.Throttling.Budgets {
		if err := checkBudget(name, n); err != nil {
			errs = append(errs, "throttling.budgets."+name+": "+err.Error())
		}
	}
	if o.DeleteLag < 0 {
		errs = append(errs, "delete_lag must not be negative")
	}
	if len(errs) > 0 {
		return fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return nil
}
