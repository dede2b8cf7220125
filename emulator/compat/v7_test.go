package compat_test

import (
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	armcompute "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v7"
)

// armcompute v7.2.0 pins GalleryRP 2024-03-03 (the last version before the V2/TrustedLaunch
// definition defaults), ComputeRP 2025-04-01 and DiskRP 2025-01-02. It runs at its own pins.
const (
	v7Gallery = "2024-03-03"
	v7Disks   = "2025-01-02"
)

func (e *env) v7(t *testing.T) *armcompute.ClientFactory {
	t.Helper()
	f, err := armcompute.NewClientFactory(e.ready.SubscriptionID, e.cred, e.at(""))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestArmcomputeV7 publishes a version straight from a snapshot (osDiskImage.source.id) with
// deletion protection, to two regions, then lists, updates and deletes, with armcompute v7.2.0.
func TestArmcomputeV7(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	e := start(t)
	const rg, loc, gal = "rg-v7", "eastus", "galv7"
	e.resourceGroup(t, ctx, rg)
	f := e.v7(t)
	versions := f.NewGalleryImageVersionsClient()

	snap := v7Sources(ctx, t, f, rg, loc, gal)

	eol := time.Now().Add(365 * 24 * time.Hour).UTC().Truncate(time.Second)
	vp := must[*runtime.Poller[armcompute.GalleryImageVersionsClientCreateOrUpdateResponse]](t, "version")(versions.BeginCreateOrUpdate(ctx, rg, gal, "def", "1.0.0",
		armcompute.GalleryImageVersion{Location: to.Ptr(loc), Properties: &armcompute.GalleryImageVersionProperties{
			PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{
				TargetRegions: []*armcompute.TargetRegion{{Name: to.Ptr("eastus")}, {Name: to.Ptr("westus")}},
				EndOfLifeDate: &eol,
			},
			StorageProfile: &armcompute.GalleryImageVersionStorageProfile{OSDiskImage: &armcompute.GalleryOSDiskImage{
				Source: &armcompute.GalleryDiskImageSource{ID: snap.ID},
			}},
			SafetyProfile: &armcompute.GalleryImageVersionSafetyProfile{BlockDeletionBeforeEndOfLife: to.Ptr(true)},
		}}, nil))
	must[armcompute.GalleryImageVersionsClientCreateOrUpdateResponse](t, "version poll")(vp.PollUntilDone(ctx, poll))
	c, got := capture(ctx)
	v := must[armcompute.GalleryImageVersionsClientGetResponse](t, "version get")(versions.Get(c, rg, gal, "def", "1.0.0",
		&armcompute.GalleryImageVersionsClientGetOptions{Expand: to.Ptr(armcompute.ReplicationStatusTypesReplicationStatus)}))
	if rs := v.Properties.ReplicationStatus; rs == nil || *rs.AggregatedState != armcompute.AggregatedReplicationStateCompleted || len(rs.Summary) != 2 {
		t.Fatalf("replication status %+v, want Completed in 2 regions", rs)
	}
	rawVer := rawBody(t, got(), v7Gallery)
	wantValue(t, "version", rawVer, "properties.safetyProfile.blockDeletionBeforeEndOfLife", true)
	wantValue(t, "version", rawVer, "properties.storageProfile.osDiskImage.source.id", *snap.ID)
	wantAbsent(t, "version at "+v7Gallery, rawVer, "properties.publishingProfile.storageAccountStrategy", "properties.imageMetadataProfiles")

	n := 0
	for pager := versions.NewListByGalleryImagePager(rg, gal, "def", nil); pager.More(); {
		n += len(must[armcompute.GalleryImageVersionsClientListByGalleryImageResponse](t, "list")(pager.NextPage(ctx)).Value)
	}
	if n != 1 {
		t.Errorf("listed %d versions, want 1", n)
	}

	// Deletion is blocked until end of life; moving end of life into the past lifts it.
	if _, err := versions.BeginDelete(ctx, rg, gal, "def", "1.0.0", nil); err == nil {
		t.Fatal("delete before end of life with blockDeletionBeforeEndOfLife succeeded")
	}
	past := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	up := must[*runtime.Poller[armcompute.GalleryImageVersionsClientUpdateResponse]](t, "update")(versions.BeginUpdate(ctx, rg, gal, "def", "1.0.0",
		armcompute.GalleryImageVersionUpdate{Properties: &armcompute.GalleryImageVersionProperties{
			PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{EndOfLifeDate: &past},
		}}, nil))
	must[armcompute.GalleryImageVersionsClientUpdateResponse](t, "update poll")(up.PollUntilDone(ctx, poll))
	vd := must[*runtime.Poller[armcompute.GalleryImageVersionsClientDeleteResponse]](t, "version delete")(versions.BeginDelete(ctx, rg, gal, "def", "1.0.0", nil))
	must[armcompute.GalleryImageVersionsClientDeleteResponse](t, "version delete poll")(vd.PollUntilDone(ctx, poll))
	_, err := versions.Get(ctx, rg, gal, "def", "1.0.0", nil)
	wantNotFound(t, "version", err)
}

// v7Sources creates the V1 disk and its snapshot, the gallery and a definition (checking v7's pinned
// defaults are kept) and returns the snapshot.
func v7Sources(ctx context.Context, t *testing.T, f *armcompute.ClientFactory, rg, loc, gal string) armcompute.SnapshotsClientCreateOrUpdateResponse {
	disks, snaps := f.NewDisksClient(), f.NewSnapshotsClient()
	galleries, defs := f.NewGalleriesClient(), f.NewGalleryImagesClient()

	dp := must[*runtime.Poller[armcompute.DisksClientCreateOrUpdateResponse]](t, "disk")(disks.BeginCreateOrUpdate(ctx, rg, "d", armcompute.Disk{
		Location: to.Ptr(loc),
		Properties: &armcompute.DiskProperties{
			CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)},
			DiskSizeGB:   to.Ptr[int32](2), OSType: to.Ptr(armcompute.OperatingSystemTypesLinux),
			HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV1), OptimizedForFrequentAttach: to.Ptr(true),
		},
	}, nil))
	disk := must[armcompute.DisksClientCreateOrUpdateResponse](t, "disk poll")(dp.PollUntilDone(ctx, poll))
	if disk.Properties.OptimizedForFrequentAttach == nil || !*disk.Properties.OptimizedForFrequentAttach {
		t.Errorf("disk at %s: optimizedForFrequentAttach not kept (%v)", v7Disks, disk.Properties.OptimizedForFrequentAttach)
	}
	sp := must[*runtime.Poller[armcompute.SnapshotsClientCreateOrUpdateResponse]](t, "snapshot")(snaps.BeginCreateOrUpdate(ctx, rg, "s", armcompute.Snapshot{
		Location:   to.Ptr(loc),
		Properties: &armcompute.SnapshotProperties{CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionCopy), SourceResourceID: disk.ID}},
	}, nil))
	snap := must[armcompute.SnapshotsClientCreateOrUpdateResponse](t, "snapshot poll")(sp.PollUntilDone(ctx, poll))

	gp := must[*runtime.Poller[armcompute.GalleriesClientCreateOrUpdateResponse]](t, "gallery")(galleries.BeginCreateOrUpdate(ctx, rg, gal,
		armcompute.Gallery{Location: to.Ptr(loc), Properties: &armcompute.GalleryProperties{}}, nil))
	must[armcompute.GalleriesClientCreateOrUpdateResponse](t, "gallery poll")(gp.PollUntilDone(ctx, poll))
	fp := must[*runtime.Poller[armcompute.GalleryImagesClientCreateOrUpdateResponse]](t, "definition")(defs.BeginCreateOrUpdate(ctx, rg, gal, "def",
		armcompute.GalleryImage{Location: to.Ptr(loc), Properties: &armcompute.GalleryImageProperties{
			OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			Identifier:       &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("p"), Offer: to.Ptr("o"), SKU: to.Ptr("s")},
			AllowUpdateImage: to.Ptr(true),
		}}, nil))
	def := must[armcompute.GalleryImagesClientCreateOrUpdateResponse](t, "definition poll")(fp.PollUntilDone(ctx, poll))
	if g := def.Properties.HyperVGeneration; g == nil || *g != armcompute.HyperVGenerationV1 || len(def.Properties.Features) != 0 {
		t.Errorf("definition at %s: hyperVGeneration %v, features %v; want V1 and none", v7Gallery, g, def.Properties.Features)
	}
	if def.Properties.AllowUpdateImage == nil || !*def.Properties.AllowUpdateImage {
		t.Errorf("definition at %s: allowUpdateImage not kept", v7Gallery)
	}
	return snap
}
