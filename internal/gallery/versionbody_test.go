package gallery

import (
	"encoding/json"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
)

// TestCreateAndConvergeSendTheSameRegions: the create PUT and the converging PATCH carry the same
// target-region body (one builder, publishingProfile), with every region's replicas, storage,
// exclude-from-latest and encryption; only the create adds the defaults and the replication mode.
func TestCreateAndConvergeSendTheSameRegions(t *testing.T) {
	req := Request{ExcludeFromLatest: true, ReplicaCount: 2, StorageAccountType: "Standard_ZRS", ReplicationMode: "Full"}
	a := &Actions{Location: "eastus", Regions: []RegionPlan{
		{Name: "eastus", Replicas: 2, StorageAccountType: "Standard_ZRS"},
		{Name: "westus", Replicas: 1, StorageAccountType: "Premium_LRS", ExcludeFromLatest: to.Ptr(false),
			DiskEncryptionSetID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des"},
	}}
	created := versionBody(req, a, Source{ID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/i"}).Properties.PublishingProfile
	converged := publishingProfile(req, a)
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	if js(created.TargetRegions) != js(converged.TargetRegions) {
		t.Fatalf("target regions differ:\ncreate   %s\nconverge %s", js(created.TargetRegions), js(converged.TargetRegions))
	}
	if len(created.TargetRegions) != 2 || *created.TargetRegions[1].RegionalReplicaCount != 1 ||
		string(*created.TargetRegions[1].StorageAccountType) != "Premium_LRS" || created.TargetRegions[1].Encryption == nil {
		t.Fatalf("target regions %s", js(created.TargetRegions))
	}
	if !*converged.ExcludeFromLatest || converged.ReplicaCount != nil || converged.ReplicationMode != nil {
		t.Fatalf("converge profile %s: want exclude-from-latest and no create-only defaults", js(converged))
	}
	if *created.ReplicaCount != 2 || string(*created.StorageAccountType) != "Standard_ZRS" || string(*created.ReplicationMode) != "Full" {
		t.Fatalf("create profile %s lacks the defaults", js(created))
	}
}
