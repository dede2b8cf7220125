package compat_test

import (
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	v5 "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v5"
	v6 "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v6"
	v7 "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v7"
	v8 "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// TestOneResourceManyVersions writes with the newest client (v8, GalleryRP 2026-03-03) and reads
// and writes the same resources with the older majors: each version sees only its own properties,
// an older PUT keeps what it cannot state, and a property sent at a version that lacks it is ignored.
func TestOneResourceManyVersions(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	e := start(t)
	const rg, loc, gal = "rg-x", "eastus", "galx"
	e.resourceGroup(t, ctx, rg)
	sub := e.ready.SubscriptionID
	f8 := must[*v8.ClientFactory](t, "v8")(v8.NewClientFactory(sub, e.cred, e.at("")))
	f8old := must[*v8.ClientFactory](t, "v8 old")(v8.NewClientFactory(sub, e.cred, e.at("2022-03-03")))
	f8oldDisk := must[*v8.ClientFactory](t, "v8 old disk")(v8.NewClientFactory(sub, e.cred, e.at(packerDisks)))
	f7, f6, f5 := e.v7(t), e.v6(t, ""), e.v5(t, "")
	f5cli := e.v5(t, "2021-10-01")

	x := crossFixture{e: e, rg: rg, loc: loc, gal: gal, f8: f8, f8old: f8old, f8oldDisk: f8oldDisk, f7: f7, f6: f6, f5: f5, f5cli: f5cli}
	image := crossDisksAndImage(ctx, t, x)
	crossDefinitions(ctx, t, x)
	crossVersions(ctx, t, x, image)
}

// crossFixture holds the resource names and the client factories, one per major and pinned version.
type crossFixture struct {
	e                    *env
	rg, loc, gal         string
	f8, f8old, f8oldDisk *v8.ClientFactory
	f7                   *v7.ClientFactory
	f6                   *v6.ClientFactory
	f5, f5cli            *v5.ClientFactory
}

// crossDisksAndImage makes the source image with v8 and checks a disk property older versions lack is
// hidden from their readers and ignored from their writers; it returns the image.
func crossDisksAndImage(ctx context.Context, t *testing.T, x crossFixture) v8.ImagesClientCreateOrUpdateResponse {
	e, rg, loc, f8, f8oldDisk := x.e, x.rg, x.loc, x.f8, x.f8oldDisk
	// Source: an image from an empty disk, made with v8.
	dp := must[*runtime.Poller[v8.DisksClientCreateOrUpdateResponse]](t, "disk")(f8.NewDisksClient().BeginCreateOrUpdate(ctx, rg, "d", v8.Disk{
		Location: to.Ptr(loc), Properties: &v8.DiskProperties{
			CreationData: &v8.CreationData{CreateOption: to.Ptr(v8.DiskCreateOptionEmpty)}, DiskSizeGB: to.Ptr[int32](2),
			OSType: to.Ptr(v8.OperatingSystemTypesLinux), HyperVGeneration: to.Ptr(v8.HyperVGenerationV2), OptimizedForFrequentAttach: to.Ptr(true),
		}}, nil))
	disk := must[v8.DisksClientCreateOrUpdateResponse](t, "disk poll")(dp.PollUntilDone(ctx, poll))
	ip := must[*runtime.Poller[v8.ImagesClientCreateOrUpdateResponse]](t, "image")(f8.NewImagesClient().BeginCreateOrUpdate(ctx, rg, "img", v8.Image{
		Location: to.Ptr(loc), Properties: &v8.ImageProperties{HyperVGeneration: to.Ptr(v8.HyperVGenerationTypesV2),
			StorageProfile: &v8.ImageStorageProfile{OSDisk: &v8.ImageOSDisk{OSType: to.Ptr(v8.OperatingSystemTypesLinux),
				OSState: to.Ptr(v8.OperatingSystemStateTypesGeneralized), ManagedDisk: &v8.SubResource{ID: disk.ID}}}}}, nil))
	image := must[v8.ImagesClientCreateOrUpdateResponse](t, "image poll")(ip.PollUntilDone(ctx, poll))

	// Disks: 2022-03-02 lacks optimizedForFrequentAttach: hidden from its readers, ignored from its writers.
	c, got := capture(ctx)
	must[v6.DisksClientGetResponse](t, "disk v6")(e.v6(t, packerDisks).NewDisksClient().Get(c, rg, "d", nil))
	wantAbsent(t, "disk read at "+packerDisks, rawBody(t, got(), packerDisks), "properties.optimizedForFrequentAttach")
	dp = must[*runtime.Poller[v8.DisksClientCreateOrUpdateResponse]](t, "old disk")(f8oldDisk.NewDisksClient().BeginCreateOrUpdate(ctx, rg, "d-old", v8.Disk{
		Location: to.Ptr(loc), Properties: &v8.DiskProperties{
			CreationData: &v8.CreationData{CreateOption: to.Ptr(v8.DiskCreateOptionEmpty)}, DiskSizeGB: to.Ptr[int32](1), OptimizedForFrequentAttach: to.Ptr(true),
		}}, nil))
	must[v8.DisksClientCreateOrUpdateResponse](t, "old disk poll")(dp.PollUntilDone(ctx, poll))
	if d := must[v8.DisksClientGetResponse](t, "disk get")(f8.NewDisksClient().Get(ctx, rg, "d-old", nil)); d.Properties.OptimizedForFrequentAttach != nil {
		t.Errorf("optimizedForFrequentAttach sent at %s was stored (%v); that version does not have it", packerDisks, *d.Properties.OptimizedForFrequentAttach)
	}
	return image
}

// crossDefinitions creates the gallery and a definition with v8 and reads the definition at older versions.
func crossDefinitions(ctx context.Context, t *testing.T, x crossFixture) {
	rg, loc, gal, f8, f7, f6 := x.rg, x.loc, x.gal, x.f8, x.f7, x.f6
	gp := must[*runtime.Poller[v8.GalleriesClientCreateOrUpdateResponse]](t, "gallery")(f8.NewGalleriesClient().BeginCreateOrUpdate(ctx, rg, gal,
		v8.Gallery{Location: to.Ptr(loc), Properties: &v8.GalleryProperties{}}, nil))
	must[v8.GalleriesClientCreateOrUpdateResponse](t, "gallery poll")(gp.PollUntilDone(ctx, poll))

	// Definitions: 2026-03-03 defaults to V2 + TrustedLaunchSupported; allowUpdateImage is from 2024-03-03.
	fp := must[*runtime.Poller[v8.GalleryImagesClientCreateOrUpdateResponse]](t, "definition")(f8.NewGalleryImagesClient().BeginCreateOrUpdate(ctx, rg, gal, "def",
		v8.GalleryImage{Location: to.Ptr(loc), Properties: &v8.GalleryImageProperties{
			OSType: to.Ptr(v8.OperatingSystemTypesLinux), OSState: to.Ptr(v8.OperatingSystemStateTypesGeneralized),
			Identifier: &v8.GalleryImageIdentifier{Publisher: to.Ptr("p"), Offer: to.Ptr("o"), SKU: to.Ptr("s")}, AllowUpdateImage: to.Ptr(true),
		}}, nil))
	def := must[v8.GalleryImagesClientCreateOrUpdateResponse](t, "definition poll")(fp.PollUntilDone(ctx, poll))
	if g := def.Properties.HyperVGeneration; g == nil || *g != v8.HyperVGenerationV2 || len(def.Properties.Features) != 1 || *def.Properties.Features[0].Value != "TrustedLaunchSupported" {
		t.Errorf("definition at 2026-03-03: hyperVGeneration %v, features %d; want V2 and TrustedLaunchSupported", g, len(def.Properties.Features))
	}
	c, got := capture(ctx)
	must[v7.GalleryImagesClientGetResponse](t, "def v7")(f7.NewGalleryImagesClient().Get(c, rg, gal, "def", nil))
	wantValue(t, "definition read at "+v7Gallery, rawBody(t, got(), v7Gallery), "properties.allowUpdateImage", true)
	c, got = capture(ctx)
	must[v6.GalleryImagesClientGetResponse](t, "def v6")(f6.NewGalleryImagesClient().Get(c, rg, gal, "def", nil))
	rawDef := rawBody(t, got(), packerGallery)
	wantAbsent(t, "definition read at "+packerGallery, rawDef, "properties.allowUpdateImage")
	wantValue(t, "definition read at "+packerGallery, rawDef, "properties.features[0].value", "TrustedLaunchSupported")
}

// crossVersions publishes a version with v8, reads it at older versions, and checks an older PUT keeps
// what it cannot state and a property sent at a version that lacks it is ignored.
func crossVersions(ctx context.Context, t *testing.T, x crossFixture, image v8.ImagesClientCreateOrUpdateResponse) {
	rg, loc, gal, f8, f8old, f7, f6, f5, f5cli := x.rg, x.loc, x.gal, x.f8, x.f8old, x.f7, x.f6, x.f5, x.f5cli
	// Versions: blockDeletionBeforeEndOfLife is from 2024-03-03, the whole safetyProfile from 2022-03-03.
	eol := time.Now().Add(365 * 24 * time.Hour).UTC().Truncate(time.Second)
	vp := must[*runtime.Poller[v8.GalleryImageVersionsClientCreateOrUpdateResponse]](t, "version")(f8.NewGalleryImageVersionsClient().BeginCreateOrUpdate(ctx, rg, gal, "def", "1.0.0",
		v8.GalleryImageVersion{Location: to.Ptr(loc), Properties: &v8.GalleryImageVersionProperties{
			PublishingProfile: &v8.GalleryImageVersionPublishingProfile{TargetRegions: []*v8.TargetRegion{{Name: to.Ptr("eastus")}, {Name: to.Ptr("westus")}}, EndOfLifeDate: &eol},
			StorageProfile:    &v8.GalleryImageVersionStorageProfile{Source: &v8.GalleryArtifactVersionFullSource{ID: image.ID}},
			SafetyProfile:     &v8.GalleryImageVersionSafetyProfile{BlockDeletionBeforeEndOfLife: to.Ptr(true)},
		}}, nil))
	must[v8.GalleryImageVersionsClientCreateOrUpdateResponse](t, "version poll")(vp.PollUntilDone(ctx, poll))

	c, got := capture(ctx)
	must[v7.GalleryImageVersionsClientGetResponse](t, "ver v7")(f7.NewGalleryImageVersionsClient().Get(c, rg, gal, "def", "1.0.0", nil))
	wantValue(t, "version read at "+v7Gallery, rawBody(t, got(), v7Gallery), "properties.safetyProfile.blockDeletionBeforeEndOfLife", true)
	c, got = capture(ctx)
	must[v6.GalleryImageVersionsClientGetResponse](t, "ver v6")(f6.NewGalleryImageVersionsClient().Get(c, rg, gal, "def", "1.0.0", nil))
	rawVer := rawBody(t, got(), packerGallery)
	wantAbsent(t, "version read at "+packerGallery, rawVer, "properties.safetyProfile.blockDeletionBeforeEndOfLife")
	wantValue(t, "version read at "+packerGallery, rawVer, "properties.safetyProfile.allowDeletionOfReplicatedLocations", false)
	c, got = capture(ctx)
	must[v5.GalleryImageVersionsClientGetResponse](t, "ver v5 2021")(f5cli.NewGalleryImageVersionsClient().Get(c, rg, gal, "def", "1.0.0", nil))
	rawOld := rawBody(t, got(), "2021-10-01")
	wantAbsent(t, "version read at 2021-10-01", rawOld, "properties.safetyProfile", "properties.publishingProfile.targetRegions[0].excludeFromLatest")
	wantValue(t, "version read at 2021-10-01", rawOld, "properties.publishingProfile.targetRegions[0].regionalReplicaCount", 1)

	// A PUT at 2022-03-03 cannot state blockDeletionBeforeEndOfLife, so it keeps the stored true.
	pp := must[*runtime.Poller[v5.GalleryImageVersionsClientCreateOrUpdateResponse]](t, "v5 put")(f5.NewGalleryImageVersionsClient().BeginCreateOrUpdate(ctx, rg, gal, "def", "1.0.0",
		v5.GalleryImageVersion{Location: to.Ptr(loc), Tags: map[string]*string{"by": to.Ptr("az-cli")}, Properties: &v5.GalleryImageVersionProperties{
			PublishingProfile: &v5.GalleryImageVersionPublishingProfile{TargetRegions: []*v5.TargetRegion{{Name: to.Ptr("eastus")}, {Name: to.Ptr("westus")}}, EndOfLifeDate: &eol},
			StorageProfile:    &v5.GalleryImageVersionStorageProfile{Source: &v5.GalleryArtifactVersionFullSource{ID: image.ID}},
			SafetyProfile:     &v5.GalleryImageVersionSafetyProfile{AllowDeletionOfReplicatedLocations: to.Ptr(false)},
		}}, nil))
	must[v5.GalleryImageVersionsClientCreateOrUpdateResponse](t, "v5 put poll")(pp.PollUntilDone(ctx, poll))
	now := must[v8.GalleryImageVersionsClientGetResponse](t, "ver v8")(f8.NewGalleryImageVersionsClient().Get(ctx, rg, gal, "def", "1.0.0", nil))
	if b := now.Properties.SafetyProfile.BlockDeletionBeforeEndOfLife; b == nil || !*b || now.Tags["by"] == nil {
		t.Errorf("after a 2022-03-03 PUT: blockDeletionBeforeEndOfLife %v, tags %v; want true kept and the new tag", b, now.Tags)
	}

	// The same property sent at 2022-03-03 by a newer SDK is ignored, as that version has no such field.
	vp = must[*runtime.Poller[v8.GalleryImageVersionsClientCreateOrUpdateResponse]](t, "old version")(f8old.NewGalleryImageVersionsClient().BeginCreateOrUpdate(ctx, rg, gal, "def", "1.0.1",
		v8.GalleryImageVersion{Location: to.Ptr(loc), Properties: &v8.GalleryImageVersionProperties{
			PublishingProfile: &v8.GalleryImageVersionPublishingProfile{EndOfLifeDate: &eol},
			StorageProfile:    &v8.GalleryImageVersionStorageProfile{Source: &v8.GalleryArtifactVersionFullSource{ID: image.ID}},
			SafetyProfile:     &v8.GalleryImageVersionSafetyProfile{BlockDeletionBeforeEndOfLife: to.Ptr(true)},
		}}, nil))
	must[v8.GalleryImageVersionsClientCreateOrUpdateResponse](t, "old version poll")(vp.PollUntilDone(ctx, poll))
	old := must[v8.GalleryImageVersionsClientGetResponse](t, "ver 1.0.1")(f8.NewGalleryImageVersionsClient().Get(ctx, rg, gal, "def", "1.0.1", nil))
	if b := old.Properties.SafetyProfile.BlockDeletionBeforeEndOfLife; b == nil || *b {
		t.Errorf("blockDeletionBeforeEndOfLife sent at 2022-03-03 took effect (%v); that version does not have it", b != nil && *b)
	}
	vd := must[*runtime.Poller[v8.GalleryImageVersionsClientDeleteResponse]](t, "delete 1.0.1")(f8.NewGalleryImageVersionsClient().BeginDelete(ctx, rg, gal, "def", "1.0.1", nil))
	must[v8.GalleryImageVersionsClientDeleteResponse](t, "delete 1.0.1 poll")(vd.PollUntilDone(ctx, poll))
}
