package gallery

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

// TestPromoteAcrossSubscriptions promotes a version from a dev gallery in one subscription to a prod
// gallery in another; the prod definition takes the dev definition's properties.
func TestPromoteAcrossSubscriptions(t *testing.T) {
	const devSub, prodSub = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
	e := newEnv(t, emulator.Options{Subscriptions: []emulator.SubscriptionConfig{{ID: devSub}, {ID: prodSub}}})
	src := e.image("img1", "eastus", 2, armcompute.HyperVGenerationTypesV2)
	dev, err := e.publisher(&recorder{}).Publish(e.ctx, e.request(src, "1.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	prod := e.setupIn(prodSub)
	req := e.request(dev.VersionID, "2.0.0")
	req.SubscriptionID, req.GalleryName = prodSub, "prod"
	rec := &recorder{}
	res, err := e.publisher(rec).Publish(e.ctx, req)
	if err != nil {
		t.Fatalf("%v\n%s", err, rec.text())
	}
	if !strings.Contains(res.VersionID, prodSub) || !strings.EqualFold(res.SourceID, dev.VersionID) {
		t.Fatalf("result: %+v", res)
	}
	v, err := prod.compute.NewGalleryImageVersionsClient().Get(e.ctx, testRG, "prod", testDef, "2.0.0", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := *v.Properties.StorageProfile.Source.ID; !strings.EqualFold(got, dev.VersionID) {
		t.Errorf("storageProfile.source.id = %s, want the dev version %s", got, dev.VersionID)
	}
	d, err := prod.compute.NewGalleryImagesClient().Get(e.ctx, testRG, "prod", testDef, nil)
	if err != nil || *d.Properties.HyperVGeneration != armcompute.HyperVGenerationV2 || *d.Properties.OSType != armcompute.OperatingSystemTypesLinux {
		t.Fatalf("prod definition does not match the dev one: %v", err)
	}
}

// TestPromoteRefusesAnIncompatibleDefinition: the same compatibility checks as for a managed image.
func TestPromoteRefusesAnIncompatibleDefinition(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	v1 := e.image("img1", "eastus", 1, armcompute.HyperVGenerationTypesV1)
	v2 := e.image("img2", "eastus", 1, armcompute.HyperVGenerationTypesV2)
	dev, err := e.publisher(&recorder{}).Publish(e.ctx, e.request(v2, "1.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	// prod's definition is V1, from another image.
	req := e.request(v1, "1.0.0")
	req.GalleryName = "prod"
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, req); err != nil {
		t.Fatal(err)
	}
	req = e.request(dev.VersionID, "1.0.1")
	req.GalleryName = "prod"
	_, err = e.publisher(&recorder{}).Publish(e.ctx, req)
	if err == nil || !strings.Contains(err.Error(), "hyper_v_generation: definition has V1, image has V2") {
		t.Fatalf("incompatible promotion: %v", err)
	}
	if _, err := e.compute.NewGalleryImageVersionsClient().Get(e.ctx, testRG, "prod", testDef, "1.0.1", nil); err == nil {
		t.Error("the refused promotion created a version")
	}
}
