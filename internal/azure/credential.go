package azure

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// oidcAudience is the audience Entra ID expects on federated tokens.
const oidcAudience = "api://AzureADTokenExchange"

// newCredential builds the azidentity credential the Config selects. Custom clouds disable instance
// discovery, which would otherwise ask the public cloud's authority about an unknown host.
func newCredential(c *Config, co policy.ClientOptions, customCloud bool, t policy.Transporter) (azcore.TokenCredential, error) {
	switch c.Credential() {
	case CredentialSecret:
		cred, err := azidentity.NewClientSecretCredential(c.TenantID, c.ClientID, c.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: customCloud, AdditionallyAllowedTenants: c.AuxiliaryTenantIDs})
		return cred, wrapCredErr("client_secret", err)
	case CredentialCertificate:
		data, err := os.ReadFile(c.ClientCertPath)
		if err != nil {
			return nil, fmt.Errorf("client_cert_path: %w", err)
		}
		certs, key, err := azidentity.ParseCertificates(data, []byte(c.ClientCertPassword))
		if err != nil {
			return nil, fmt.Errorf("client_cert_path: cannot read a certificate and private key from %q: %w; give a PEM or .pfx file with both, and client_cert_password if it is encrypted", c.ClientCertPath, err)
		}
		cred, err := azidentity.NewClientCertificateCredential(c.TenantID, c.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: customCloud, SendCertificateChain: true, AdditionallyAllowedTenants: c.AuxiliaryTenantIDs})
		return cred, wrapCredErr("client_cert_path", err)
	case CredentialJWT:
		jwt := c.ClientJWT
		cred, err := azidentity.NewClientAssertionCredential(c.TenantID, c.ClientID,
			func(context.Context) (string, error) { return jwt, nil },
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: customCloud, AdditionallyAllowedTenants: c.AuxiliaryTenantIDs})
		return cred, wrapCredErr("client_jwt", err)
	case CredentialOIDC:
		fetch := oidcFetcher(c.OIDCRequestURL, c.OIDCRequestToken, t)
		cred, err := azidentity.NewClientAssertionCredential(c.TenantID, c.ClientID, fetch,
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: customCloud, AdditionallyAllowedTenants: c.AuxiliaryTenantIDs})
		return cred, wrapCredErr("oidc_request_url", err)
	case CredentialAzureCLI:
		cred, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: c.TenantID, AdditionallyAllowedTenants: c.AuxiliaryTenantIDs})
		return cred, wrapCredErr("use_azure_cli_auth", err)
	default:
		opts := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: co}
		if c.ClientID != "" {
			opts.ID = azidentity.ClientID(c.ClientID)
		}
		cred, err := azidentity.NewManagedIdentityCredential(opts)
		return cred, wrapCredErr("managed identity (no credential set)", err)
	}
}

func wrapCredErr(field string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: cannot build the credential: %w", field, err)
}

// oidcFetcher returns a callback that asks GitHub Actions' token service for a fresh federated token
// on every call: its tokens live minutes, while a build can last hours.
func oidcFetcher(requestURL, requestToken string, t policy.Transporter) func(context.Context) (string, error) {
	if t == nil {
		t = http.DefaultClient
	}
	return func(ctx context.Context) (string, error) {
		u, err := url.Parse(requestURL)
		if err != nil {
			return "", fmt.Errorf("oidc_request_url: %w", err)
		}
		q := u.Query()
		q.Set("audience", oidcAudience)
		u.RawQuery = q.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return "", fmt.Errorf("oidc_request_url: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+requestToken)
		req.Header.Set("Accept", "application/json")
		resp, err := t.Do(req)
		if err != nil {
			return "", fmt.Errorf("oidc_request_url: requesting a federated token: %w", err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return "", fmt.Errorf("oidc_request_url: reading the federated token: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("oidc_request_url: the token service answered HTTP %d (%s); check oidc_request_token and that the job has `id-token: write`", resp.StatusCode, strings.TrimSpace(string(body)))
		}
		var v struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(body, &v); err != nil || v.Value == "" {
			return "", fmt.Errorf("oidc_request_url: the token service's answer has no \"value\"; is this GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL?")
		}
		return v.Value, nil
	}
}
