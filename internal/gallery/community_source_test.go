package gallery

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

// publishCommunity publishes version of a V2 Linux image to a community gallery and returns its public ID.
func publishCommunity(t *testing.T, e *env, version string) string {
	t.Helper()
	src := e.image("img-"+strings.ReplaceAll(version, ".", "-"), "eastus", 1, armcompute.HyperVGenerationTypesV2)
	req := e.request(src, version)
	req.Community = communitySpec()
	p := e.publisher(&recorder{})
	res, err := p.Publish(e.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.SubscriptionID == "" {
		res.SubscriptionID = e.ready.SubscriptionID
	}
	ids, err := p.EnableCommunity(e.ctx, res, testRG)
	if err != nil || len(ids) != 1 {
		t.Fatalf("public ids %v, %v", ids, err)
	}
	return ids[0]
}

// TestPromoteCommunityVersion: a community version promoted into another gallery is sent as
// communityGalleryImageId, and the new definition takes the community image's OS facts (Linux, V2).
func TestPromoteCommunityVersion(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	id := publishCommunity(t, e, "1.0.0")
	req := e.request(strings.ToLower(id), "3.0.0")
	req.GalleryName, req.SourceLocation = "mirror", "East US"
	rec := &recorder{}
	res, err := e.publisher(rec).Publish(e.ctx, req)
	if err != nil {
		t.Fatalf("%v\n%s", err, rec.text())
	}
	if res.SourceID != id {
		t.Errorf("result source %q, want the canonical %q", res.SourceID, id)
	}
	v, err := e.compute.NewGalleryImageVersionsClient().Get(e.ctx, testRG, "mirror", testDef, "3.0.0", nil)
	if err != nil {
		t.Fatal(err)
	}
	if src := v.Properties.StorageProfile.Source; src == nil || deref(src.CommunityGalleryImageID) != id || src.ID != nil {
		t.Errorf("storageProfile.source = %+v", src)
	}
	d, err := e.compute.NewGalleryImagesClient().Get(e.ctx, testRG, "mirror", testDef, nil)
	if err != nil || enumString(d.Properties.HyperVGeneration) != "V2" || enumString(d.Properties.OSType) != "Linux" {
		t.Fatalf("mirror definition: %v", err)
	}
}

// TestPromoteCommunityVersionRefusals: before any write, a community source is refused when it is not
// replicated to the region it is read in, when its image does not match an existing definition, and when
// it is direct-shared.
func TestPromoteCommunityVersionRefusals(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	id := publishCommunity(t, e, "1.0.0")
	req := e.request(id, "1.0.0")
	req.GalleryName, req.SourceLocation = "mirror", "westus"
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, req); err == nil || !strings.Contains(err.Error(), "is not found in westus") {
		t.Errorf("not replicated to westus: %v", err)
	}
	// "v1" is a V1 definition in gallery "v1gallery", from a V1 image.
	v1 := e.request(e.image("img-v1", "eastus", 1, armcompute.HyperVGenerationTypesV1), "1.0.0")
	v1.GalleryName = "v1gallery"
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, v1); err != nil {
		t.Fatal(err)
	}
	req = e.request(id, "2.0.0")
	req.GalleryName = "v1gallery"
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, req); err == nil || !strings.Contains(err.Error(), "hyper_v_generation: definition has V1, image has V2") {
		t.Errorf("V2 community image into a V1 definition: %v", err)
	}
	req = e.request("/SharedGalleries/0000-1111/Images/"+testDef+"/Versions/1.0.0", "2.0.0")
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, req); err == nil || !strings.Contains(err.Error(), "source_image_version_id: a direct-shared version") {
		t.Errorf("direct-shared source: %v", err)
	}
	if _, err := e.compute.NewGalleryImageVersionsClient().Get(e.ctx, testRG, "v1gallery", testDef, "2.0.0", nil); err == nil {
		t.Error("a refused promotion wrote a version")
	}
}
