package azuregallery

import (
	"strings"
	"testing"
)

// storageConfig is baseConfig with a storage strategy and a PremiumV2 replica set in westeurope.
func storageConfig() map[string]interface{} {
	raw := baseConfig()
	raw["storage_account_strategy"] = "preferstandard_zrs"
	raw["target_region"] = []map[string]interface{}{
		{"name": "westeurope", "additional_replica_set": []map[string]interface{}{{"storage_account_type": "premiumv2_lrs"}}},
		{"name": "North Europe", "storage_account_type": "Premium_LRS"},
	}
	return raw
}

// TestConfigureStorageStrategy: the strategy and the replica set are accepted, canonicalized and
// defaulted; no storage type is defaulted where the strategy decides; the request carries them.
func TestConfigureStorageStrategy(t *testing.T) {
	clearAzureEnv(t)
	var p PostProcessor
	if err := p.Configure(storageConfig()); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	c := p.config
	if c.StorageAccountStrategy != "PreferStandard_ZRS" || c.StorageAccountType != "" {
		t.Fatalf("strategy %q, storage type %q: want PreferStandard_ZRS and none", c.StorageAccountStrategy, c.StorageAccountType)
	}
	regions := p.resolved.regions
	if regions[0].StorageAccountType != "" || regions[1].StorageAccountType != "Premium_LRS" {
		t.Errorf("region storage: %+v", regions)
	}
	sets := regions[0].AdditionalReplicaSets
	if len(sets) != 1 || sets[0].StorageAccountType != "PremiumV2_LRS" || sets[0].Replicas != 1 {
		t.Errorf("replica set not canonicalized with its default: %+v", sets)
	}
	req := p.request(&source{ImageID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/i"})
	if req.StorageAccountStrategy != "PreferStandard_ZRS" || len(req.TargetRegions[0].AdditionalReplicaSets) != 1 {
		t.Errorf("request: strategy %q, regions %+v", req.StorageAccountStrategy, req.TargetRegions)
	}
}

// TestConfigureStorageErrors: packer validate refuses what Azure refuses, naming the field.
func TestConfigureStorageErrors(t *testing.T) {
	clearAzureEnv(t)
	set := func(k string, v interface{}) func(map[string]interface{}) {
		return func(raw map[string]interface{}) { raw[k] = v }
	}
	region := func(m map[string]interface{}) func(map[string]interface{}) {
		return set("target_region", []map[string]interface{}{m})
	}
	for _, c := range []struct {
		name string
		mod  func(map[string]interface{})
		want string
	}{
		{"unknown strategy", set("storage_account_strategy", "Zonal"), "storage_account_strategy \"Zonal\" is not valid"},
		{"strategy with storage type", set("storage_account_type", "Standard_LRS"), "storage_account_strategy and storage_account_type are both set"},
		{"standard replica set", region(map[string]interface{}{"name": "westeurope", "additional_replica_set": []map[string]interface{}{{"storage_account_type": "Standard_ZRS"}}}),
			"target_region[0].additional_replica_set[0].storage_account_type \"Standard_ZRS\" is not valid"},
		{"replica set without type", region(map[string]interface{}{"name": "westeurope", "additional_replica_set": []map[string]interface{}{{"replicas": 2}}}),
			"target_region[0].additional_replica_set[0].storage_account_type \"\" is not valid"},
		{"replica set out of range", region(map[string]interface{}{"name": "westeurope", "additional_replica_set": []map[string]interface{}{{"storage_account_type": "PremiumV2_LRS", "replicas": 101}}}),
			"target_region[0].additional_replica_set[0].replicas 101 is out of range"},
		{"replica set on the region's own type", region(map[string]interface{}{"name": "westeurope", "storage_account_type": "PremiumV2_LRS", "additional_replica_set": []map[string]interface{}{{"storage_account_type": "PremiumV2_LRS"}}}),
			"is the region's own storage type"},
		{"shallow", func(raw map[string]interface{}) {
			raw["replication_mode"] = "Shallow"
			raw["target_region"] = []map[string]interface{}{{"name": "westeurope", "additional_replica_set": []map[string]interface{}{{"storage_account_type": "PremiumV2_LRS"}}}}
		}, "replication_mode = \"Shallow\" makes no replicas"},
	} {
		raw := storageConfig()
		c.mod(raw)
		var p PostProcessor
		err := p.Configure(raw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
