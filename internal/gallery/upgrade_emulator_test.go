package gallery

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

// snapshot creates an Arm64-or-x64, generation 2 snapshot of an empty disk in loc.
func (e *env) snapshot(name, loc string, arch armcompute.Architecture) string {
	e.t.Helper()
	p, err := e.compute.NewDisksClient().BeginCreateOrUpdate(e.ctx, testRG, name+"-disk", armcompute.Disk{Location: to.Ptr(loc),
		Properties: &armcompute.DiskProperties{CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)},
			DiskSizeGB: to.Ptr[int32](2), OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2),
			SupportedCapabilities: &armcompute.SupportedCapabilities{Architecture: to.Ptr(arch)}}}, nil)
	disk := done(e.t, "disk", p, err)
	sp, err := e.compute.NewSnapshotsClient().BeginCreateOrUpdate(e.ctx, testRG, name, armcompute.Snapshot{Location: to.Ptr(loc),
		Properties: &armcompute.SnapshotProperties{CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionCopy), SourceResourceID: disk.ID}}}, nil)
	s := done(e.t, "snapshot", sp, err)
	return *s.ID
}

// TestPublishFromSnapshotAndUpgradeTrustedLaunch publishes a Standard definition from a snapshot (the
// version's OS disk source is the snapshot; its definition takes the snapshot's Arm64), then a re-run
// asking for TrustedLaunchSupported upgrades the definition in place (SecurityType feature with
// startsAtVersion and allowUpdateImage) instead of failing, and publishes the next version.
func TestPublishFromSnapshotAndUpgradeTrustedLaunch(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	snap := e.snapshot("snap1", "eastus", armcompute.ArchitectureArm64)
	rec := &recorder{}
	req := e.request(snap, "1.0.0", "eastus", "westus")
	// No security_type: a snapshot's definition is created Standard, not Azure's TrustedLaunchSupported
	// default, which would refuse the snapshot.
	if _, err := e.publisher(rec).Publish(e.ctx, req); err != nil {
		t.Fatalf("publish: %v\n%s", err, rec.text())
	}
	v, err := e.version("1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if sp := v.Properties.StorageProfile; sp.Source != nil || sp.OSDiskImage == nil || !strings.EqualFold(*sp.OSDiskImage.Source.ID, snap) {
		t.Errorf("storage profile %+v", sp)
	}
	d, err := e.compute.NewGalleryImagesClient().Get(e.ctx, testRG, testGallery, testDef, nil)
	if err != nil {
		t.Fatal(err)
	}
	if def := definitionFrom(d.GalleryImage); def.Architecture != "Arm64" || def.SecurityType != "Standard" {
		t.Fatalf("definition %+v", def)
	}

	// TrustedLaunchSupported takes no snapshot: refused before any write, with Azure's rule.
	req.Version.Version, req.Definition.SecurityType = "1.0.1", "TrustedLaunchSupported"
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, req); err == nil || !strings.Contains(err.Error(), "Currently only Vhd Blob, User Image and Gallery Image Version sources") {
		t.Fatalf("TrustedLaunchSupported from a snapshot: %v", err)
	}
	if _, err := e.version("1.0.1"); err == nil {
		t.Fatal("version 1.0.1 was created from a snapshot into a TrustedLaunchSupported definition")
	}
	// The same upgrade with a VHD blob source (one TrustedLaunchSupported takes) goes ahead in place.
	req.SourceID = "https://acct.blob.core.windows.net/vhds/arm64.vhd"
	req.SourceStorageAccountID = "/subscriptions/" + e.ready.SubscriptionID + "/resourceGroups/" + testRG + "/providers/Microsoft.Storage/storageAccounts/acct"
	req.SourceLocation = "eastus"
	req.Definition.OSType, req.Definition.HyperVGeneration = "Linux", "V2" // Azure cannot tell them from a VHD
	rec = &recorder{}
	if _, err := e.publisher(rec).Publish(e.ctx, req); err != nil {
		t.Fatalf("upgrade: %v\n%s", err, rec.text())
	}
	d, err = e.compute.NewGalleryImagesClient().Get(e.ctx, testRG, testGallery, testDef, nil)
	if err != nil {
		t.Fatal(err)
	}
	pr := d.Properties
	if pr.AllowUpdateImage == nil || !*pr.AllowUpdateImage || len(pr.Features) != 1 || *pr.Features[0].Value != "TrustedLaunchSupported" ||
		pr.Features[0].StartsAtVersion == nil || *pr.Features[0].StartsAtVersion != "1.0.1" {
		t.Errorf("definition after the upgrade: allowUpdateImage %v, features %s", pr.AllowUpdateImage, featuresText(pr.Features))
	}
	if !strings.Contains(rec.text(), "security_type") {
		t.Errorf("the upgrade was not reported:\n%s", rec.text())
	}

	// A change Azure does not allow in place is still refused before any write.
	req.Version.Version, req.Definition.SecurityType = "1.0.2", "ConfidentialVM"
	req.SourceID, req.SourceStorageAccountID, req.SourceLocation = snap, "", ""
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, req); err == nil || !strings.Contains(err.Error(), "security_type: definition has TrustedLaunchSupported") {
		t.Errorf("ConfidentialVM on a Trusted Launch definition: %v", err)
	}
}

func featuresText(fs []*armcompute.GalleryImageFeature) string {
	var parts []string
	for _, f := range fs {
		s := deref(f.Name) + "=" + deref(f.Value)
		if f.StartsAtVersion != nil {
			s += "@" + *f.StartsAtVersion
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}
