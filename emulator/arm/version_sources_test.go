package arm

import (
	"strings"
	"testing"
)

// snapshotFixture adds an Arm64, generation 2 snapshot copied from an Empty disk in westus, a Standard
// definition (the fixture's definition from now on) and a ConfidentialVM definition.
func snapshotFixture(h *harness) (fixture, string, string) {
	f := h.baseFixture("westus", "V2", "Generalized")
	disk := computePath(f.rg, "disks/armdisk")
	h.put(202, disk, apiDisk, map[string]any{"location": "westus", "properties": map[string]any{
		"creationData": map[string]any{"createOption": "Empty"}, "diskSizeGB": 8, "hyperVGeneration": "V2", "osType": "Linux",
		"supportedCapabilities": map[string]any{"architecture": "Arm64"}}})
	snap := computePath(f.rg, "snapshots/armsnap")
	h.put(202, snap, apiDisk, map[string]any{"location": "westus", "properties": map[string]any{
		"creationData": map[string]any{"createOption": "Copy", "sourceResourceId": disk}}})
	// Snapshots and disks publish into a Standard definition: the base fixture's V2 definition defaults to
	// TrustedLaunchSupported (2025-03-03 on), which takes only VHDs, managed images and gallery versions.
	std := defBody("westus", "Linux", "Generalized", "V2", "std")
	obj(std, "properties")["features"] = []any{map[string]any{"name": "SecurityType", "value": "Standard"}}
	h.put(201, computePath(f.rg, "galleries/"+f.gallery+"/images/std"), apiGallery, std)
	f.def = "std"
	cvm := computePath(f.rg, "galleries/"+f.gallery+"/images/cvm")
	b := defBody("westus", "Linux", "Generalized", "V2", "cvm")
	obj(b, "properties")["features"] = []any{map[string]any{"name": "SecurityType", "value": "ConfidentialVM"}}
	h.put(201, cvm, apiGallery, b)
	return f, snap, cvm
}

func osDiskVersionBody(loc string, src map[string]any, regions ...any) map[string]any {
	return map[string]any{"location": loc, "properties": map[string]any{
		"publishingProfile": map[string]any{"targetRegions": regions},
		"storageProfile":    map[string]any{"osDiskImage": map[string]any{"source": src, "hostCaching": "ReadOnly"}}}}
}

// TestSnapshotSourceVersion publishes a snapshot as in GalleryImageVersion_Create_WithSnapshotsAsSource:
// the snapshot keeps the disk's architecture, and the version names it as its OS disk source.
func TestSnapshotSourceVersion(t *testing.T) {
	h := newHarness(t, Options{})
	f, snap, _ := snapshotFixture(h)
	s := h.must(200, "GET", withAPI(snap, apiDisk), nil)
	if got := str(obj(s.Body, "properties", "supportedCapabilities"), "architecture"); got != "Arm64" {
		t.Fatalf("snapshot architecture %q; want Arm64 copied from the disk", got)
	}
	h.put(201, f.versionPath("1.0.0"), apiGallery, osDiskVersionBody("westus", map[string]any{"id": snap}, region("westus", 1), region("eastus", 1)))
	v := h.must(200, "GET", withAPI(f.versionPath("1.0.0"), apiGallery), nil)
	od := obj(v.Body, "properties", "storageProfile", "osDiskImage")
	if !strings.EqualFold(str(obj(od, "source"), "id"), snap) || num2(od, "sizeInGB") != 8 {
		t.Errorf("osDiskImage %v", od)
	}
	// Data disks from a snapshot and a disk, as in the example: sizes from the sources, caching None.
	body := osDiskVersionBody("westus", map[string]any{"id": snap}, region("westus", 1))
	obj(body, "properties", "storageProfile")["dataDiskImages"] = []any{map[string]any{"lun": 1, "source": map[string]any{"id": f.diskID}}}
	h.put(201, f.versionPath("1.0.1"), apiGallery, body)
	v = h.must(200, "GET", withAPI(f.versionPath("1.0.1"), apiGallery), nil)
	dd := list(obj(v.Body, "properties", "storageProfile"), "dataDiskImages")
	if m, _ := dd[0].(map[string]any); len(dd) != 1 || num2(m, "sizeInGB") != 4 || str(m, "hostCaching") != "None" {
		t.Errorf("dataDiskImages %v", dd)
	}
}

func num2(m map[string]any, k string) int64 { n, _ := num(m, k); return n }

// TestVersionSourceRefusals checks Azure's refusals for snapshot, VHD and Confidential VM sources, and
// the managed image refusal of an Arm64 snapshot.
func TestVersionSourceRefusals(t *testing.T) {
	h := newHarness(t, Options{})
	f, snap, cvm := snapshotFixture(h)
	r := h.do("PUT", withAPI(computePath(f.rg, "images/armimg"), apiImage), map[string]any{"location": "westus", "properties": map[string]any{
		"hyperVGeneration": "V2", "storageProfile": map[string]any{"osDisk": map[string]any{"osType": "Linux", "osState": "Generalized", "snapshot": map[string]any{"id": snap}}}}})
	if r.Status != 409 || r.errCode() != "OperationNotAllowed" || !strings.Contains(string(r.Raw), "Creating an image with snapshot source that has CPU Architecture 'Arm64' is not supported") {
		t.Errorf("Arm64 managed image: %d %s", r.Status, r.Raw)
	}
	r = h.do("PUT", withAPI(cvm+"/versions/1.0.0", apiGallery), versionBody("westus", f.imageID))
	if r.Status != 400 || r.errCode() != "InvalidParameter" || !strings.Contains(string(r.Raw), "Currently Snapshot, Disk and VM sources are supported for the Confidential VM security type") {
		t.Errorf("ConfidentialVM from a managed image: %d %s", r.Status, r.Raw)
	}
	r = h.do("PUT", withAPI(f.versionPath("1.0.1"), apiGallery), osDiskVersionBody("westus", map[string]any{"uri": "https://acct.blob.core.windows.net/vhds/os.vhd"}))
	if r.Status != 400 || !strings.Contains(string(r.Raw), "osDiskImage.source.storageAccountId") {
		t.Errorf("VHD without storage account: %d %s", r.Status, r.Raw)
	}
	cmk := region("westus", 1)
	cmk["encryption"] = map[string]any{"osDiskImage": map[string]any{"securityProfile": map[string]any{"confidentialVMEncryptionType": "EncryptedWithCmk"}}}
	r = h.do("PUT", withAPI(cvm+"/versions/1.0.0", apiGallery), osDiskVersionBody("westus", map[string]any{"id": snap}, cmk))
	if r.Status != 400 || !strings.Contains(string(r.Raw), "secureVMDiskEncryptionSetId") {
		t.Errorf("EncryptedWithCmk without its set: %d %s", r.Status, r.Raw)
	}
	tpm := region("westus", 1)
	tpm["encryption"] = map[string]any{"osDiskImage": map[string]any{"securityProfile": map[string]any{"confidentialVMEncryptionType": "nonpersistedtpm"}}}
	h.put(201, cvm+"/versions/1.0.0", apiGallery, osDiskVersionBody("westus", map[string]any{"id": snap}, tpm, region("eastus", 1)))
	v := h.must(200, "GET", withAPI(cvm+"/versions/1.0.0", apiGallery), nil)
	if got := lookup(obj(v.Body, "properties"), "publishingProfile"); !strings.Contains(toJSON(got), `"confidentialVMEncryptionType":"NonPersistedTPM"`) {
		t.Errorf("ConfidentialVM version from a snapshot: %s", toJSON(got))
	}
}
