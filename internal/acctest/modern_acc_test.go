package acctest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// TestArm64ImportPublishesSnapshot runs example/arm64 under real Packer: the import builder uploads a
// raw Arm64 disk and leaves a snapshot, and the post-processor publishes it to two regions. No managed
// image is ever PUT (Azure refuses Arm64 ones), the version's OS disk source is the snapshot, and the
// definition is Arm64.
func TestArm64ImportPublishesSnapshot(t *testing.T) {
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
		if !strings.Contains(bad.Output, want) {
			t.Errorf("validate output lacks %q:\n%s", want, bad.Output)
		}
	}
}
