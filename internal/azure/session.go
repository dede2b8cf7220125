package azure

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
)

// applicationID is sent in every User-Agent, so Azure-side logs can tell the plugin's requests apart.
const applicationID = "packer-plugin-azure-gallery"

// Session holds what every Azure call needs: the resolved cloud, the credential and the client
// options. Client factories are built once per subscription and reused. It is safe for concurrent use.
type Session struct {
	subscriptionID string
	cloud          cloud.Configuration
	customCloud    bool
	cred           azcore.TokenCredential
	opts           sessionOptions
	// auxTenants get tokens sent in x-ms-authorization-auxiliary (cross-tenant galleries).
	auxTenants []string

	mu        sync.Mutex
	compute   map[string]*armcompute.ClientFactory
	authz     map[string]*armauthorization.ClientFactory
	resources map[string]*armresources.ClientFactory
}

// SessionOption customizes NewSession.
type SessionOption func(*sessionOptions)

type sessionOptions struct {
	transport policy.Transporter
	retry     *policy.RetryOptions
	perCall   []policy.Policy
	// throttle honours long Retry-After values (throttle.go); nil means the real clock.
	throttle *throttlePolicy
}

// WithTransport sends every request (metadata, token and ARM) through t. Tests use it to trust the
// emulator's CA with an ordinary *http.Client; there is deliberately no switch that disables TLS checks.
func WithTransport(t policy.Transporter) SessionOption {
	return func(o *sessionOptions) { o.transport = t }
}

// WithRetry replaces the retry options (tests shorten the delays).
func WithRetry(r policy.RetryOptions) SessionOption {
	return func(o *sessionOptions) { o.retry = &r }
}

// WithPerCallPolicy adds a pipeline policy that runs once per ARM call (before retries).
func WithPerCallPolicy(p policy.Policy) SessionOption {
	return func(o *sessionOptions) { o.perCall = append(o.perCall, p) }
}

// NewSession resolves the cloud (fetching a custom cloud's metadata) and builds the credential the
// Config selects. It does not request a token: the first ARM call does, and its error is classified.
// Call Config.Prepare first.
func NewSession(ctx context.Context, c *Config, options ...SessionOption) (*Session, error) {
	if c == nil {
		return nil, fmt.Errorf("azure: nil Config")
	}
	var o sessionOptions
	for _, opt := range options {
		opt(&o)
	}
	cloudCfg, custom, err := resolveCloud(ctx, c, o.transport)
	if err != nil {
		return nil, err
	}
	s := &Session{
		subscriptionID: c.SubscriptionID,
		cloud:          cloudCfg,
		customCloud:    custom,
		opts:           o,
		auxTenants:     c.AuxiliaryTenantIDs,
		compute:        map[string]*armcompute.ClientFactory{},
		authz:          map[string]*armauthorization.ClientFactory{},
		resources:      map[string]*armresources.ClientFactory{},
	}
	if c.TenantID == "" && needsTenant(c.Credential()) {
		tenant, err := discoverTenant(ctx, cloudCfg, c.SubscriptionID, o.transport)
		if err != nil {
			return nil, fmt.Errorf("tenant_id: not set, and finding the tenant of subscription %s failed: %w; set tenant_id", c.SubscriptionID, err)
		}
		cc := *c
		cc.TenantID = tenant
		c = &cc
	}
	cred, err := newCredential(c, s.azcoreOptions(), custom, o.transport)
	if err != nil {
		return nil, err
	}
	s.cred = cred
	return s, nil
}

// NewSessionWithCredential builds a Session over an existing credential and cloud, for callers (and
// tests) that authenticate some other way.
func NewSessionWithCredential(subscriptionID string, cred azcore.TokenCredential, cloudCfg cloud.Configuration, options ...SessionOption) *Session {
	var o sessionOptions
	for _, opt := range options {
		opt(&o)
	}
	return &Session{
		subscriptionID: subscriptionID, cloud: cloudCfg, customCloud: true, cred: cred, opts: o,
		compute: map[string]*armcompute.ClientFactory{}, authz: map[string]*armauthorization.ClientFactory{},
		resources: map[string]*armresources.ClientFactory{},
	}
}

// azcoreOptions is the one place that builds client options: the cloud, the transport, azcore's retry
// policy (which honors Retry-After up to MaxRetryDelay and retries 408, 429, 500, 502, 503 and 504),
// the throttle policy around it (which honours a longer Retry-After while the run's deadline allows,
// throttle.go), the request counter and telemetry.
func (s *Session) azcoreOptions() policy.ClientOptions {
	retry := policy.RetryOptions{
		MaxRetries:    6,
		TryTimeout:    2 * time.Minute,
		RetryDelay:    2 * time.Second,
		MaxRetryDelay: 60 * time.Second,
	}
	if s.opts.retry != nil {
		retry = *s.opts.retry
	}
	co := policy.ClientOptions{
		Cloud:            s.cloud,
		Retry:            retry,
		Telemetry:        policy.TelemetryOptions{ApplicationID: applicationID},
		PerCallPolicies:  append([]policy.Policy{s.throttlePolicy()}, s.opts.perCall...),
		PerRetryPolicies: []policy.Policy{countPolicy{}},
		Logging:          policy.LogOptions{AllowedHeaders: []string{"x-ms-request-id", "x-ms-correlation-request-id", "Retry-After", "Azure-AsyncOperation", "Location"}},
	}
	if s.opts.transport != nil {
		co.Transport = s.opts.transport
	}
	return co
}

func (s *Session) throttlePolicy() *throttlePolicy {
	if s.opts.throttle != nil {
		return s.opts.throttle
	}
	return newThrottlePolicy()
}

// ClientOptions returns the options every ARM client is built with.
func (s *Session) ClientOptions() *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: s.azcoreOptions(), AuxiliaryTenants: s.auxTenants}
}

// Credential returns the session's credential.
func (s *Session) Credential() azcore.TokenCredential { return s.cred }

// Cloud returns the resolved cloud configuration.
func (s *Session) Cloud() cloud.Configuration { return s.cloud }

// SubscriptionID returns the configured (default) subscription.
func (s *Session) SubscriptionID() string { return s.subscriptionID }

// HTTPClient returns a plain client over the session's transport, for the few non-ARM calls (blob
// uploads through SAS URLs). It never disables TLS verification.
func (s *Session) HTTPClient() policy.Transporter {
	if s.opts.transport != nil {
		return s.opts.transport
	}
	return http.DefaultClient
}

func (s *Session) sub(subscriptionID string) (string, error) {
	if subscriptionID == "" {
		subscriptionID = s.subscriptionID
	}
	if subscriptionID == "" {
		return "", fmt.Errorf("subscription_id: no subscription given; set subscription_id")
	}
	return subscriptionID, nil
}

// Compute returns the armcompute client factory for a subscription ("" = the configured one).
func (s *Session) Compute(subscriptionID string) (*armcompute.ClientFactory, error) {
	sub, err := s.sub(subscriptionID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.compute[sub]; ok {
		return f, nil
	}
	f, err := armcompute.NewClientFactory(sub, s.cred, s.ClientOptions())
	if err != nil {
		return nil, err
	}
	s.compute[sub] = f
	return f, nil
}

// Authorization returns the armauthorization client factory for a subscription ("" = the configured one).
func (s *Session) Authorization(subscriptionID string) (*armauthorization.ClientFactory, error) {
	sub, err := s.sub(subscriptionID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.authz[sub]; ok {
		return f, nil
	}
	f, err := armauthorization.NewClientFactory(sub, s.cred, s.ClientOptions())
	if err != nil {
		return nil, err
	}
	s.authz[sub] = f
	return f, nil
}

// Resources returns the armresources client factory for a subscription ("" = the configured one).
func (s *Session) Resources(subscriptionID string) (*armresources.ClientFactory, error) {
	sub, err := s.sub(subscriptionID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.resources[sub]; ok {
		return f, nil
	}
	f, err := armresources.NewClientFactory(sub, s.cred, s.ClientOptions())
	if err != nil {
		return nil, err
	}
	s.resources[sub] = f
	return f, nil
}

// needsTenant reports whether a credential kind cannot work without a tenant ID.
func needsTenant(k CredentialKind) bool {
	switch k {
	case CredentialSecret, CredentialCertificate, CredentialJWT, CredentialOIDC:
		return true
	}
	return false
}
