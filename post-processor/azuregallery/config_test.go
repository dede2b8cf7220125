package azuregallery

import (
	"strings"
	"testing"
	"time"
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
		"image_name":      "ubuntu-22.04",
		"publisher":       "contoso",
		"offer":           "ubuntu",
		"sku":             "22.04-lts",
		"image_version":   "1.0.0",
		"target_region": []map[string]interface{}{
			{"name": "westeurope"},
			{"name": "North Europe", "replicas": 2},
		},
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
	var p PostProcessor
	if err := p.Configure(baseConfig()); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	c := p.config
	if c.Timeout != 3*time.Hour {
		t.Errorf("timeout default = %s, want 3h", c.Timeout)
	}
	if !p.resolved.createImage {
		t.Error("create_image must default to true")
	}
	if deref32(c.ReplicaCount) != 1 || c.StorageAccountType != "Standard_LRS" || c.ReplicationMode != "Full" {
		t.Errorf("defaults: replica_count=%d storage_account_type=%q replication_mode=%q", deref32(c.ReplicaCount), c.StorageAccountType, c.ReplicationMode)
	}
	regions := p.resolved.regions
	if len(regions) != 2 || regions[1].Name != "northeurope" || deref32(regions[1].Replicas) != 2 || deref32(regions[0].Replicas) != 1 || regions[0].StorageAccountType != "Standard_LRS" {
		t.Errorf("regions not normalized with defaults: %+v", regions)
	}
}

func TestConfigureCanonicalizesEnums(t *testing.T) {
	clearAzureEnv(t)
	raw := baseConfig()
	raw["os_type"] = "linux"
	raw["hyper_v_generation"] = "v2"
	raw["security_type"] = "trustedlaunch"
	raw["storage_account_type"] = "standard_zrs"
	raw["replication_mode"] = "full"
	raw["disk_controller_types"] = []string{"nvme", "scsi"}
	raw["create_image"] = false
	raw["version_end_of_life_date"] = "90d"
	var p PostProcessor
	if err := p.Configure(raw); err != nil {
		t.Fatal(err)
	}
	c := p.config
	if c.OSType != "Linux" || c.HyperVGeneration != "V2" || c.SecurityType != "TrustedLaunch" || c.StorageAccountType != "Standard_ZRS" || c.ReplicationMode != "Full" {
		t.Errorf("not canonical: %q %q %q %q %q", c.OSType, c.HyperVGeneration, c.SecurityType, c.StorageAccountType, c.ReplicationMode)
	}
	if c.DiskControllerTypes[0] != "NVMe" || c.DiskControllerTypes[1] != "SCSI" {
		t.Errorf("disk_controller_types = %v", c.DiskControllerTypes)
	}
	if p.resolved.createImage {
		t.Error("create_image = false ignored")
	}
	if p.resolved.versionEndOfLife == nil || p.resolved.versionEndOfLife.Before(time.Now().Add(89*24*time.Hour)) {
		t.Errorf("version_end_of_life_date 90d resolved to %v", p.resolved.versionEndOfLife)
	}
	if p.resolved.regions[0].StorageAccountType != "Standard_ZRS" {
		t.Errorf("region storage default = %q", p.resolved.regions[0].StorageAccountType)
	}
}

// configErrorCase is one invalid configuration and the substrings its error must contain.
type configErrorCase struct {
	name   string
	change func(m map[string]interface{})
	want   []string // every substring must appear in the error
}

// configErrorCases are the invalid configurations TestConfigureErrors refuses.
var configErrorCases = []configErrorCase{
	{"missing resource_group", func(m map[string]interface{}) { delete(m, "resource_group") }, []string{"resource_group is required"}},
	{"bad resource_group", func(m map[string]interface{}) { m["resource_group"] = "rg/with/slash" }, []string{"resource_group", "not a valid resource group name"}},
	{"missing gallery_name", func(m map[string]interface{}) { delete(m, "gallery_name") }, []string{"gallery_name is required"}},
	{"gallery_name with hyphen", func(m map[string]interface{}) { m["gallery_name"] = "my-gallery" }, []string{"gallery_name", "no hyphens"}},
	{"missing image_name", func(m map[string]interface{}) { delete(m, "image_name") }, []string{"image_name is required"}},
	{"bad image_name", func(m map[string]interface{}) { m["image_name"] = "-ubuntu" }, []string{"image_name", "not a valid image definition name"}},
	{"missing publisher with create_image", func(m map[string]interface{}) { delete(m, "publisher") }, []string{"publisher is required", "create_image = false"}},
	{"missing sku", func(m map[string]interface{}) { delete(m, "sku") }, []string{"sku is required"}},
	{"missing image_version", func(m map[string]interface{}) { delete(m, "image_version") }, []string{"image_version is required"}},
	{"two-part version", func(m map[string]interface{}) { m["image_version"] = "1.0" }, []string{"image_version", "three parts"}},
	{"version with suffix", func(m map[string]interface{}) { m["image_version"] = "1.0.0-beta" }, []string{"image_version", "digits only"}},
	{"version overflows int32", func(m map[string]interface{}) { m["image_version"] = "1.2147483648.0" }, []string{"image_version", "2147483647"}},
	{"duplicate regions after normalizing", func(m map[string]interface{}) {
		m["target_region"] = []map[string]interface{}{{"name": "East US 2"}, {"name": "eastus2"}}
	}, []string{"target_region[1].name", "same region as target_region[0]"}},
	{"region without name", func(m map[string]interface{}) { m["target_region"] = []map[string]interface{}{{"replicas": 2}} }, []string{"target_region[0].name is required"}},
	{"bad region name", func(m map[string]interface{}) { m["target_region"] = []map[string]interface{}{{"name": "west/europe"}} }, []string{"target_region[0].name", "not a region name"}},
	{"replica_count too high", func(m map[string]interface{}) { m["replica_count"] = 101 }, []string{"replica_count 101 is out of range", "1 to 100"}},
	{"replica_count negative", func(m map[string]interface{}) { m["replica_count"] = -1 }, []string{"replica_count -1 is out of range"}},
	{"region replicas too high", func(m map[string]interface{}) {
		m["target_region"] = []map[string]interface{}{{"name": "westeurope", "replicas": 500}}
	}, []string{"target_region[0].replicas 500 is out of range"}},
	{"shallow with several regions", func(m map[string]interface{}) { m["replication_mode"] = "Shallow" }, []string{"replication_mode = \"Shallow\"", "2 target regions are set", "target_region \"northeurope\" has replicas = 2"}},
	{"shallow with replica_count", func(m map[string]interface{}) {
		m["replication_mode"] = "Shallow"
		m["replica_count"] = 3
		m["target_region"] = []map[string]interface{}{{"name": "westeurope"}}
	}, []string{"replica_count is 3"}},
	{"bad replication_mode", func(m map[string]interface{}) { m["replication_mode"] = "Deep" }, []string{"replication_mode \"Deep\" is not valid", "Full, Shallow"}},
	{"bad storage_account_type", func(m map[string]interface{}) { m["storage_account_type"] = "Premium_ZRS" }, []string{"storage_account_type \"Premium_ZRS\" is not valid"}},
	{"bad region storage_account_type", func(m map[string]interface{}) {
		m["target_region"] = []map[string]interface{}{{"name": "westeurope", "storage_account_type": "Cold"}}
	}, []string{"target_region[0].storage_account_type \"Cold\" is not valid"}},
	{"bad os_type", func(m map[string]interface{}) { m["os_type"] = "BSD" }, []string{"os_type \"BSD\" is not valid", "Linux, Windows"}},
	{"bad os_state", func(m map[string]interface{}) { m["os_state"] = "Sealed" }, []string{"os_state \"Sealed\" is not valid"}},
	{"bad hyper_v_generation", func(m map[string]interface{}) { m["hyper_v_generation"] = "V3" }, []string{"hyper_v_generation \"V3\" is not valid"}},
	{"bad architecture", func(m map[string]interface{}) { m["architecture"] = "riscv" }, []string{"architecture \"riscv\" is not valid"}},
	{"bad security_type", func(m map[string]interface{}) { m["security_type"] = "Paranoid" }, []string{"security_type \"Paranoid\" is not valid"}},
	{"trusted launch on gen1", func(m map[string]interface{}) {
		m["security_type"] = "TrustedLaunch"
		m["hyper_v_generation"] = "V1"
	}, []string{"hyper_v_generation: Trusted Launch and Confidential VM run on Hyper-V generation 2 only"}},
	{"bad disk controller", func(m map[string]interface{}) { m["disk_controller_types"] = []string{"IDE"} }, []string{"disk_controller_types[0] \"IDE\" is not valid"}},
	{"vcpus min above max", func(m map[string]interface{}) {
		m["recommended_vcpus_min"] = 8
		m["recommended_vcpus_max"] = 2
	}, []string{"recommended_vcpus_min 8 is larger than recommended_vcpus_max 2"}},
	{"memory out of range", func(m map[string]interface{}) { m["recommended_memory_gb_max"] = 5000 }, []string{"recommended_memory_gb_max 5000 is out of range"}},
	{"bad privacy url", func(m map[string]interface{}) { m["privacy_statement_uri"] = "example.com/privacy" }, []string{"privacy_statement_uri", "not a web address"}},
	{"bad release note url", func(m map[string]interface{}) { m["release_note_uri"] = "ftp://example.com/notes" }, []string{"release_note_uri", "not a web address"}},
	{"definition end of life in the past", func(m map[string]interface{}) { m["end_of_life_date"] = "2020-01-01" }, []string{"end_of_life_date", "not in the future"}},
	{"version end of life in the past", func(m map[string]interface{}) { m["version_end_of_life_date"] = "2019-05-01T00:00:00Z" }, []string{"version_end_of_life_date", "not in the future"}},
	{"version end of life garbage", func(m map[string]interface{}) { m["version_end_of_life_date"] = "next tuesday" }, []string{"version_end_of_life_date", "not a date"}},
	{"block deletion without end of life", func(m map[string]interface{}) { m["block_deletion_before_end_of_life"] = true }, []string{"block_deletion_before_end_of_life needs version_end_of_life_date"}},
	{"incomplete purchase plan", func(m map[string]interface{}) { m["purchase_plan"] = map[string]interface{}{"name": "p"} }, []string{"purchase_plan.publisher is required", "purchase_plan.product is required"}},
	{"source_image_id is a VHD", func(m map[string]interface{}) {
		m["source_image_id"] = "https://acct.blob.core.windows.net/vhds/osdisk.vhd"
	}, []string{"source_image_id", "is a URL"}},
	{"source_image_id is a gallery", func(m map[string]interface{}) {
		m["source_image_id"] = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/galleries/g"
	}, []string{"source_image_id", "Microsoft.Compute/galleries", "managed image"}},
	{"bad disk encryption set", func(m map[string]interface{}) {
		m["target_region"] = []map[string]interface{}{{"name": "westeurope", "disk_encryption_set_id": "des-1"}}
	}, []string{"target_region[0].disk_encryption_set_id", "not an Azure resource ID"}},
	{"tag key with slash", func(m map[string]interface{}) { m["tags"] = map[string]string{"a/b": "c"} }, []string{"tags key \"a/b\""}},
	{"tag value too long", func(m map[string]interface{}) { m["tags"] = map[string]string{"k": strings.Repeat("v", 300)} }, []string{"tags value of \"k\" is 300 characters"}},
	{"negative timeout", func(m map[string]interface{}) { m["timeout"] = "-5m" }, []string{"timeout -5m0s is negative"}},
	{"missing subscription_id", func(m map[string]interface{}) { delete(m, "subscription_id") }, []string{"subscription_id: is required"}},
	{"secret without tenant", func(m map[string]interface{}) { delete(m, "tenant_id") }, []string{"tenant_id: must be set"}},
	{"unknown cloud", func(m map[string]interface{}) { m["cloud_environment_name"] = "Mars" }, []string{"cloud_environment_name", "Mars"}},
	{"unknown field", func(m map[string]interface{}) { m["galery_name"] = "typo" }, []string{"galery_name"}},
}

func TestConfigureErrors(t *testing.T) {
	cases := configErrorCases
	if len(cases) < 25 {
		t.Fatalf("the table must keep at least 25 rows, has %d", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearAzureEnv(t)
			raw := baseConfig()
			tc.change(raw)
			var p PostProcessor
			err := p.Configure(raw)
			if err == nil {
				t.Fatalf("accepted; want an error containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestConfigureReportsEveryError checks that problems in unrelated fields are reported together, as
// `packer validate` promises.
func TestConfigureReportsEveryError(t *testing.T) {
	clearAzureEnv(t)
	raw := baseConfig()
	raw["image_version"] = "latest"
	raw["replica_count"] = 0
	raw["storage_account_type"] = "Nope"
	raw["target_region"] = []map[string]interface{}{{"name": "westus"}, {"name": "West US"}}
	raw["end_of_life_date"] = "2001-01-01"
	delete(raw, "subscription_id")
	var p PostProcessor
	err := p.Configure(raw)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, field := range []string{"image_version", "storage_account_type", "target_region[1].name", "end_of_life_date", "subscription_id"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("missing %s in:\n%v", field, err)
		}
	}
}

func TestConfigureNeverPrintsSecret(t *testing.T) {
	clearAzureEnv(t)
	raw := baseConfig()
	raw["image_version"] = "bad"
	var p PostProcessor
	err := p.Configure(raw)
	if err == nil || strings.Contains(err.Error(), "s3cret-value") {
		t.Fatalf("error must exist and not contain the secret: %v", err)
	}
}
