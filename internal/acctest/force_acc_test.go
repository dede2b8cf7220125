package acctest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// TestForceRefusesForeignVersionUnderPacker (issue 14): `packer build -force` of a version another tool
// published (no plugin tag) fails, naming the reason, and leaves the emulator's inventory unchanged.
func TestForceRefusesForeignVersionUnderPacker(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 0.5, "publish-from-image")
	cred, opts, err := f.emu.ARM()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := armcompute.NewClientFactory(f.emu.SubscriptionID, cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	wait := func(what string, err error, poll func() error) {
		t.Helper()
		if err == nil {
			err = poll()
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	gp, err := cf.NewGalleriesClient().BeginCreateOrUpdate(ctx, galleryRG, galleryName, armcompute.Gallery{Location: to.Ptr(sourceLocation)}, nil)
	wait("gallery", err, func() error { _, e := gp.PollUntilDone(ctx, nil); return e })
	dp, err := cf.NewGalleryImagesClient().BeginCreateOrUpdate(ctx, galleryRG, galleryName, definitionName, armcompute.GalleryImage{Location: to.Ptr(sourceLocation),
		Properties: &armcompute.GalleryImageProperties{OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2), Identifier: &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("contoso"), Offer: to.Ptr("ubuntu-server"), SKU: to.Ptr("22.04-lts")}}}, nil)
	wait("definition", err, func() error { _, e := dp.PollUntilDone(ctx, nil); return e })
	vp, err := cf.NewGalleryImageVersionsClient().BeginCreateOrUpdate(ctx, galleryRG, galleryName, definitionName, "1.0.0", armcompute.GalleryImageVersion{Location: to.Ptr(sourceLocation),
		Properties: &armcompute.GalleryImageVersionProperties{StorageProfile: &armcompute.GalleryImageVersionStorageProfile{Source: &armcompute.GalleryArtifactVersionFullSource{ID: to.Ptr(f.sourceID)}}}}, nil)
	wait("foreign version", err, func() error { _, e := vp.PollUntilDone(ctx, nil); return e })
	before, err := f.emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run := tools.RunPacker(ctx, t, f.dir, append(append([]string{}, f.env...), "PKR_VAR_image_version=1.0.0", "PKR_VAR_regions=[\"eastus\"]"), "build", "-force", "-color=false", ".")
	if run.ExitCode == 0 || !strings.Contains(run.Output, "-force: version 1.0.0 is not replaced") || !strings.Contains(run.Output, "not made by this plugin") {
		t.Fatalf("build -force of a foreign version: exit %d\n%s", run.ExitCode, run.Output)
	}
	after, err := f.emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	if string(a) != string(b) {
		t.Errorf("a refused build -force changed the inventory:\nbefore %s\nafter  %s", b, a)
	}
}
