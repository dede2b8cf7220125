package galleryversion

import (
	"strings"
	"testing"
)

// baseConfig is a valid configuration; each table row changes it to break one rule.
func baseConfig() map[string]interface{} {
	return map[string]interface{}{
		"subscription_id": "00000000-0000-0000-0000-000000000001",
		"tenant_id":       "00000000-0000-0000-0000-000000000002",
		"client_id":       "00000000-0000-0000-0000-000000000003",
		"client_secret":   "s3cret-value",
		"resource_group":  "images-rg",
		"gallery_name":    "golden",
		"image_name":      "ubuntu-24.04",
	}
}

// clearAzureEnv keeps the host's ARM_*/AZURE_* variables out of the tests.
func clearAzureEnv(t *testing.T) {
	for _, v := range []string{"ARM_SUBSCRIPTION_ID", "AZURE_SUBSCRIPTION_ID", "ARM_CLIENT_ID", "AZURE_CLIENT_ID",
		"ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET", "ARM_TENANT_ID", "AZURE_TENANT_ID", "ARM_ENVIRONMENT",
		"ARM_METADATA_HOST", "ARM_USE_CLI", "ARM_OIDC_TOKEN", "ARM_OIDC_REQUEST_URL", "ARM_OIDC_REQUEST_TOKEN",
		"ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"} {
		t.Setenv(v, "")
	}
}

func TestConfigureValid(t *testing.T) {
	clearAzureEnv(t)
	var d Datasource
	if err := d.Configure(baseConfig()); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	if !d.constraint.IsZero() {
		t.Errorf("no version_constraint must mean latest, got %q", d.constraint)
	}

	cfg := baseConfig()
	cfg["version_constraint"] = " ~> 1.2 "
	cfg["include_excluded"] = true
	cfg["allow_empty"] = true
	d = Datasource{}
	if err := d.Configure(cfg); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	if d.constraint.String() != "~> 1.2" || !d.config.IncludeExcluded || !d.config.AllowEmpty {
		t.Errorf("decoded: constraint %q, include_excluded %v, allow_empty %v", d.constraint, d.config.IncludeExcluded, d.config.AllowEmpty)
	}
}

func TestConfigureInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(map[string]interface{})
		want   []string // every substring must appear
	}{
		{"missing resource_group", func(c map[string]interface{}) { delete(c, "resource_group") }, []string{"resource_group is required"}},
		{"bad resource_group", func(c map[string]interface{}) { c["resource_group"] = "rg." }, []string{`resource_group "rg." is not a valid`}},
		{"missing gallery_name", func(c map[string]interface{}) { delete(c, "gallery_name") }, []string{"gallery_name is required"}},
		{"gallery_name with hyphen", func(c map[string]interface{}) { c["gallery_name"] = "my-gallery" }, []string{`gallery_name "my-gallery" is not a valid`, "no hyphens"}},
		{"missing image_name", func(c map[string]interface{}) { delete(c, "image_name") }, []string{"image_name is required"}},
		{"bad image_name", func(c map[string]interface{}) { c["image_name"] = "-ubuntu" }, []string{`image_name "-ubuntu" is not a valid`}},
		{"malformed constraint", func(c map[string]interface{}) { c["version_constraint"] = "latest" }, []string{"version_constraint:", "malformed"}},
		{"constraint with pre-release", func(c map[string]interface{}) { c["version_constraint"] = "~> 1.2-rc1" }, []string{"version_constraint:", "pre-release"}},
		{"include_excluded without constraint", func(c map[string]interface{}) { c["include_excluded"] = true }, []string{"include_excluded needs version_constraint", `">= 0"`}},
		{"missing subscription", func(c map[string]interface{}) { delete(c, "subscription_id") }, []string{"subscription_id"}},
		{"everything at once", func(c map[string]interface{}) {
			delete(c, "resource_group")
			delete(c, "gallery_name")
			delete(c, "image_name")
			c["version_constraint"] = ">= 1.0,"
		}, []string{"resource_group is required", "gallery_name is required", "image_name is required", "version_constraint:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearAzureEnv(t)
			cfg := baseConfig()
			tc.change(cfg)
			var d Datasource
			err := d.Configure(cfg)
			if err == nil {
				t.Fatal("invalid config accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nmissing %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cret-value") {
				t.Errorf("error leaks the client secret: %q", err)
			}
		})
	}
}

func TestConfigureRejectsUnknownField(t *testing.T) {
	clearAzureEnv(t)
	cfg := baseConfig()
	cfg["version"] = "1.0.0"
	var d Datasource
	if err := d.Configure(cfg); err == nil || !strings.Contains(err.Error(), "version") {
		t.Fatalf("unknown field accepted: %v", err)
	}
}
