package azure

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func testJWT(t *testing.T, exp time.Time) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"exp": exp.Unix(), "sub": "x"})
	s, err := tok.SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConfigValidate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	certFile := filepath.Join(t.TempDir(), "c.pem")
	if err := os.WriteFile(certFile, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	sp := func(mod func(*Config)) Config {
		c := Config{ClientID: "cid", ClientSecret: "s", TenantID: "tid", SubscriptionID: "sub"}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	cases := []struct {
		name string
		cfg  Config
		want []string // substrings, one per expected error; nil = valid
		kind CredentialKind
	}{
		{"secret ok", sp(nil), nil, CredentialSecret},
		{"managed identity", Config{SubscriptionID: "sub"}, nil, CredentialManagedIdentity},
		{"cli", Config{SubscriptionID: "sub", UseAzureCLIAuth: true}, nil, CredentialAzureCLI},
		{"missing subscription", Config{}, []string{"subscription_id: is required"}, CredentialManagedIdentity},
		{"subscription path", Config{SubscriptionID: "/subscriptions/x"}, []string{"subscription_id: \"/subscriptions/x\" is not"}, CredentialManagedIdentity},
		{"secret without client id", sp(func(c *Config) { c.ClientID = "" }), []string{"client_id: must be set with client_secret"}, CredentialSecret},
		{"secret without tenant", sp(func(c *Config) { c.TenantID = "" }), []string{"tenant_id: must be set"}, CredentialSecret},
		{"secret and cli", sp(func(c *Config) { c.UseAzureCLIAuth = true }), []string{"client_secret, use_azure_cli_auth: only one credential"}, CredentialSecret},
		{"cert ok", sp(func(c *Config) { c.ClientSecret = ""; c.ClientCertPath = certFile }), nil, CredentialCertificate},
		{"cert missing file", sp(func(c *Config) { c.ClientSecret = ""; c.ClientCertPath = certFile + ".nope" }), []string{"client_cert_path: cannot read"}, CredentialCertificate},
		{"cert password alone", sp(func(c *Config) { c.ClientCertPassword = "p" }), []string{"client_cert_password: is set without client_cert_path"}, CredentialSecret},
		{"oidc ok", sp(func(c *Config) { c.ClientSecret = ""; c.OIDCRequestURL = "https://t/x?a=1"; c.OIDCRequestToken = "t" }), nil, CredentialOIDC},
		{"oidc half", sp(func(c *Config) { c.ClientSecret = ""; c.OIDCRequestURL = "https://t/x" }), []string{"oidc_request_token: oidc_request_url and oidc_request_token go together"}, CredentialOIDC},
		{"oidc bad url", sp(func(c *Config) { c.ClientSecret = ""; c.OIDCRequestURL = "t/x"; c.OIDCRequestToken = "t" }), []string{"oidc_request_url: \"t/x\" is not an http(s) URL"}, CredentialOIDC},
		{"jwt ok", sp(func(c *Config) { c.ClientSecret = ""; c.ClientJWT = testJWT(t, now.Add(time.Hour)) }), nil, CredentialJWT},
		{"jwt expired", sp(func(c *Config) { c.ClientSecret = ""; c.ClientJWT = testJWT(t, now.Add(time.Minute)) }), []string{"client_jwt: expired"}, CredentialJWT},
		{"jwt garbage", sp(func(c *Config) { c.ClientSecret = ""; c.ClientJWT = "abc" }), []string{"client_jwt: is not a JWT"}, CredentialJWT},
		{"cloud alias", sp(func(c *Config) { c.CloudEnvironmentName = "AzureChinaCloud" }), nil, CredentialSecret},
		{"cloud unknown", sp(func(c *Config) { c.CloudEnvironmentName = "Germany" }), []string{"cloud_environment_name: unknown cloud \"Germany\"; use one of China, Public, USGovernment"}, CredentialSecret},
		{"cloud and metadata", sp(func(c *Config) { c.CloudEnvironmentName = "Public"; c.MetadataHost = "h" }), []string{"cloud_environment_name and metadata_host"}, CredentialSecret},
		{"metadata http", sp(func(c *Config) { c.MetadataHost = "http://h:1" }), []string{"metadata_host: \"http://h:1\" must use https"}, CredentialSecret},
		{"metadata path", sp(func(c *Config) { c.MetadataHost = "h/x" }), []string{"metadata_host: \"h/x\" is not a host"}, CredentialSecret},
		{"metadata url ok", sp(func(c *Config) { c.MetadataHost = "https://127.0.0.1:8443" }), nil, CredentialSecret},
		{"everything wrong at once", Config{ClientSecret: "s", CloudEnvironmentName: "Mars"}, []string{"client_id:", "tenant_id:", "subscription_id:", "cloud_environment_name:"}, CredentialSecret},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.cfg
			errs := c.validate(now)
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors %v, want %d %q", len(errs), errs, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d = %q, want it to contain %q", i, errs[i], w)
				}
			}
			if got := c.Credential(); got != tc.kind {
				t.Errorf("Credential() = %s, want %s", got, tc.kind)
			}
		})
	}
}

func TestConfigEnvFallbacks(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		env  map[string]string
		want Config
	}{
		{"arm first", Config{}, map[string]string{"ARM_CLIENT_ID": "a", "AZURE_CLIENT_ID": "b", "ARM_TENANT_ID": "t", "AZURE_SUBSCRIPTION_ID": "s", "AZURE_CLIENT_SECRET": "x"},
			Config{ClientID: "a", TenantID: "t", SubscriptionID: "s", ClientSecret: "x"}},
		{"config wins", Config{ClientID: "mine", SubscriptionID: "mine"}, map[string]string{"ARM_CLIENT_ID": "a", "ARM_SUBSCRIPTION_ID": "s"},
			Config{ClientID: "mine", SubscriptionID: "mine"}},
		{"explicit credential ignores env credential", Config{UseAzureCLIAuth: true}, map[string]string{"ARM_CLIENT_SECRET": "x", "ACTIONS_ID_TOKEN_REQUEST_URL": "u"},
			Config{UseAzureCLIAuth: true}},
		{"cert and password", Config{}, map[string]string{"AZURE_CLIENT_CERTIFICATE_PATH": "/c", "ARM_CLIENT_CERTIFICATE_PASSWORD": "p"},
			Config{ClientCertPath: "/c", ClientCertPassword: "p"}},
		{"arm oidc with actions token", Config{}, map[string]string{"ARM_OIDC_REQUEST_URL": "u", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "t"},
			Config{OIDCRequestURL: "u", OIDCRequestToken: "t"}},
		{"actions needs client id", Config{}, map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "u", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "t"},
			Config{}},
		{"actions with client id", Config{ClientID: "c"}, map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "u", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "t"},
			Config{ClientID: "c", OIDCRequestURL: "u", OIDCRequestToken: "t"}},
		{"oidc token", Config{}, map[string]string{"ARM_OIDC_TOKEN": "j"}, Config{ClientJWT: "j"}},
		{"cli", Config{}, map[string]string{"ARM_USE_CLI": "TRUE"}, Config{UseAzureCLIAuth: true}},
		{"environment", Config{}, map[string]string{"ARM_ENVIRONMENT": "usgovernment"}, Config{CloudEnvironmentName: "usgovernment"}},
		{"metadata host", Config{}, map[string]string{"ARM_METADATA_HOST": "h", "ARM_ENVIRONMENT": "public"}, Config{MetadataHost: "h"}},
		{"config cloud blocks env metadata", Config{CloudEnvironmentName: "China"}, map[string]string{"ARM_METADATA_HOST": "h"}, Config{CloudEnvironmentName: "China"}},
		{"auxiliary tenants", Config{}, map[string]string{"ARM_AUXILIARY_TENANT_IDS": " a, b ,"}, Config{AuxiliaryTenantIDs: []string{"a", "b"}}},
		{"config auxiliary tenants win", Config{AuxiliaryTenantIDs: []string{"c"}}, map[string]string{"ARM_AUXILIARY_TENANT_IDS": "a"}, Config{AuxiliaryTenantIDs: []string{"c"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.cfg
			c.applyEnv(envFrom(tc.env))
			if !reflect.DeepEqual(c, tc.want) {
				t.Errorf("got %+v, want %+v", c, tc.want)
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	c := Config{ClientID: "id", ClientSecret: "s", ClientCertPassword: "p", ClientJWT: "j", OIDCRequestToken: "o", TenantID: "t"}
	got := strings.Join(c.Secrets(), ",")
	if got != "s,p,j,o" {
		t.Errorf("Secrets() = %q", got)
	}
	if len((&Config{}).Secrets()) != 0 {
		t.Error("empty config has secrets")
	}
}

func timeNow() time.Time { return time.Now() }
