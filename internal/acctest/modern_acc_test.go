package acctest_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// TestArm64ImportPublishesSnapshot runs example/arm64 under real Packer: the import builder uploads a
// raw Arm64 disk and leaves a snapshot, and the post-processor publishes it to two regions. No managed
// image is ever PUT (Azure refuses Arm64 ones), the version's OS disk source is the snapshot, and the
// definition is Arm64.
func TestArm64ImportPublishesSnapshot(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	az := tools.StartAzurite(t)
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: replicationConfig(60), BlobEndpoint: az.BlobEndpoint})
	if err := emu.NewResourceGroup(ctx, "images-rg", "eastus"); err != nil {
		t.Fatal(err)
	}
	disk := filepath.Join(t.TempDir(), "arm64.raw")
	writeRawDisk(t, disk, 24<<20, 2<<20)
	env := tools.PackerEnv(t, append(emu.Env(), "PKR_VAR_source_file="+disk)...)
	run := tools.RunPacker(ctx, t, filepath.Join(tools.Root, "example", "arm64"), env, "build", "-color=false", ".")
	if run.ExitCode != 0 {
		t.Fatalf("packer build failed (%d):\n%s", run.ExitCode, run.Output)
	}

	reqs, err := emu.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	snapshotPUTs := 0
	for _, r := range reqs {
		method, _ := r["method"].(string)
		path, _ := r["path"].(string)
		lower := strings.ToLower(path)
		if method == "PUT" && strings.Contains(lower, "/providers/microsoft.compute/images/") {
			t.Errorf("a managed image was PUT: %s", path)
		}
		if method == "PUT" && strings.Contains(lower, "/providers/microsoft.compute/snapshots/") {
			snapshotPUTs++
		}
	}
	if snapshotPUTs != 1 {
		t.Errorf("%d snapshot PUTs in the request log; want 1", snapshotPUTs)
	}

	inv, err := emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(inv.OfType("Microsoft.Compute/images")); n != 0 {
		t.Errorf("%d managed images exist; want none", n)
	}
	snaps := inv.OfType("Microsoft.Compute/snapshots")
	if len(snaps) != 1 || snaps[0].Name() != "ubuntu-arm64-1-0-0" || snaps[0].Prop("supportedCapabilities", "architecture") != "Arm64" {
		t.Fatalf("want the Arm64 snapshot ubuntu-arm64-1-0-0, got %v", snaps)
	}
	versions := inv.Versions()
	if len(versions) != 1 {
		t.Fatalf("want 1 version, got %d", len(versions))
	}
	v := versions[0]
	if src, _ := v.Prop("storageProfile", "osDiskImage", "source", "id").(string); !strings.EqualFold(src, snaps[0].ID()) {
		t.Errorf("version OS disk source = %q, want the snapshot %q", src, snaps[0].ID())
	}
	if v.Prop("storageProfile", "source") != nil {
		t.Errorf("version has storageProfile.source %v; a snapshot goes in osDiskImage.source", v.Prop("storageProfile", "source"))
	}
	if trs := targetRegions(v); len(trs) != 2 {
		t.Errorf("target regions %v; want eastus and westus2", trs)
	}
	def := inv.Find(v.ID()[:strings.LastIndex(strings.ToLower(v.ID()), "/versions/")])
	if def == nil || def.Prop("architecture") != "Arm64" || def.Prop("hyperVGeneration") != "V2" || def.Prop("osType") != "Linux" {
		t.Errorf("definition %v; want Arm64, V2, Linux", def)
	}
}

// refusedTemplate holds three post-processors that Azure would refuse: a Confidential VM and an Arm64
// definition fed from a managed image, and a VHD without its storage account.
const refusedTemplate = `
packer {
  required_plugins {
    azure-gallery = {
      source  = "github.com/azure-gallery/azure-gallery"
      version = ">= 0.1.0"
    }
  }
}
source "null" "x" {
  communicator = "none"
}
locals {
  image = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/images/img"
}
build {
  sources = ["source.null.x"]
  post-processor "azure-gallery" {
    source_image_id = local.image
    security_type   = "ConfidentialVM"
    resource_group  = "rg"
    gallery_name    = "g"
    image_name      = "cvm"
    image_version   = "1.0.0"
    create_image    = false
  }
  post-processor "azure-gallery" {
    source_image_id    = local.image
    architecture       = "Arm64"
    hyper_v_generation = "V2"
    resource_group     = "rg"
    gallery_name       = "g"
    image_name         = "arm"
    image_version      = "1.0.0"
    create_image       = false
  }
  post-processor "azure-gallery" {
    source_vhd_uri = "https://acct.blob.core.windows.net/vhds/os.vhd"
    os_type        = "Linux"
    resource_group = "rg"
    gallery_name   = "g"
    image_name     = "vhd"
    image_version  = "1.0.0"
    create_image   = false
  }
}
`

// TestValidateRefusesModernCombinations: `packer validate` refuses, without Azure, what Azure refuses
// (a Confidential VM or Arm64 definition from a managed image, a VHD without its storage account),
// naming the field and Azure's rule; the Confidential VM example validates.
func TestValidateRefusesModernCombinations(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"ARM_SUBSCRIPTION_ID=00000000-0000-0000-0000-000000000001", "ARM_TENANT_ID=t", "ARM_CLIENT_ID=c", "ARM_CLIENT_SECRET=s"}
	ok := tools.RunPacker(ctx, t, filepath.Join(tools.Root, "example", "confidential-vm"), tools.PackerEnv(t, append(base,
		"PKR_VAR_snapshot_id=/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/snapshots/cvm")...), "validate", ".")
	if ok.ExitCode != 0 {
		t.Fatalf("the Confidential VM example does not validate:\n%s", ok.Output)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "refused.pkr.hcl"), []byte(refusedTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := tools.RunPacker(ctx, t, dir, tools.PackerEnv(t, base...), "validate", ".")
	if bad.ExitCode == 0 {
		t.Fatalf("validate accepted what Azure refuses:\n%s", bad.Output)
	}
	for _, want := range []string{
		"security_type: a ConfidentialVM definition cannot take a managed image",
		"Currently Snapshot, Disk and VM sources are supported for the Confidential VM security type",
		"architecture: an Arm64 image cannot come from a managed image",
		"CPU Architecture 'Arm64' is not supported",
		"source_vhd_uri needs source_storage_account_id",
	} {
		// Packer wraps long messages; compare with the whitespace folded.
		if !strings.Contains(strings.Join(strings.Fields(bad.Output), " "), want) {
			t.Errorf("validate output lacks %q:\n%s", want, bad.Output)
		}
	}
}

// cvmTemplate publishes a Confidential VM version from a snapshot to two regions with NonPersistedTPM,
// with data disks at LUN 0 (a snapshot) and LUN 1 (a VHD blob), each region's disk encryption set
// covering both LUNs.
const cvmTemplate = `
packer {
  required_plugins {
    azure-gallery = {
      source  = "github.com/azure-gallery/azure-gallery"
      version = ">= 0.1.0"
    }
  }
}
variable "os_snapshot" { type = string }
variable "data_snapshot" { type = string }
variable "data_vhd" { type = string }
variable "account" { type = string }
variable "des_east" { type = string }
variable "des_west" { type = string }
source "null" "x" {
  communicator = "none"
}
build {
  sources = ["source.null.x"]
  post-processor "azure-gallery" {
    source_snapshot_id = var.os_snapshot
    resource_group     = "images-rg"
    gallery_name       = "cvm_gallery"
    create_gallery     = true
    image_name         = "ubuntu-cvm"
    publisher          = "contoso"
    offer              = "ubuntu-cvm"
    sku                = "22_04-cvm"
    security_type      = "ConfidentialVM"
    image_version      = "1.0.0"
    data_disk {
      lun                = 0
      source_snapshot_id = var.data_snapshot
    }
    data_disk {
      lun                       = 1
      source_vhd_uri            = var.data_vhd
      source_storage_account_id = var.account
      host_caching              = "ReadOnly"
    }
    target_region {
      name                            = "eastus"
      confidential_vm_encryption_type = "NonPersistedTPM"
      disk_encryption_set_id          = var.des_east
    }
    target_region {
      name                            = "westus2"
      confidential_vm_encryption_type = "NonPersistedTPM"
      disk_encryption_set_id          = var.des_west
    }
  }
}
`

// newSnapshot creates an empty disk and a snapshot of it through the emulator's ARM API.
func newSnapshot(ctx context.Context, t *testing.T, emu *acctest.Emulator, name string, security armcompute.DiskSecurityTypes) string {
	t.Helper()
	cred, opts, err := emu.ARM()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := armcompute.NewClientFactory(emu.SubscriptionID, cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	props := &armcompute.DiskProperties{
		CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)},
		DiskSizeGB:   to.Ptr[int32](1), OSType: to.Ptr(armcompute.OperatingSystemTypesLinux),
		HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2),
	}
	if security != "" {
		props.SecurityProfile = &armcompute.DiskSecurityProfile{SecurityType: to.Ptr(security)}
	}
	dp, err := cf.NewDisksClient().BeginCreateOrUpdate(ctx, "images-rg", name+"-disk", armcompute.Disk{Location: to.Ptr("eastus"), Properties: props}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := dp.PollUntilDone(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := cf.NewSnapshotsClient().BeginCreateOrUpdate(ctx, "images-rg", name, armcompute.Snapshot{Location: to.Ptr("eastus"),
		Properties: &armcompute.SnapshotProperties{CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionCopy), SourceResourceID: d.ID}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sp.PollUntilDone(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return *s.ID
}

// TestConfidentialVMWithDataDisks publishes a Confidential VM version from a snapshot with two data
// disks under real Packer, and checks the version's storage profile and per-region encryption.
func TestConfidentialVMWithDataDisks(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	az := tools.StartAzurite(t)
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: replicationConfig(60), BlobEndpoint: az.BlobEndpoint})
	if err := emu.NewResourceGroup(ctx, "images-rg", "eastus"); err != nil {
		t.Fatal(err)
	}
	osSnap := newSnapshot(ctx, t, emu, "cvm-os", armcompute.DiskSecurityTypesConfidentialVMNonPersistedTPM)
	dataSnap := newSnapshot(ctx, t, emu, "cvm-data0", "")
	sub := "/subscriptions/" + emu.SubscriptionID + "/resourceGroups/images-rg/providers/"
	desEast, desWest := sub+"Microsoft.Compute/diskEncryptionSets/des-east", sub+"Microsoft.Compute/diskEncryptionSets/des-west"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cvm.pkr.hcl"), []byte(cvmTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	env := tools.PackerEnv(t, append(emu.Env(), "PKR_VAR_os_snapshot="+osSnap, "PKR_VAR_data_snapshot="+dataSnap,
		"PKR_VAR_data_vhd="+az.BlobEndpoint+"/vhds/data1.vhd", "PKR_VAR_account="+sub+"Microsoft.Storage/storageAccounts/devstoreaccount1",
		"PKR_VAR_des_east="+desEast, "PKR_VAR_des_west="+desWest)...)
	run := tools.RunPacker(ctx, t, dir, env, "build", "-color=false", ".")
	if run.ExitCode != 0 {
		t.Fatalf("packer build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	inv, err := emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	versions := inv.Versions()
	if len(versions) != 1 {
		t.Fatalf("want 1 version, got %d", len(versions))
	}
	v := versions[0]
	if src, _ := v.Prop("storageProfile", "osDiskImage", "source", "id").(string); !strings.EqualFold(src, osSnap) {
		t.Errorf("OS disk source %q; want %q", src, osSnap)
	}
	dds, _ := v.Prop("storageProfile", "dataDiskImages").([]any)
	if len(dds) != 2 {
		t.Fatalf("data disk images %v", dds)
	}
	d0, _ := dds[0].(map[string]any)
	d1, _ := dds[1].(map[string]any)
	s0, _ := d0["source"].(map[string]any)
	s1, _ := d1["source"].(map[string]any)
	if d0["lun"] != float64(0) || !strings.EqualFold(s0["id"].(string), dataSnap) || d1["lun"] != float64(1) || !strings.HasSuffix(s1["uri"].(string), "/vhds/data1.vhd") || d1["hostCaching"] != "ReadOnly" {
		t.Errorf("data disk images %v", dds)
	}
	trs, _ := v.Prop("publishingProfile", "targetRegions").([]any)
	if len(trs) != 2 {
		t.Fatalf("target regions %v", trs)
	}
	for _, x := range trs {
		tr, _ := x.(map[string]any)
		enc := toJSON(t, tr["encryption"])
		for _, want := range []string{`"confidentialVMEncryptionType":"NonPersistedTPM"`, `"lun":0`, `"lun":1`} {
			if !strings.Contains(enc, want) {
				t.Errorf("region %v encryption %s lacks %s", tr["name"], enc, want)
			}
		}
	}
	def := inv.Find(v.ID()[:strings.LastIndex(strings.ToLower(v.ID()), "/versions/")])
	if !strings.Contains(toJSON(t, def.Prop("features")), `"value":"ConfidentialVM"`) {
		t.Errorf("definition features %v", def.Prop("features"))
	}
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
