package gallery

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

// TestMayWriteReplace: -force replaces a version the plugin owns, whichever run made it, never a
// hand-made one, and needs one that exists.
func TestMayWriteReplace(t *testing.T) {
	other := map[string]string{ManagedTagKey: ManagedTagValue, RunIDTagKey: "run-b"}
	if err := MayWrite(WriteReplace, other, "run-a"); err != nil {
		t.Errorf("owned version refused: %v", err)
	}
	if err := MayWrite(WriteReplace, map[string]string{"owner": "ops"}, "run-a"); err == nil || !strings.Contains(err.Error(), "not made by this plugin") {
		t.Errorf("hand-made version: %v", err)
	}
	if err := MayWrite(WriteReplace, nil, "run-a"); err == nil {
		t.Error("a missing version was allowed")
	}
}

// TestForceReplacesOwnedVersion: with -force, version 1.0.0 that the plugin published from one image is
// deleted (the delete waited for) and published again from another, in every region the config names.
func TestForceReplacesOwnedVersion(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	first := e.image("img1", "eastus", 2, armcompute.HyperVGenerationTypesV2)
	second := e.image("img2", "eastus", 2, armcompute.HyperVGenerationTypesV2)
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, e.request(first, "1.0.0")); err != nil {
		t.Fatal(err)
	}
	before, _ := e.version("1.0.0")
	req := e.request(second, "1.0.0", "westus")
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, req); err == nil || !strings.Contains(err.Error(), "different source") {
		t.Fatalf("without -force: %v", err)
	}
	req.Force = true
	rec := &recorder{}
	res, err := e.publisher(rec).Publish(e.ctx, req)
	if err != nil {
		t.Fatalf("-force: %v\n%s", err, rec.text())
	}
	if res.Outcome != OutcomeCreated {
		t.Errorf("outcome %s, want created", res.Outcome)
	}
	v, err := e.version("1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(*v.Properties.StorageProfile.Source.ID, second) || regionNames(v) != "eastus,westus" ||
		*v.Properties.ProvisioningState != armcompute.GalleryProvisioningStateSucceeded || v.Tags[ManagedTagKey] == nil {
		t.Fatalf("replaced version: source %s regions %s state %s tags %v", *v.Properties.StorageProfile.Source.ID, regionNames(v), *v.Properties.ProvisioningState, v.Tags)
	}
	if *v.Tags[RunIDTagKey] == *before.Tags[RunIDTagKey] {
		t.Error("the version still carries the first run's tag: it was not published again")
	}
	out := rec.text()
	del, created := strings.Index(out, "-force: version 1.0.0 deleted"), strings.Index(out, "Creating version 1.0.0")
	if del < 0 || created < del {
		t.Errorf("the delete did not finish before the create:\n%s", out)
	}
}

// TestForceRefusesForeignVersion: -force never replaces a version the plugin does not own; the emulator's
// whole inventory is unchanged.
func TestForceRefusesForeignVersion(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 2, armcompute.HyperVGenerationTypesV2)
	other := e.image("img2", "eastus", 2, armcompute.HyperVGenerationTypesV2)
	e.galleryAndDefinition()
	e.foreignVersion("1.0.0", src)
	before, err := e.srv.ARM().Inventory()
	if err != nil {
		t.Fatal(err)
	}
	req := e.request(other, "1.0.0")
	req.Force = true
	_, err = e.publisher(&recorder{}).Publish(e.ctx, req)
	if err == nil || !strings.Contains(err.Error(), "-force: version 1.0.0 is not replaced") || !strings.Contains(err.Error(), "not made by this plugin") {
		t.Fatalf("foreign version: %v", err)
	}
	after, _ := e.srv.ARM().Inventory()
	if string(before) != string(after) {
		t.Errorf("a refused -force changed the emulator's inventory")
	}
}
