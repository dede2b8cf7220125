package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/identity"
)

// generatedFileName holds the identities generated on first start, so the tenant, subscription and
// client secret stay the same across restarts.
const generatedFileName = "generated-identity.json"

type generatedIdentity struct {
	TenantID       string `json:"tenant_id"`
	SubscriptionID string `json:"subscription_id"`
	ClientID       string `json:"client_id"`
	ClientSecret   string `json:"client_secret"`
	ObjectID       string `json:"object_id"`
}

func loadOrCreateGenerated(dir string) (generatedIdentity, error) {
	path := filepath.Join(dir, generatedFileName)
	var g generatedIdentity
	data, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(data, &g); err != nil {
			return g, fmt.Errorf("%s: %w", path, err)
		}
		return g, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return g, err
	}
	secret := make([]byte, 30)
	if _, err := rand.Read(secret); err != nil {
		return g, err
	}
	g = generatedIdentity{
		TenantID:       uuid.NewString(),
		SubscriptionID: uuid.NewString(),
		ClientID:       uuid.NewString(),
		// Entra secrets are 40 characters with a "~" in them; this one has the same alphabet.
		ClientSecret: "emu8Q~" + base64.RawURLEncoding.EncodeToString(secret)[:34],
		ObjectID:     uuid.NewString(),
	}
	data, _ = json.MarshalIndent(g, "", "  ")
	return g, identity.WriteFileAtomic(path, data, 0o600)
}

// applyDefaults fills what the config left out: generated (and persisted) tenant, subscription and client,
// tenant ids of subscriptions and clients defaulting to the first tenant.
func applyDefaults(o Options, g generatedIdentity) Options {
	if len(o.Tenants) == 0 {
		seen := map[string]bool{}
		add := func(t string) {
			if t != "" && !seen[strings.ToLower(t)] {
				seen[strings.ToLower(t)] = true
				o.Tenants = append(o.Tenants, t)
			}
		}
		for _, s := range o.Subscriptions {
			add(s.TenantID)
		}
		for _, c := range o.Clients {
			add(c.TenantID)
			for _, t := range c.Tenants {
				add(t)
			}
		}
		if len(o.Tenants) == 0 {
			o.Tenants = []string{g.TenantID}
		}
	}
	if len(o.Subscriptions) == 0 {
		o.Subscriptions = []SubscriptionConfig{{ID: g.SubscriptionID}}
	}
	subs := make([]SubscriptionConfig, len(o.Subscriptions))
	for i, s := range o.Subscriptions {
		if s.TenantID == "" {
			s.TenantID = o.Tenants[0]
		}
		if s.DisplayName == "" {
			s.DisplayName = fmt.Sprintf("Emulated subscription %d", i+1)
		}
		subs[i] = s
	}
	o.Subscriptions = subs
	if len(o.Clients) == 0 {
		o.Clients = []ClientConfig{{ClientID: g.ClientID, ClientSecret: g.ClientSecret, TenantID: o.Tenants[0], ObjectID: g.ObjectID}}
	}
	clients := make([]ClientConfig, len(o.Clients))
	for i, c := range o.Clients {
		if c.TenantID == "" {
			c.TenantID = o.Tenants[0]
		}
		clients[i] = c
	}
	o.Clients = clients
	if o.RequestLogSize <= 0 {
		o.RequestLogSize = 10000
	}
	return o
}

// identityConfig translates Options into the identity service's configuration.
func identityConfig(o Options) (identity.Config, error) {
	cfg := identity.Config{
		DataDir:             o.DataDir,
		Tenants:             o.Tenants,
		SubscriptionTenants: map[string]string{},
		TokenLifetime:       o.TokenLifetime.D(),
		Clock:               o.Clock,
	}
	for _, s := range o.Subscriptions {
		cfg.SubscriptionTenants[strings.ToLower(s.ID)] = s.TenantID
	}
	for i, c := range o.Clients {
		ic := identity.Client{ID: c.ClientID, Secret: c.ClientSecret, TenantID: c.TenantID, ObjectID: c.ObjectID, Tenants: c.Tenants}
		for j, pemText := range c.Certificates {
			certs, err := identity.ParseCertificatesPEM(pemText)
			if err != nil {
				return cfg, fmt.Errorf("clients[%d].certificates[%d]: %w", i, j, err)
			}
			ic.Certificates = append(ic.Certificates, certs...)
		}
		for _, fc := range c.FederatedCredentials {
			ic.FederatedCredentials = append(ic.FederatedCredentials, identity.FederatedCredential{
				Issuer: fc.Issuer, Subject: fc.Subject, Audiences: fc.Audiences})
		}
		cfg.Clients = append(cfg.Clients, ic)
	}
	return cfg, nil
}

// D is the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
