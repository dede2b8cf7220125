package azure

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// CredentialKind names the way a Config authenticates, in the order they are tried.
type CredentialKind string

// The credential kinds a Config can select.
const (
	CredentialSecret          CredentialKind = "client_secret"
	CredentialCertificate     CredentialKind = "client_cert_path"
	CredentialJWT             CredentialKind = "client_jwt"
	CredentialOIDC            CredentialKind = "oidc_request_url"
	CredentialAzureCLI        CredentialKind = "use_azure_cli_auth"
	CredentialManagedIdentity CredentialKind = "managed_identity"
)

// The cloud names accepted by cloud_environment_name, matched case-insensitively; the azure-arm builder's
// long names are accepted too so templates can be copied.
var cloudAliases = map[string]string{
	"public":                 CloudPublic,
	"azurepubliccloud":       CloudPublic,
	"azurecloud":             CloudPublic,
	"china":                  CloudChina,
	"azurechinacloud":        CloudChina,
	"usgovernment":           CloudUSGovernment,
	"azureusgovernmentcloud": CloudUSGovernment,
	"azureusgovernment":      CloudUSGovernment,
}

// Canonical cloud names.
const (
	CloudPublic       = "Public"
	CloudChina        = "China"
	CloudUSGovernment = "USGovernment"
)

// Prepare fills unset fields from the ARM_* and AZURE_* environment variables and validates the result.
// It makes no network calls, so `packer validate` can report every error at once. Each error names the
// field and says how to fix it.
func (c *Config) Prepare() []error {
	c.applyEnv(os.Getenv)
	return c.validate(time.Now())
}

// applyEnv fills empty fields from the environment. Credential variables are only used when the
// template sets no credential itself, so a CI runner's ambient variables never conflict with a
// credential the user wrote down.
func (c *Config) applyEnv(getenv func(string) string) {
	first := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v
			}
		}
		return ""
	}
	fill := func(dst *string, names ...string) {
		if *dst == "" {
			*dst = first(names...)
		}
	}
	fill(&c.ClientID, "ARM_CLIENT_ID", "AZURE_CLIENT_ID")
	fill(&c.TenantID, "ARM_TENANT_ID", "AZURE_TENANT_ID")
	fill(&c.SubscriptionID, "ARM_SUBSCRIPTION_ID", "AZURE_SUBSCRIPTION_ID")
	if c.MetadataHost == "" && c.CloudEnvironmentName == "" {
		c.MetadataHost = first("ARM_METADATA_HOST")
	}
	if c.CloudEnvironmentName == "" && c.MetadataHost == "" {
		c.CloudEnvironmentName = first("ARM_ENVIRONMENT")
	}
	if len(c.AuxiliaryTenantIDs) == 0 {
		for _, t := range strings.Split(first("ARM_AUXILIARY_TENANT_IDS"), ",") {
			if t = strings.TrimSpace(t); t != "" {
				c.AuxiliaryTenantIDs = append(c.AuxiliaryTenantIDs, t)
			}
		}
	}
	if len(c.explicitKinds()) > 0 {
		return
	}
	switch {
	case first("ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET") != "":
		c.ClientSecret = first("ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET")
	case first("ARM_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH") != "":
		c.ClientCertPath = first("ARM_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH")
		fill(&c.ClientCertPassword, "ARM_CLIENT_CERTIFICATE_PASSWORD", "AZURE_CLIENT_CERTIFICATE_PASSWORD")
	case first("ARM_OIDC_TOKEN") != "":
		c.ClientJWT = first("ARM_OIDC_TOKEN")
	case first("ARM_OIDC_REQUEST_URL") != "" || first("ARM_OIDC_REQUEST_TOKEN") != "":
		c.OIDCRequestURL = first("ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL")
		c.OIDCRequestToken = first("ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	case strings.EqualFold(first("ARM_USE_CLI"), "true"):
		c.UseAzureCLIAuth = true
	case c.ClientID != "" && first("ACTIONS_ID_TOKEN_REQUEST_URL") != "" && first("ACTIONS_ID_TOKEN_REQUEST_TOKEN") != "":
		// A GitHub Actions job with `id-token: write` and a client ID: federated login is meant.
		c.OIDCRequestURL = first("ACTIONS_ID_TOKEN_REQUEST_URL")
		c.OIDCRequestToken = first("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	}
}

// explicitKinds lists the credential kinds the fields select, so conflicts can be reported.
func (c *Config) explicitKinds() []CredentialKind {
	var kinds []CredentialKind
	if c.ClientSecret != "" {
		kinds = append(kinds, CredentialSecret)
	}
	if c.ClientCertPath != "" {
		kinds = append(kinds, CredentialCertificate)
	}
	if c.ClientJWT != "" {
		kinds = append(kinds, CredentialJWT)
	}
	if c.OIDCRequestURL != "" || c.OIDCRequestToken != "" {
		kinds = append(kinds, CredentialOIDC)
	}
	if c.UseAzureCLIAuth {
		kinds = append(kinds, CredentialAzureCLI)
	}
	return kinds
}

// Credential reports which credential the Config selects. Call it after Prepare.
func (c *Config) Credential() CredentialKind {
	kinds := c.explicitKinds()
	if len(kinds) == 0 {
		return CredentialManagedIdentity
	}
	return kinds[0]
}

func (c *Config) validate(now time.Time) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	kinds := c.explicitKinds()
	if len(kinds) > 1 {
		names := make([]string, len(kinds))
		for i, k := range kinds {
			names[i] = string(k)
		}
		add("%s: only one credential may be set, but %d are; keep one and remove the others (unset the matching ARM_*/AZURE_* variables too)",
			strings.Join(names, ", "), len(kinds))
	}
	needsClientID := c.ClientSecret != "" || c.ClientCertPath != "" || c.ClientJWT != "" || c.OIDCRequestURL != "" || c.OIDCRequestToken != ""
	if needsClientID && c.ClientID == "" {
		add("client_id: must be set with %s; set it to the application (client) ID of the service principal, or ARM_CLIENT_ID", kinds[0])
	}
	// NewSession can find the tenant from the subscription (as azure-arm does), but the adapters'
	// contract is that a service principal names its tenant; keep requiring it until they change.
	if needsClientID && c.TenantID == "" {
		add("tenant_id: must be set with %s; set it to the directory (tenant) ID of the service principal, or ARM_TENANT_ID", kinds[0])
	}
	if c.ClientCertPassword != "" && c.ClientCertPath == "" {
		add("client_cert_password: is set without client_cert_path; set client_cert_path to the certificate file, or remove the password")
	}
	if c.ClientCertPath != "" {
		if st, err := os.Stat(c.ClientCertPath); err != nil {
			add("client_cert_path: cannot read %q: %v; point it at a PEM or .pfx file holding the certificate and its private key", c.ClientCertPath, err)
		} else if st.IsDir() {
			add("client_cert_path: %q is a directory; point it at a PEM or .pfx file", c.ClientCertPath)
		}
	}
	if (c.OIDCRequestURL == "") != (c.OIDCRequestToken == "") {
		missing := "oidc_request_url"
		if c.OIDCRequestToken == "" {
			missing = "oidc_request_token"
		}
		add("%s: oidc_request_url and oidc_request_token go together; set %s too (in GitHub Actions, grant `id-token: write`)", missing, missing)
	}
	if c.OIDCRequestURL != "" && !strings.HasPrefix(strings.ToLower(c.OIDCRequestURL), "https://") && !strings.HasPrefix(strings.ToLower(c.OIDCRequestURL), "http://") {
		add("oidc_request_url: %q is not an http(s) URL; use the value of ACTIONS_ID_TOKEN_REQUEST_URL", c.OIDCRequestURL)
	}
	if c.ClientJWT != "" {
		if err := checkJWT(c.ClientJWT, now); err != nil {
			add("client_jwt: %v", err)
		}
	}
	if c.SubscriptionID == "" {
		add("subscription_id: is required; set it to the subscription ID (a GUID), or set ARM_SUBSCRIPTION_ID")
	} else if strings.ContainsAny(c.SubscriptionID, "/ \t") {
		add("subscription_id: %q is not a subscription ID; use the bare GUID, not a resource path", c.SubscriptionID)
	}
	if c.CloudEnvironmentName != "" {
		if _, ok := CanonicalCloudName(c.CloudEnvironmentName); !ok {
			add("cloud_environment_name: unknown cloud %q; use one of %s, or set metadata_host for a custom cloud", c.CloudEnvironmentName, strings.Join(CloudNames(), ", "))
		}
		if c.MetadataHost != "" {
			add("cloud_environment_name and metadata_host: set only one; metadata_host describes a custom cloud by itself")
		}
	}
	if c.MetadataHost != "" {
		if _, err := metadataURL(c.MetadataHost); err != nil {
			add("metadata_host: %v", err)
		}
	}
	if len(c.AuxiliaryTenantIDs) > 3 {
		add("auxiliary_tenant_ids: %d tenants given; Azure accepts at most 3 auxiliary tenants", len(c.AuxiliaryTenantIDs))
	}
	for i, t := range c.AuxiliaryTenantIDs {
		if strings.TrimSpace(t) == "" || strings.ContainsAny(t, "/ \t,") {
			add("auxiliary_tenant_ids[%d]: %q is not a tenant ID; use the bare directory (tenant) GUID", i, t)
		}
	}
	return errs
}

// CanonicalCloudName maps a cloud_environment_name to Public, China or USGovernment; "" means Public.
func CanonicalCloudName(name string) (string, bool) {
	if strings.TrimSpace(name) == "" {
		return CloudPublic, true
	}
	canon, ok := cloudAliases[strings.ToLower(strings.TrimSpace(name))]
	return canon, ok
}

// CloudNames lists the accepted cloud_environment_name values.
func CloudNames() []string {
	names := []string{CloudPublic, CloudChina, CloudUSGovernment}
	sort.Strings(names)
	return names
}

// checkJWT rejects a client assertion that is not a JWT or that expires within five minutes: the token
// is not verified here (that is the identity provider's job), only read for its expiry.
func checkJWT(token string, now time.Time) error {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return errors.New("is not a JWT (three base64url parts separated by dots); pass the signed client assertion itself")
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return nil
	}
	if exp.Time.Before(now.Add(5 * time.Minute)) {
		return fmt.Errorf("expired or expires within 5 minutes (exp %s); issue a new assertion, or use oidc_request_url to fetch fresh ones", exp.Time.UTC().Format(time.RFC3339))
	}
	return nil
}

// Secrets returns the sensitive values of the Config, to register with Packer's log filter.
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range []string{c.ClientSecret, c.ClientCertPassword, c.ClientJWT, c.OIDCRequestToken} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
