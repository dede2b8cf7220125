// Package identity is the Entra ID and metadata side of the offline Azure emulator: the CA and server
// certificate it serves TLS with, the token-signing key, the cloud metadata endpoint, OpenID and instance
// discovery, the OAuth 2.0 token endpoint (client secret, certificate assertion and workload-identity
// federation), and the bearer-token check that guards every ARM path.
//
// Everything it generates is persisted in the data directory, so tokens and trust survive a restart.
package identity

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// DefaultAudience is the resource manager audience. It does not contain the listening port, so a token
// stays valid when the emulator restarts on another port, as an Azure token survives a new connection.
const DefaultAudience = "https://management.azure-gallery-emulator.local/"

// TokenIssuerHost is the host of the `iss` claim of access tokens, in the shape of Entra's v1 issuer
// (https://sts.windows.net/{tenant}/). Port-free for the same reason as DefaultAudience.
const TokenIssuerHost = "sts.azure-gallery-emulator.local"

// DefaultFederatedAudience is the audience a federated credential accepts when it lists none.
const DefaultFederatedAudience = "api://AzureADTokenExchange"

// DefaultTokenLifetime matches Entra's usual access token lifetime.
const DefaultTokenLifetime = time.Hour

// Client is an app registration (service principal) that may request tokens.
type Client struct {
	ID       string
	Secret   string // "" = no secret; then only assertions work
	TenantID string // home tenant
	ObjectID string // the service principal's object id, the `oid` claim
	// Tenants are further tenants the app is consented in (multi-tenant apps).
	Tenants []string
	// Certificates are PEM certificates whose keys may sign client assertions.
	Certificates []*x509.Certificate
	// FederatedCredentials are trusted external issuers (workload-identity federation).
	FederatedCredentials []FederatedCredential
}

// FederatedCredential trusts tokens of an external OIDC issuer for one subject, as an Entra federated
// identity credential does. Matching is case-sensitive, as Entra's is.
type FederatedCredential struct {
	Issuer    string
	Subject   string
	Audiences []string // empty = DefaultFederatedAudience
}

// Config configures a Service.
type Config struct {
	// DataDir holds the CA, the server certificate and the token-signing key.
	DataDir string
	// Tenants served; the first is the default tenant.
	Tenants []string
	// SubscriptionTenants maps a subscription id (lower case) to its tenant, for cross-tenant checks.
	SubscriptionTenants map[string]string
	Clients             []Client
	// Audience of resource manager tokens; "" = DefaultAudience.
	Audience string
	// TokenLifetime of issued access tokens; 0 = DefaultTokenLifetime.
	TokenLifetime time.Duration
	// IssuerHTTPClient fetches federated issuers' discovery documents and keys; nil = one that trusts
	// the system roots and the emulator's own CA.
	IssuerHTTPClient *http.Client
	// Clock returns now; nil = time.Now.
	Clock func() time.Time
}

// Service serves the identity endpoints and verifies bearer tokens. It is safe for concurrent use.
type Service struct {
	cfg     Config
	pki     *pki
	clients map[string]*Client // by lower-case client id
	tenants map[string]bool    // lower-case tenant ids
	issuers *http.Client

	mu       sync.Mutex
	lifetime time.Duration
}

// New loads (or on first start generates) the trust material in cfg.DataDir and builds the service.
func New(cfg Config) (*Service, error) {
	if cfg.DataDir == "" {
		return nil, fmt.Errorf("identity: DataDir is required")
	}
	if len(cfg.Tenants) == 0 {
		return nil, fmt.Errorf("identity: at least one tenant is required")
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = DefaultTokenLifetime
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	p, err := loadOrCreatePKI(cfg.DataDir, cfg.Clock())
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	s := &Service{cfg: cfg, pki: p, clients: map[string]*Client{}, tenants: map[string]bool{}, lifetime: cfg.TokenLifetime}
	for _, t := range cfg.Tenants {
		s.tenants[strings.ToLower(t)] = true
	}
	for i := range cfg.Clients {
		c := &cfg.Clients[i]
		if c.ID == "" || c.TenantID == "" {
			return nil, fmt.Errorf("identity: client %d needs an id and a tenant id", i)
		}
		s.clients[strings.ToLower(c.ID)] = c
	}
	s.issuers = cfg.IssuerHTTPClient
	if s.issuers == nil {
		s.issuers = s.defaultIssuerClient()
	}
	return s, nil
}

// CAFile is the path of the PEM CA certificate that clients must trust.
func (s *Service) CAFile() string { return s.pki.caFile }

// CACertificate is the emulator's CA.
func (s *Service) CACertificate() *x509.Certificate { return s.pki.caCert }

// CAPEM is the CA certificate in PEM form.
func (s *Service) CAPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.pki.caCert.Raw})
}

// Audience is the resource manager audience tokens are issued for.
func (s *Service) Audience() string { return s.cfg.Audience }

// DefaultTenant is the first configured tenant.
func (s *Service) DefaultTenant() string { return s.cfg.Tenants[0] }

// SetTokenLifetime changes the lifetime of tokens issued from now on; d <= 0 restores the configured one.
func (s *Service) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		d = s.cfg.TokenLifetime
	}
	s.lifetime = d
}

// TokenLifetime is the lifetime of tokens issued now.
func (s *Service) TokenLifetime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lifetime
}

func (s *Service) now() time.Time { return s.cfg.Clock() }

// ParseCertificatesPEM reads every CERTIFICATE block of PEM text, or of the file it names.
func ParseCertificatesPEM(textOrPath string) ([]*x509.Certificate, error) {
	data := []byte(textOrPath)
	if !strings.Contains(textOrPath, "-----BEGIN") {
		b, err := os.ReadFile(textOrPath)
		if err != nil {
			return nil, err
		}
		data = b
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("no PEM certificate found")
	}
	return certs, nil
}

// ServerCertificate is the TLS certificate for 127.0.0.1, ::1 and localhost, signed by the CA.
func (s *Service) ServerCertificate() tls.Certificate { return s.pki.serverCert }
