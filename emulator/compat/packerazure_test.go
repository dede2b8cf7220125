package compat_test

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	armcompute "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v6"
)

// hashicorp/packer-plugin-azure 2.6 sends these api-versions. armcompute v6.0.0 pins GalleryRP
// 2023-07-03 exactly; its images (2024-03-01) and disks (2023-10-02) clients are pointed at the
// plugin's versions with APIVersion.
const (
	packerGallery = "2023-07-03" // v6.0.0's pin
	packerImages  = "2022-03-01"
	packerDisks   = "2022-03-02"
)

// v6 builds an armcompute v6 ClientFactory that sends apiVersion ("" = the module's pin).
func (e *env) v6(t *testing.T, apiVersion string) *armcompute.ClientFactory {
	t.Helper()
	f, err := armcompute.NewClientFactory(e.ready.SubscriptionID, e.cred, e.at(apiVersion))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestPackerPluginAzure26 publishes like packer-plugin-azure 2.6: a disk, a snapshot of it, a
// managed image from the snapshot, then a gallery version to two regions, list, update (a third
// region), delete, each at the plugin's api-versions, checking each raw response's shape.
func TestPackerPluginAzure26(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	e := start(t)
	const rg, loc, gal = "rg-packer", "eastus", "galpkr"
	e.resourceGroup(t, ctx, rg)

	diskF, galF := e.v6(t, packerDisks), e.v6(t, "")
	x := packerClients{rg: rg, loc: loc, gal: gal,
		disks: diskF.NewDisksClient(), snaps: diskF.NewSnapshotsClient(), images: e.v6(t, packerImages).NewImagesClient(),
		galleries: galF.NewGalleriesClient(), defs: galF.NewGalleryImagesClient(), versions: galF.NewGalleryImageVersionsClient(),
	}
	image := packerSources(ctx, t, x)
	packerGalleryAndDefinition(ctx, t, x)
	packerVersion(ctx, t, x, image)
	packerUpdateAndDelete(ctx, t, x)
}

// packerClients holds the resource names and the v6 clients at the plugin's api-versions.
type packerClients struct {
	rg, loc, gal string
	disks        *armcompute.DisksClient
	snaps        *armcompute.SnapshotsClient
	images       *armcompute.ImagesClient
	galleries    *armcompute.GalleriesClient
	defs         *armcompute.GalleryImagesClient
	versions     *armcompute.GalleryImageVersionsClient
}

// packerSources creates the disk, its snapshot and a managed image from the snapshot, checking their
// raw bodies; it returns the image.
func packerSources(ctx context.Context, t *testing.T, x packerClients) armcompute.ImagesClientCreateOrUpdateResponse {
	rg, loc, disks, snaps, images := x.rg, x.loc, x.disks, x.snaps, x.images
	dp := must[*runtime.Poller[armcompute.DisksClientCreateOrUpdateResponse]](t, "disk")(disks.BeginCreateOrUpdate(ctx, rg, "osdisk", armcompute.Disk{
		Location: to.Ptr(loc),
		Properties: &armcompute.DiskProperties{
			CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)},
			DiskSizeGB:   to.Ptr[int32](8), OSType: to.Ptr(armcompute.OperatingSystemTypesLinux),
		},
	}, nil))
	disk := must[armcompute.DisksClientCreateOrUpdateResponse](t, "disk poll")(dp.PollUntilDone(ctx, poll))
	c, got := capture(ctx)
	must[armcompute.DisksClientGetResponse](t, "disk get")(disks.Get(c, rg, "osdisk", nil))
	rawDisk := rawBody(t, got(), packerDisks)
	wantValue(t, "disk", rawDisk, "properties.diskSizeGB", 8)
	wantAbsent(t, "disk at "+packerDisks, rawDisk, "properties.optimizedForFrequentAttach", "properties.burstingEnabledTime",
		"properties.creationData.performancePlus", "properties.supportedCapabilities.diskControllerTypes")

	sp := must[*runtime.Poller[armcompute.SnapshotsClientCreateOrUpdateResponse]](t, "snapshot")(snaps.BeginCreateOrUpdate(ctx, rg, "osdisk-snap", armcompute.Snapshot{
		Location: to.Ptr(loc),
		Properties: &armcompute.SnapshotProperties{CreationData: &armcompute.CreationData{
			CreateOption: to.Ptr(armcompute.DiskCreateOptionCopy), SourceResourceID: disk.ID,
		}},
	}, nil))
	snap := must[armcompute.SnapshotsClientCreateOrUpdateResponse](t, "snapshot poll")(sp.PollUntilDone(ctx, poll))
	c, got = capture(ctx)
	must[armcompute.SnapshotsClientGetResponse](t, "snapshot get")(snaps.Get(c, rg, "osdisk-snap", nil))
	rawSnap := rawBody(t, got(), packerDisks)
	wantValue(t, "snapshot", rawSnap, "properties.creationData.sourceResourceId", *disk.ID)
	wantAbsent(t, "snapshot at "+packerDisks, rawSnap, "properties.incrementalSnapshotFamilyId", "properties.snapshotAccessState")

	ip := must[*runtime.Poller[armcompute.ImagesClientCreateOrUpdateResponse]](t, "image")(images.BeginCreateOrUpdate(ctx, rg, "pkr-img", armcompute.Image{
		Location: to.Ptr(loc),
		Properties: &armcompute.ImageProperties{StorageProfile: &armcompute.ImageStorageProfile{OSDisk: &armcompute.ImageOSDisk{
			OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			Snapshot: &armcompute.SubResource{ID: snap.ID},
		}}},
	}, nil))
	image := must[armcompute.ImagesClientCreateOrUpdateResponse](t, "image poll")(ip.PollUntilDone(ctx, poll))
	if g := image.Properties.HyperVGeneration; g == nil || *g != armcompute.HyperVGenerationTypesV1 {
		t.Errorf("image hyperVGeneration %v, want V1", g)
	}
	return image
}

// packerGalleryAndDefinition creates the gallery and a definition, checking the pre-2025-03-03 defaults.
func packerGalleryAndDefinition(ctx context.Context, t *testing.T, x packerClients) {
	rg, loc, gal, galleries, defs := x.rg, x.loc, x.gal, x.galleries, x.defs
	gp := must[*runtime.Poller[armcompute.GalleriesClientCreateOrUpdateResponse]](t, "gallery")(galleries.BeginCreateOrUpdate(ctx, rg, gal,
		armcompute.Gallery{Location: to.Ptr(loc), Properties: &armcompute.GalleryProperties{}}, nil))
	must[armcompute.GalleriesClientCreateOrUpdateResponse](t, "gallery poll")(gp.PollUntilDone(ctx, poll))
	fp := must[*runtime.Poller[armcompute.GalleryImagesClientCreateOrUpdateResponse]](t, "definition")(defs.BeginCreateOrUpdate(ctx, rg, gal, "ubuntu",
		armcompute.GalleryImage{Location: to.Ptr(loc), Properties: &armcompute.GalleryImageProperties{
			OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			Identifier: &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("pkr"), Offer: to.Ptr("ubuntu"), SKU: to.Ptr("22_04")},
		}}, nil))
	def := must[armcompute.GalleryImagesClientCreateOrUpdateResponse](t, "definition poll")(fp.PollUntilDone(ctx, poll))
	if g := def.Properties.HyperVGeneration; g == nil || *g != armcompute.HyperVGenerationV1 || len(def.Properties.Features) != 0 {
		t.Errorf("definition at %s: hyperVGeneration %v, features %v; want V1 and none", packerGallery, g, def.Properties.Features)
	}
}

// packerVersion publishes a version to two regions, checks its replication status and raw body, and lists it.
func packerVersion(ctx context.Context, t *testing.T, x packerClients, image armcompute.ImagesClientCreateOrUpdateResponse) {
	rg, loc, gal, versions := x.rg, x.loc, x.gal, x.versions
	vp := must[*runtime.Poller[armcompute.GalleryImageVersionsClientCreateOrUpdateResponse]](t, "version")(versions.BeginCreateOrUpdate(ctx, rg, gal, "ubuntu", "2024.1.0",
		armcompute.GalleryImageVersion{Location: to.Ptr(loc), Properties: &armcompute.GalleryImageVersionProperties{
			PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{
				TargetRegions: []*armcompute.TargetRegion{
					{Name: to.Ptr("eastus"), StorageAccountType: to.Ptr(armcompute.StorageAccountTypeStandardLRS)},
					{Name: to.Ptr("westus"), RegionalReplicaCount: to.Ptr[int32](2)},
				},
				ReplicaCount: to.Ptr[int32](1),
			},
			StorageProfile: &armcompute.GalleryImageVersionStorageProfile{Source: &armcompute.GalleryArtifactVersionFullSource{ID: image.ID}},
		}}, nil))
	must[armcompute.GalleryImageVersionsClientCreateOrUpdateResponse](t, "version poll")(vp.PollUntilDone(ctx, poll))

	c, got := capture(ctx)
	v := must[armcompute.GalleryImageVersionsClientGetResponse](t, "version get")(versions.Get(c, rg, gal, "ubuntu", "2024.1.0",
		&armcompute.GalleryImageVersionsClientGetOptions{Expand: to.Ptr(armcompute.ReplicationStatusTypesReplicationStatus)}))
	rs := v.Properties.ReplicationStatus
	if rs == nil || *rs.AggregatedState != armcompute.AggregatedReplicationStateCompleted || len(rs.Summary) != 2 {
		t.Fatalf("replication status %+v, want Completed in 2 regions", rs)
	}
	rawVer := rawBody(t, got(), packerGallery)
	wantValue(t, "version", rawVer, "properties.storageProfile.source", map[string]any{"id": *image.ID})
	wantValue(t, "version", rawVer, "properties.safetyProfile.allowDeletionOfReplicatedLocations", false)
	wantValue(t, "version", rawVer, "properties.replicationStatus.aggregatedState", "Completed")
	wantAbsent(t, "version at "+packerGallery, rawVer, "properties.safetyProfile.blockDeletionBeforeEndOfLife",
		"properties.restore", "properties.validationsProfile", "properties.publishingProfile.storageAccountStrategy")

	n := 0
	for pager := versions.NewListByGalleryImagePager(rg, gal, "ubuntu", nil); pager.More(); {
		n += len(must[armcompute.GalleryImageVersionsClientListByGalleryImageResponse](t, "list")(pager.NextPage(ctx)).Value)
	}
	if n != 1 {
		t.Errorf("listed %d versions, want 1", n)
	}
}

// packerUpdateAndDelete adds a third region, then deletes the version and the snapshot.
func packerUpdateAndDelete(ctx context.Context, t *testing.T, x packerClients) {
	rg, gal, versions, snaps := x.rg, x.gal, x.versions, x.snaps
	// An update adds a third region; the poller finishes only once it has replicated.
	up := must[*runtime.Poller[armcompute.GalleryImageVersionsClientUpdateResponse]](t, "update")(versions.BeginUpdate(ctx, rg, gal, "ubuntu", "2024.1.0",
		armcompute.GalleryImageVersionUpdate{Properties: &armcompute.GalleryImageVersionProperties{
			PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{TargetRegions: []*armcompute.TargetRegion{
				{Name: to.Ptr("eastus")}, {Name: to.Ptr("westus"), RegionalReplicaCount: to.Ptr[int32](2)}, {Name: to.Ptr("westeurope")},
			}},
		}}, nil))
	must[armcompute.GalleryImageVersionsClientUpdateResponse](t, "update poll")(up.PollUntilDone(ctx, poll))
	v := must[armcompute.GalleryImageVersionsClientGetResponse](t, "version get")(versions.Get(ctx, rg, gal, "ubuntu", "2024.1.0",
		&armcompute.GalleryImageVersionsClientGetOptions{Expand: to.Ptr(armcompute.ReplicationStatusTypesReplicationStatus)}))
	if rs := v.Properties.ReplicationStatus; len(rs.Summary) != 3 || *rs.AggregatedState != armcompute.AggregatedReplicationStateCompleted {
		t.Errorf("after adding a region: %d regions, %s; want 3, Completed", len(rs.Summary), *rs.AggregatedState)
	}

	vd := must[*runtime.Poller[armcompute.GalleryImageVersionsClientDeleteResponse]](t, "version delete")(versions.BeginDelete(ctx, rg, gal, "ubuntu", "2024.1.0", nil))
	must[armcompute.GalleryImageVersionsClientDeleteResponse](t, "version delete poll")(vd.PollUntilDone(ctx, poll))
	_, err := versions.Get(ctx, rg, gal, "ubuntu", "2024.1.0", nil)
	wantNotFound(t, "version", err)
	sd := must[*runtime.Poller[armcompute.SnapshotsClientDeleteResponse]](t, "snapshot delete")(snaps.BeginDelete(ctx, rg, "osdisk-snap", nil))
	must[armcompute.SnapshotsClientDeleteResponse](t, "snapshot delete poll")(sd.PollUntilDone(ctx, poll))
	_, err = snaps.Get(ctx, rg, "osdisk-snap", nil)
	wantNotFound(t, "snapshot", err)
}
