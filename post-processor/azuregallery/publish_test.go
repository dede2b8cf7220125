package azuregallery

import (
	"testing"
)

// TestRequestMapping checks that the validated configuration reaches the core's Request intact:
// normalized regions with their defaults, resolved dates and the tri-state options.
func TestRequestMapping(t *testing.T) {
	clearAzureEnv(t)
	raw := baseConfig()
	raw["target_region"] = []map[string]interface{}{
		{"name": "West Europe", "exclude_from_latest": true},
		{"name": "eastus", "replicas": 3, "storage_account_type": "premium_lrs"},
	}
	raw["storage_account_type"] = "Standard_ZRS"
	raw["replica_count"] = 2
	raw["version_end_of_life_date"] = "30d"
	raw["block_deletion_before_end_of_life"] = true
	raw["allow_deletion_of_replicated_locations"] = false
	raw["create_gallery"] = true
	raw["purchase_plan"] = map[string]interface{}{"name": "n", "publisher": "p", "product": "q"}
	var p PostProcessor
	if err := p.Configure(raw); err != nil {
		t.Fatal(err)
	}
	req := p.request(&source{ImageID: testImageID})
	if req.SourceID != testImageID || req.GalleryName != "golden" || req.ResourceGroup != "images-rg" || !req.CreateGallery {
		t.Errorf("gallery fields: %+v", req)
	}
	if req.Definition.Name != "ubuntu-22.04" || !req.Definition.Create || req.Definition.Sku != "22.04-lts" || req.Definition.PurchasePlan == nil || req.Definition.PurchasePlan.Product != "q" {
		t.Errorf("definition: %+v", req.Definition)
	}
	if req.Version.Version != "1.0.0" || req.VersionEndOfLife == nil {
		t.Errorf("version: %+v eol %v", req.Version, req.VersionEndOfLife)
	}
	if req.BlockDeletionBeforeEndOfLife == nil || !*req.BlockDeletionBeforeEndOfLife {
		t.Error("block_deletion_before_end_of_life lost")
	}
	if req.AllowDeletionOfReplicatedLocations == nil || *req.AllowDeletionOfReplicatedLocations {
		t.Error("allow_deletion_of_replicated_locations = false lost")
	}
	if len(req.TargetRegions) != 2 {
		t.Fatalf("regions: %+v", req.TargetRegions)
	}
	we, eu := req.TargetRegions[0], req.TargetRegions[1]
	if we.Name != "westeurope" || we.Replicas != 2 || we.StorageAccountType != "Standard_ZRS" || we.ExcludeFromLatest == nil || !*we.ExcludeFromLatest {
		t.Errorf("westeurope: %+v", we)
	}
	if eu.Name != "eastus" || eu.Replicas != 3 || eu.StorageAccountType != "Premium_LRS" || eu.ExcludeFromLatest != nil {
		t.Errorf("eastus: %+v", eu)
	}
	if req.Definition.Architecture != "" {
		t.Errorf("architecture %q without a hint", req.Definition.Architecture)
	}
	if arm := p.request(&source{ImageID: testImageID, Architecture: "Arm64"}); arm.Definition.Architecture != "Arm64" {
		t.Errorf("the import builder's architecture hint was ignored: %q", arm.Definition.Architecture)
	}
	if req.Timeout.Hours() != 3 {
		t.Errorf("timeout %s", req.Timeout)
	}
}
