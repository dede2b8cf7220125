package galleryversion

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// publicGallery creates a community gallery "public" with definition testDef and versions, shares it to
// the community and returns its public name.
func (e *galleryEnv) publicGallery(versions ...string) string {
	e.t.Helper()
	gc := e.compute.NewGalleriesClient()
	gp, err := gc.BeginCreateOrUpdate(e.ctx, testRG, "public", armcompute.Gallery{Location: to.Ptr("eastus"), Properties: &armcompute.GalleryProperties{
		SharingProfile: &armcompute.SharingProfile{Permissions: to.Ptr(armcompute.GallerySharingPermissionTypesCommunity),
			CommunityGalleryInfo: &armcompute.CommunityGalleryInfo{PublicNamePrefix: to.Ptr("acme-os"), PublisherContact: to.Ptr("images@example.com"),
				PublisherURI: to.Ptr("https://example.com"), Eula: to.Ptr("https://example.com/eula")}}}}, nil)
	done(e.t, "public gallery", gp, err)
	dp, err := e.compute.NewGalleryImagesClient().BeginCreateOrUpdate(e.ctx, testRG, "public", testDef, armcompute.GalleryImage{Location: to.Ptr("eastus"),
		Properties: &armcompute.GalleryImageProperties{OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2), Identifier: &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("acme"), Offer: to.Ptr("os"), SKU: to.Ptr("1")}}}, nil)
	done(e.t, "public definition", dp, err)
	for _, v := range versions {
		vp, err := e.compute.NewGalleryImageVersionsClient().BeginCreateOrUpdate(e.ctx, testRG, "public", testDef, v, armcompute.GalleryImageVersion{Location: to.Ptr("eastus"),
			Properties: &armcompute.GalleryImageVersionProperties{StorageProfile: &armcompute.GalleryImageVersionStorageProfile{Source: &armcompute.GalleryArtifactVersionFullSource{ID: to.Ptr(e.imageID)}}}}, nil)
		done(e.t, "public version "+v, vp, err)
	}
	sp, err := e.compute.NewGallerySharingProfileClient().BeginUpdate(e.ctx, testRG, "public", armcompute.SharingUpdate{OperationType: to.Ptr(armcompute.SharingUpdateOperationTypesEnableCommunity)}, nil)
	done(e.t, "enable community", sp, err)
	g, err := gc.Get(e.ctx, testRG, "public", nil)
	if err != nil || len(g.Properties.SharingProfile.CommunityGalleryInfo.PublicNames) != 1 {
		e.t.Fatalf("public names: %+v %v", g.Properties.SharingProfile, err)
	}
	return *g.Properties.SharingProfile.CommunityGalleryInfo.PublicNames[0]
}

// TestCommunityLatest: a consumer's data source reads the community gallery by its public name and a
// location: latest is 1.1.0 with its public id; after 1.1.0 is excluded from latest, 1.0.0.
func TestCommunityLatest(t *testing.T) {
	e := newGalleryEnv(t)
	public := e.publicGallery("1.0.0", "1.1.0")
	read := func() (string, string) {
		t.Helper()
		v, err := e.datasource(testDef, map[string]interface{}{"resource_group": "", "gallery_name": "", "community_gallery_name": public, "location": "East US"}).Execute()
		if err != nil {
			t.Fatal(err)
		}
		return attr(v, "version"), attr(v, "id")
	}
	if v, id := read(); v != "1.1.0" || id != "/CommunityGalleries/"+public+"/Images/"+testDef+"/Versions/1.1.0" {
		t.Fatalf("latest public = %s %s, want 1.1.0 and its public id", v, id)
	}
	p, err := e.compute.NewGalleryImageVersionsClient().BeginUpdate(e.ctx, testRG, "public", testDef, "1.1.0", armcompute.GalleryImageVersionUpdate{
		Properties: &armcompute.GalleryImageVersionProperties{PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{ExcludeFromLatest: to.Ptr(true)}}}, nil)
	done(t, "exclude 1.1.0", p, err)
	if v, _ := read(); v != "1.0.0" {
		t.Fatalf("latest public after excluding 1.1.0 = %s, want 1.0.0", v)
	}
}

// TestCommunityConfigErrors: community_gallery_name needs a location and no gallery of one's own.
func TestCommunityConfigErrors(t *testing.T) {
	clearAzureEnv(t)
	cfg := map[string]interface{}{"client_id": "c", "client_secret": "s", "tenant_id": "00000000-0000-0000-0000-000000000002",
		"subscription_id": "00000000-0000-0000-0000-000000000001", "image_name": "ubuntu", "community_gallery_name": "acme-os-1",
		"gallery_name": "golden"}
	err := (&Datasource{}).Configure(cfg)
	if err == nil || !strings.Contains(err.Error(), "location is required with community_gallery_name") || !strings.Contains(err.Error(), "remove resource_group and gallery_name") {
		t.Fatalf("errors: %v", err)
	}
}
