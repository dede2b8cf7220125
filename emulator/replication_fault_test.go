package emulator_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
)

// TestReplicationFailureFault: a replication_failure rule posted to /_emulator/faults makes the next
// version's replication fail in that region, the LRO fail, and $expand=ReplicationStatus say why.
func TestReplicationFailureFault(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, ready := emulatortest.Start(t, emulator.Options{
		Regions:        []string{"eastus", "westus"},
		Replication:    emulator.ReplicationConfig{SecondsPerGiB: 0.01, RegionBaseDelay: emulator.Duration(300 * time.Millisecond)},
		OperationDelay: emulator.Duration(50 * time.Millisecond),
	})
	c := newSDKClients(t, ready)
	if _, err := c.rg.CreateOrUpdate(ctx, rgName, armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		t.Fatal(err)
	}
	img := createImage(ctx, t, c, "eastus", "img", armcompute.HyperVGenerationTypesV2, armcompute.OperatingSystemStateTypesGeneralized)
	mustPoll(ctx, t, "gallery", func() (*runtime.Poller[armcompute.GalleriesClientCreateOrUpdateResponse], error) {
		return c.compute.NewGalleriesClient().BeginCreateOrUpdate(ctx, rgName, galName, armcompute.Gallery{Location: to.Ptr("eastus")}, nil)
	})
	mustPoll(ctx, t, "definition", func() (*runtime.Poller[armcompute.GalleryImagesClientCreateOrUpdateResponse], error) {
		return c.compute.NewGalleryImagesClient().BeginCreateOrUpdate(ctx, rgName, galName, "def", definition("eastus", armcompute.HyperVGenerationV2), nil)
	})

	hc := client(t, ready)
	var added faultList
	if status := admin(t, hc, ready, http.MethodPost, "/_emulator/faults",
		map[string]any{"action": "replication_failure", "region": "westus", "details": "injected: storage unavailable", "count": 1}, &added); status != 201 {
		t.Fatalf("POST replication_failure: %d", status)
	}
	if added.Rules[0].Fired != 1 {
		t.Errorf("install-time rule should report fired=1: %+v", added.Rules[0])
	}

	versions := c.compute.NewGalleryImageVersionsClient()
	p, err := versions.BeginCreateOrUpdate(ctx, rgName, galName, "def", "1.0.0", version("eastus", *img.ID, region("eastus", 1), region("westus", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.PollUntilDone(ctx, fastPoll)
	wantCode(t, "version LRO with a failed region", err, "CrpPirReplicationJobsNotCompleted")

	got, err := versions.Get(ctx, rgName, galName, "def", "1.0.0", &armcompute.GalleryImageVersionsClientGetOptions{Expand: to.Ptr(armcompute.ReplicationStatusTypesReplicationStatus)})
	if err != nil {
		t.Fatal(err)
	}
	rs := got.Properties.ReplicationStatus
	if rs == nil || *rs.AggregatedState != armcompute.AggregatedReplicationStateFailed {
		t.Fatalf("replication status: %+v", rs)
	}
	failed := 0
	for _, s := range rs.Summary {
		if *s.State == armcompute.ReplicationStateFailed {
			failed++
			if s.Details == nil || !strings.Contains(*s.Details, "injected: storage unavailable") {
				t.Errorf("failed region details: %v", s.Details)
			}
		}
	}
	if failed != 1 {
		t.Errorf("want exactly one failed region: %+v", rs.Summary)
	}
}
