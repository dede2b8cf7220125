//go:generate packer-sdc mapstructure-to-hcl2 -type Config
//go:generate packer-sdc struct-markdown

package azure

// Config is the authentication block shared by every component of the plugin. Components embed it with
// `mapstructure:",squash"`, so its field names match the azure-arm builder's and users can copy them.
//
// Credentials are tried in this order: a client secret, a client certificate, a client assertion JWT,
// GitHub Actions OIDC, the Azure CLI, and finally managed identity when nothing is set.
type Config struct {
	// The application (client) ID of the service principal or user-assigned managed identity.
	// Falls back to `ARM_CLIENT_ID`, then `AZURE_CLIENT_ID`.
	ClientID string `mapstructure:"client_id" required:"false"`
	// The service principal's client secret. Requires `client_id` and `tenant_id`.
	// Falls back to `ARM_CLIENT_SECRET`, then `AZURE_CLIENT_SECRET`.
	ClientSecret string `mapstructure:"client_secret" required:"false"`
	// Path to a PEM or PKCS#12 (.pfx) file holding the service principal's certificate and private key.
	// Requires `client_id`. Falls back to `ARM_CLIENT_CERTIFICATE_PATH`, then `AZURE_CLIENT_CERTIFICATE_PATH`.
	ClientCertPath string `mapstructure:"client_cert_path" required:"false"`
	// The password of the certificate in `client_cert_path`, if it has one.
	// Falls back to `ARM_CLIENT_CERTIFICATE_PASSWORD`, then `AZURE_CLIENT_CERTIFICATE_PASSWORD`.
	ClientCertPassword string `mapstructure:"client_cert_password" required:"false"`
	// A signed JWT client assertion that proves the identity of `client_id` (federated credentials).
	// It must stay valid for the whole build. Falls back to `ARM_OIDC_TOKEN`.
	ClientJWT string `mapstructure:"client_jwt" required:"false"`
	// The URL of the OIDC token service of GitHub Actions, used with `oidc_request_token` to get a fresh
	// federated token for `client_id` whenever one is needed. Falls back to `ARM_OIDC_REQUEST_URL`, then
	// (when `client_id` is set and no other credential is) `ACTIONS_ID_TOKEN_REQUEST_URL`.
	OIDCRequestURL string `mapstructure:"oidc_request_url" required:"false"`
	// The bearer token for `oidc_request_url`. Falls back to `ARM_OIDC_REQUEST_TOKEN`, then (when
	// `client_id` is set and no other credential is) `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.
	OIDCRequestToken string `mapstructure:"oidc_request_token" required:"false"`
	// Authenticate with the identity signed in to the Azure CLI (`az login`). Falls back to
	// `ARM_USE_CLI=true`. Cannot be combined with another credential.
	UseAzureCLIAuth bool `mapstructure:"use_azure_cli_auth" required:"false"`
	// The Microsoft Entra tenant (directory) ID of the credential. Required with a client secret,
	// certificate, JWT or OIDC; optional with the Azure CLI and managed identity.
	// Falls back to `ARM_TENANT_ID`, then `AZURE_TENANT_ID`.
	TenantID string `mapstructure:"tenant_id" required:"false"`
	// The subscription to work in (for the post-processor, the gallery's subscription).
	// Falls back to `ARM_SUBSCRIPTION_ID`, then `AZURE_SUBSCRIPTION_ID`.
	SubscriptionID string `mapstructure:"subscription_id" required:"true"`
	// The Azure cloud: `Public` (the default), `China` or `USGovernment`. Falls back to `ARM_ENVIRONMENT`.
	// For any other cloud set `metadata_host` instead.
	CloudEnvironmentName string `mapstructure:"cloud_environment_name" required:"false"`
	// The host (`host[:port]` or an `https://` URL) that serves the ARM metadata endpoints of a custom
	// cloud, such as Azure Stack Hub or the offline emulator. The plugin reads
	// `https://{metadata_host}/metadata/endpoints` to find the login and Resource Manager endpoints.
	// Falls back to `ARM_METADATA_HOST`. Cannot be combined with `cloud_environment_name`.
	MetadataHost string `mapstructure:"metadata_host" required:"false"`
	// Further tenants whose subscriptions the build touches, for example a gallery in another tenant than
	// the credential's (a multi-tenant app consented in both). The plugin then gets a token for each and
	// sends them in `x-ms-authorization-auxiliary`, as Azure requires for cross-tenant requests. At most
	// three, as Azure allows. Falls back to `ARM_AUXILIARY_TENANT_IDS` (comma-separated).
	AuxiliaryTenantIDs []string `mapstructure:"auxiliary_tenant_ids" required:"false"`
}
