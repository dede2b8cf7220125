package compat_test

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	armcompute "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v5"
)

// az CLI 2.45 (Debian's package) sends these api-versions. armcompute v5.0.0 pins GalleryRP
// 2022-03-03 (versions), ComputeRP 2023-03-01 and DiskRP 2022-07-02, the closest release; the
// galleries, definitions and images clients are pointed at the CLI's versions with APIVersion.
const (
	cliGalleries   = "2021-10-01"
	cliDefinitions = "2021-10-01"
	cliVersions    = "2022-03-03" // v5.0.0's pin
	cliImages      = "2022-11-01"
	cliDisks       = "2022-07-02" // v5.0.0's pin
)

// v5 builds an armcompute v5 ClientFactory that sends apiVersion ("" = the module's pin).
func (e *env) v5(t *testing.T, apiVersion string) *armcompute.ClientFactory {
	t.Helper()
	f, err := armcompute.NewClientFactory(e.ready.SubscriptionID, e.cred, e.at(apiVersion))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestAzCLI245 publishes like az CLI 2.45: disk, managed image, gallery, definition, a version to two
// regions with replication status, list, update, delete, each at the CLI's api-version, and checks
// the raw responses carry only what those versions define.
func TestAzCLI245(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	e := start(t)
	const rg, loc = "rg-cli", "eastus"
	e.resourceGroup(t, ctx, rg)

	x := cliClients{rg: rg, loc: loc,
		disks:     e.v5(t, "").NewDisksClient(),
		images:    e.v5(t, cliImages).NewImagesClient(),
		galleries: e.v5(t, cliGalleries).NewGalleriesClient(),
		defs:      e.v5(t, cliDefinitions).NewGalleryImagesClient(),
		versions:  e.v5(t, "").NewGalleryImageVersionsClient(),
	}
	image := cliDiskAndImage(ctx, t, x)
	cliGalleryAndDefinition(ctx, t, e, x)
	cliVersion(ctx, t, x, image)
	cliUpdateAndDelete(ctx, t, x)
}

// cliClients holds the resource group, location and the v5 clients at the CLI's api-versions.
type cliClients struct {
	rg, loc   string
	disks     *armcompute.DisksClient
	images    *armcompute.ImagesClient
	galleries *armcompute.GalleriesClient
	defs      *armcompute.GalleryImagesClient
	versions  *armcompute.GalleryImageVersionsClient
}

// cliDiskAndImage creates the source disk and managed image, checking their raw bodies; it returns the image.
func cliDiskAndImage(ctx context.Context, t *testing.T, x cliClients) armcompute.ImagesClientCreateOrUpdateResponse {
	rg, loc, disks, images := x.rg, x.loc, x.disks, x.images
	c, got := capture(ctx)
	dp := must[*runtime.Poller[armcompute.DisksClientCreateOrUpdateResponse]](t, "disk")(disks.BeginCreateOrUpdate(c, rg, "src", armcompute.Disk{
		Location: to.Ptr(loc),
		Properties: &armcompute.DiskProperties{
			CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)},
			DiskSizeGB:   to.Ptr[int32](4), OSType: to.Ptr(armcompute.OperatingSystemTypesLinux),
			HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV1),
		},
	}, nil))
	rawDisk := rawBody(t, got(), cliDisks)
	wantAbsent(t, "disk at "+cliDisks, rawDisk, "properties.LastOwnershipUpdateTime", "properties.availabilityPolicy")
	disk := must[armcompute.DisksClientCreateOrUpdateResponse](t, "disk poll")(dp.PollUntilDone(ctx, poll))

	ip := must[*runtime.Poller[armcompute.ImagesClientCreateOrUpdateResponse]](t, "image")(images.BeginCreateOrUpdate(ctx, rg, "img", armcompute.Image{
		Location: to.Ptr(loc),
		Properties: &armcompute.ImageProperties{
			HyperVGeneration: to.Ptr(armcompute.HyperVGenerationTypesV1),
			StorageProfile: &armcompute.ImageStorageProfile{OSDisk: &armcompute.ImageOSDisk{
				OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
				ManagedDisk: &armcompute.SubResource{ID: disk.ID},
			}},
		},
	}, nil))
	image := must[armcompute.ImagesClientCreateOrUpdateResponse](t, "image poll")(ip.PollUntilDone(ctx, poll))
	c, got = capture(ctx)
	must[armcompute.ImagesClientGetResponse](t, "image get")(images.Get(c, rg, "img", nil))
	wantValue(t, "image at "+cliImages, rawBody(t, got(), cliImages), "properties.storageProfile.osDisk.managedDisk.id", *disk.ID)
	return image
}

// cliGalleryAndDefinition creates the gallery and a definition, checking the pre-2025-03-03 defaults.
func cliGalleryAndDefinition(ctx context.Context, t *testing.T, e *env, x cliClients) {
	rg, loc, galleries, defs := x.rg, x.loc, x.galleries, x.defs
	gp := must[*runtime.Poller[armcompute.GalleriesClientCreateOrUpdateResponse]](t, "gallery")(galleries.BeginCreateOrUpdate(ctx, rg, "galcli",
		armcompute.Gallery{Location: to.Ptr(loc), Properties: &armcompute.GalleryProperties{Description: to.Ptr("az cli")}}, nil))
	must[armcompute.GalleriesClientCreateOrUpdateResponse](t, "gallery poll")(gp.PollUntilDone(ctx, poll))
	c, got := capture(ctx)
	must[armcompute.GalleriesClientGetResponse](t, "gallery get")(galleries.Get(c, rg, "galcli", nil))
	rawGal := rawBody(t, got(), cliGalleries)
	wantValue(t, "gallery", rawGal, "properties.identifier.uniqueName", e.ready.SubscriptionID+"-GALCLI")
	wantAbsent(t, "gallery at "+cliGalleries, rawGal, "identity", "systemData")

	fp := must[*runtime.Poller[armcompute.GalleryImagesClientCreateOrUpdateResponse]](t, "definition")(defs.BeginCreateOrUpdate(ctx, rg, "galcli", "def",
		armcompute.GalleryImage{Location: to.Ptr(loc), Properties: &armcompute.GalleryImageProperties{
			OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			Identifier: &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("pub"), Offer: to.Ptr("off"), SKU: to.Ptr("sku")},
		}}, nil))
	def := must[armcompute.GalleryImagesClientCreateOrUpdateResponse](t, "definition poll")(fp.PollUntilDone(ctx, poll))
	if g := def.Properties.HyperVGeneration; g == nil || *g != armcompute.HyperVGenerationV1 {
		t.Errorf("definition at %s: hyperVGeneration %v, want V1 (the pre-2025-03-03 default)", cliDefinitions, g)
	}
	if len(def.Properties.Features) != 0 {
		t.Errorf("definition at %s: features %v, want none (no TrustedLaunchSupported before 2025-03-03)", cliDefinitions, def.Properties.Features)
	}
	c, got = capture(ctx)
	must[armcompute.GalleryImagesClientGetResponse](t, "definition get")(defs.Get(c, rg, "galcli", "def", nil))
	wantAbsent(t, "definition at "+cliDefinitions, rawBody(t, got(), cliDefinitions), "properties.allowUpdateImage", "properties.features")
}

// cliVersion publishes a version to two regions, checks its replication status and raw body, and lists it.
func cliVersion(ctx context.Context, t *testing.T, x cliClients, image armcompute.ImagesClientCreateOrUpdateResponse) {
	rg, loc, versions := x.rg, x.loc, x.versions
	vp := must[*runtime.Poller[armcompute.GalleryImageVersionsClientCreateOrUpdateResponse]](t, "version")(versions.BeginCreateOrUpdate(ctx, rg, "galcli", "def", "1.0.0",
		armcompute.GalleryImageVersion{Location: to.Ptr(loc), Properties: &armcompute.GalleryImageVersionProperties{
			PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{TargetRegions: []*armcompute.TargetRegion{
				{Name: to.Ptr("East US")}, {Name: to.Ptr("West US"), RegionalReplicaCount: to.Ptr[int32](2)},
			}},
			StorageProfile: &armcompute.GalleryImageVersionStorageProfile{Source: &armcompute.GalleryArtifactVersionFullSource{ID: image.ID}},
			SafetyProfile:  &armcompute.GalleryImageVersionSafetyProfile{AllowDeletionOfReplicatedLocations: to.Ptr(true)},
		}}, nil))
	must[armcompute.GalleryImageVersionsClientCreateOrUpdateResponse](t, "version poll")(vp.PollUntilDone(ctx, poll))

	c, got := capture(ctx)
	v := must[armcompute.GalleryImageVersionsClientGetResponse](t, "version get")(versions.Get(c, rg, "galcli", "def", "1.0.0",
		&armcompute.GalleryImageVersionsClientGetOptions{Expand: to.Ptr(armcompute.ReplicationStatusTypesReplicationStatus)}))
	rs := v.Properties.ReplicationStatus
	if rs == nil || rs.AggregatedState == nil || *rs.AggregatedState != armcompute.AggregatedReplicationStateCompleted || len(rs.Summary) != 2 {
		t.Fatalf("replication status %+v, want Completed in 2 regions", rs)
	}
	for _, s := range rs.Summary {
		if *s.State != armcompute.ReplicationStateCompleted || *s.Progress != 100 {
			t.Errorf("region %s: %s %d%%, want Completed 100%%", *s.Region, *s.State, *s.Progress)
		}
	}
	rawVer := rawBody(t, got(), cliVersions)
	wantValue(t, "version", rawVer, "properties.safetyProfile.allowDeletionOfReplicatedLocations", true)
	wantValue(t, "version", rawVer, "properties.publishingProfile.targetRegions[0].excludeFromLatest", false)
	wantValue(t, "version", rawVer, "properties.storageProfile.source", map[string]any{"id": *image.ID})
	wantAbsent(t, "version at "+cliVersions, rawVer, "properties.safetyProfile.blockDeletionBeforeEndOfLife",
		"properties.securityProfile", "properties.restore", "properties.validationsProfile",
		"properties.publishingProfile.storageAccountStrategy", "properties.publishingProfile.targetRegions[0].additionalReplicaSets")

	n := 0
	for pager := versions.NewListByGalleryImagePager(rg, "galcli", "def", nil); pager.More(); {
		page := must[armcompute.GalleryImageVersionsClientListByGalleryImageResponse](t, "version list")(pager.NextPage(ctx))
		n += len(page.Value)
	}
	if n != 1 {
		t.Errorf("listed %d versions, want 1", n)
	}
}

// cliUpdateAndDelete updates the version, then deletes everything and checks it is gone.
func cliUpdateAndDelete(ctx context.Context, t *testing.T, x cliClients) {
	rg := x.rg
	disks, images, galleries, defs, versions := x.disks, x.images, x.galleries, x.defs, x.versions
	// An update removes the replicated West US (allowed by the safety profile) and excludes from latest.
	up := must[*runtime.Poller[armcompute.GalleryImageVersionsClientUpdateResponse]](t, "version update")(versions.BeginUpdate(ctx, rg, "galcli", "def", "1.0.0",
		armcompute.GalleryImageVersionUpdate{Properties: &armcompute.GalleryImageVersionProperties{
			PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{
				TargetRegions: []*armcompute.TargetRegion{{Name: to.Ptr("eastus")}}, ExcludeFromLatest: to.Ptr(true),
			},
		}}, nil))
	upd := must[armcompute.GalleryImageVersionsClientUpdateResponse](t, "version update poll")(up.PollUntilDone(ctx, poll))
	if pp := upd.Properties.PublishingProfile; len(pp.TargetRegions) != 1 || !*pp.ExcludeFromLatest {
		t.Errorf("after update: %d regions, excludeFromLatest %v; want 1 and true", len(pp.TargetRegions), *pp.ExcludeFromLatest)
	}

	vd := must[*runtime.Poller[armcompute.GalleryImageVersionsClientDeleteResponse]](t, "version delete")(versions.BeginDelete(ctx, rg, "galcli", "def", "1.0.0", nil))
	must[armcompute.GalleryImageVersionsClientDeleteResponse](t, "version delete poll")(vd.PollUntilDone(ctx, poll))
	fd := must[*runtime.Poller[armcompute.GalleryImagesClientDeleteResponse]](t, "definition delete")(defs.BeginDelete(ctx, rg, "galcli", "def", nil))
	must[armcompute.GalleryImagesClientDeleteResponse](t, "definition delete poll")(fd.PollUntilDone(ctx, poll))
	gd := must[*runtime.Poller[armcompute.GalleriesClientDeleteResponse]](t, "gallery delete")(galleries.BeginDelete(ctx, rg, "galcli", nil))
	must[armcompute.GalleriesClientDeleteResponse](t, "gallery delete poll")(gd.PollUntilDone(ctx, poll))
	id := must[*runtime.Poller[armcompute.ImagesClientDeleteResponse]](t, "image delete")(images.BeginDelete(ctx, rg, "img", nil))
	must[armcompute.ImagesClientDeleteResponse](t, "image delete poll")(id.PollUntilDone(ctx, poll))
	dd := must[*runtime.Poller[armcompute.DisksClientDeleteResponse]](t, "disk delete")(disks.BeginDelete(ctx, rg, "src", nil))
	must[armcompute.DisksClientDeleteResponse](t, "disk delete poll")(dd.PollUntilDone(ctx, poll))

	_, err := galleries.Get(ctx, rg, "galcli", nil)
	wantNotFound(t, "gallery", err)
	_, err = images.Get(ctx, rg, "img", nil)
	wantNotFound(t, "image", err)
	_, err = disks.Get(ctx, rg, "src", nil)
	wantNotFound(t, "disk", err)
}
