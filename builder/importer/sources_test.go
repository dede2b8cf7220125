package importer

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"
)

// Azurite's documented development account key; it exists only inside the emulator.
const azuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

func imageOSDisk(t *testing.T, e *env, name string) map[string]any {
	t.Helper()
	for _, img := range e.inventory(t)["microsoft.compute/images"] {
		if img["name"] == name {
			props, _ := img["properties"].(map[string]any)
			sp, _ := props["storageProfile"].(map[string]any)
			od, _ := sp["osDisk"].(map[string]any)
			return od
		}
	}
	t.Fatalf("image %s not in the emulator", name)
	return nil
}

func TestImportFromSnapshot(t *testing.T) {
	e := newEnv(t)
	b := e.builder(t, map[string]any{"source_file": sparseRaw(t, 21*vhd.MiB), "keep_temporary_disk": true, "temp_disk_name": "d1"})
	if _, err := b.Run(context.Background(), &packersdk.MockUi{}, &packersdk.MockHook{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f, _ := e.session.Compute("")
	diskID := "/subscriptions/" + e.ready.SubscriptionID + "/resourceGroups/rg/providers/Microsoft.Compute/disks/d1"
	p, err := f.NewSnapshotsClient().BeginCreateOrUpdate(ctx, "rg", "snap", armcompute.Snapshot{
		Location:   to.Ptr("eastus"),
		Properties: &armcompute.SnapshotProperties{CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionCopy), SourceResourceID: to.Ptr(diskID)}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := p.PollUntilDone(ctx, &runtimePoll)
	if err != nil {
		t.Fatal(err)
	}
	b2 := e.builder(t, map[string]any{"source_snapshot_id": *snap.ID, "image_name": "from-snap"})
	art, err := b2.Run(ctx, &packersdk.MockUi{}, &packersdk.MockHook{})
	if err != nil {
		t.Fatal(err)
	}
	od := imageOSDisk(t, e, "from-snap")
	if s, _ := od["snapshot"].(map[string]any); s == nil || !strings.EqualFold(s["id"].(string), *snap.ID) || od["osState"] != "Generalized" {
		t.Errorf("image os disk %v", od)
	}
	if !strings.HasSuffix(art.Id(), "/images/from-snap") {
		t.Errorf("artifact %s", art.Id())
	}
}

func TestImportFromVHDBlob(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// A generalized fixed VHD already in a storage account (Azurite's development account).
	cred, err := service.NewSharedKeyCredential("devstoreaccount1", azuriteKey)
	if err != nil {
		t.Fatal(err)
	}
	endpoint := e.srv.Options().BlobEndpoint
	cc, _ := container.NewClientWithSharedKeyCredential(endpoint+"/vhds", cred, nil)
	if _, err := cc.Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	pb, _ := pageblob.NewClientWithSharedKeyCredential(endpoint+"/vhds/os.vhd", cred, nil)
	if _, err := pb.Create(ctx, 22*vhd.MiB+512, nil); err != nil {
		t.Fatal(err)
	}
	ft, _ := vhd.NewFixedFooter(22*vhd.MiB, time.Now(), [16]byte{5}).MarshalBinary()
	if _, err := pb.UploadPages(ctx, streaming.NopCloser(bytes.NewReader(ft)), blob.HTTPRange{Offset: 22 * vhd.MiB, Count: 512}, nil); err != nil {
		t.Fatal(err)
	}
	acct := "/subscriptions/" + e.ready.SubscriptionID + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/devstoreaccount1"
	b := e.builder(t, map[string]any{"source_vhd_uri": endpoint + "/vhds/os.vhd", "source_storage_account_id": acct, "image_name": "from-blob"})
	art, err := b.Run(ctx, &packersdk.MockUi{}, &packersdk.MockHook{})
	if err != nil {
		t.Fatal(err)
	}
	if got := art.State("size_bytes"); got != int64(22*vhd.MiB) {
		t.Errorf("size_bytes %v, want %d", got, 22*vhd.MiB)
	}
	inv := e.inventory(t)
	if len(inv["microsoft.compute/disks"]) != 0 {
		t.Errorf("temporary import disk left behind: %v", inv["microsoft.compute/disks"])
	}
	if od := imageOSDisk(t, e, "from-blob"); od["managedDisk"] == nil || od["osState"] != "Generalized" {
		t.Errorf("image os disk %v", od)
	}
}
