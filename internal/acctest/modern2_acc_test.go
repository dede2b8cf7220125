package acctest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// sourceTemplate publishes one source (a disk or a managed image) with the state and security type the
// variables give; empty variables are unset.
const sourceTemplate = `
packer {
  required_plugins {
    azure-gallery = {
      source  = "github.com/azure-gallery/azure-gallery"
      version = ">= 0.1.0"
    }
  }
}
variable "disk" {
  type    = string
  default = ""
}
variable "image" {
  type    = string
  default = ""
}
variable "os_state" {
  type    = string
  default = ""
}
variable "security_type" {
  type    = string
  default = ""
}
variable "image_name" { type = string }
variable "image_version" { type = string }
source "null" "x" {
  communicator = "none"
}
build {
  sources = ["source.null.x"]
  post-processor "azure-gallery" {
    source_disk_id     = var.disk
    source_image_id    = var.image
    os_state           = var.os_state
    security_type      = var.security_type
    hyper_v_generation = "V2"
    resource_group     = "images-rg"
    gallery_name       = "modern_gallery"
    create_gallery     = true
    image_name         = var.image_name
    publisher          = "contoso"
    offer              = var.image_name
    sku                = "v2"
    image_version      = var.image_version
  }
}
`

// emptyDisk creates an empty generation 2 Linux disk through the emulator's ARM API.
func emptyDisk(ctx context.Context, t *testing.T, emu *acctest.Emulator, name string) string {
	t.Helper()
	cred, opts, err := emu.ARM()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := armcompute.NewClientFactory(emu.SubscriptionID, cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := cf.NewDisksClient().BeginCreateOrUpdate(ctx, "images-rg", name, armcompute.Disk{Location: to.Ptr("eastus"),
		Properties: &armcompute.DiskProperties{CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)},
			DiskSizeGB: to.Ptr[int32](1), OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.PollUntilDone(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return *d.ID
}

// writes counts the PUT and PATCH requests on gallery resources in the request log.
func writes(ctx context.Context, t *testing.T, emu *acctest.Emulator) int {
	t.Helper()
	reqs, err := emu.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range reqs {
		m, _ := r["method"].(string)
		p, _ := r["path"].(string)
		if (m == "PUT" || m == "PATCH") && strings.Contains(strings.ToLower(p), "/galleries/") {
			n++
		}
	}
	return n
}

// TestSpecializedDiskAndTrustedLaunchUpgrade, under real Packer: a Specialized version from a managed
// disk; a Generalized managed image sent to that Specialized definition refused before any write; and a
// Standard definition upgraded to TrustedLaunchSupported by a re-run.
func TestSpecializedDiskAndTrustedLaunchUpgrade(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: replicationConfig(1)})
	if err := emu.NewResourceGroup(ctx, "images-rg", "eastus"); err != nil {
		t.Fatal(err)
	}
	disk := emptyDisk(ctx, t, emu, "specialized-os")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "source.pkr.hcl"), []byte(sourceTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	build := func(vars ...string) acctest.Run {
		return tools.RunPacker(ctx, t, dir, tools.PackerEnv(t, append(emu.Env(), vars...)...), "build", "-color=false", ".")
	}
	if run := build("PKR_VAR_disk="+disk, "PKR_VAR_os_state=Specialized", "PKR_VAR_image_name=spec", "PKR_VAR_image_version=1.0.0"); run.ExitCode != 0 {
		t.Fatalf("specialized from a disk (%d):\n%s", run.ExitCode, run.Output)
	}
	inv, err := emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := findVersion(t, inv, "1.0.0")
	if src, _ := v.Prop("storageProfile", "osDiskImage", "source", "id").(string); !strings.EqualFold(src, disk) {
		t.Errorf("version OS disk source %q; want the disk", src)
	}
	if def := inv.Find(v.ID()[:strings.LastIndex(strings.ToLower(v.ID()), "/versions/")]); def.Prop("osState") != "Specialized" {
		t.Errorf("definition osState %v", def.Prop("osState"))
	}

	image := emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: "images-rg", Name: "generalized", Location: "eastus"})
	before := writes(ctx, t, emu)
	run := build("PKR_VAR_image="+image, "PKR_VAR_image_name=spec", "PKR_VAR_image_version=1.0.1")
	if run.ExitCode == 0 || !strings.Contains(strings.Join(strings.Fields(run.Output), " "), "os_state: definition has Specialized, image has Generalized") {
		t.Errorf("a Generalized image sent to a Specialized definition (%d):\n%s", run.ExitCode, run.Output)
	}
	if after := writes(ctx, t, emu); after != before {
		t.Errorf("the refused publish wrote %d gallery resources", after-before)
	}

	// TrustedLaunchSupported takes no disk or snapshot (Azure: "Currently only Vhd Blob, User Image and
	// Gallery Image Version sources are supported"): refused by the plugin before any write.
	before = writes(ctx, t, emu)
	run = build("PKR_VAR_disk="+disk, "PKR_VAR_os_state=Specialized", "PKR_VAR_security_type=TrustedLaunchSupported", "PKR_VAR_image_name=tldisk", "PKR_VAR_image_version=1.0.0")
	if run.ExitCode == 0 || !strings.Contains(strings.Join(strings.Fields(run.Output), " "), "Currently only Vhd Blob, User Image and Gallery Image Version sources") {
		t.Errorf("a disk sent to a TrustedLaunchSupported definition (%d):\n%s", run.ExitCode, run.Output)
	}
	if after := writes(ctx, t, emu); after != before {
		t.Errorf("the refused publish wrote %d gallery resources", after-before)
	}
	// The upgrade in place, from a managed image (a source TrustedLaunchSupported takes).
	if run := build("PKR_VAR_image="+image, "PKR_VAR_security_type=Standard", "PKR_VAR_image_name=tl", "PKR_VAR_image_version=1.0.0"); run.ExitCode != 0 {
		t.Fatalf("Standard definition (%d):\n%s", run.ExitCode, run.Output)
	}
	if run := build("PKR_VAR_image="+image, "PKR_VAR_security_type=TrustedLaunchSupported", "PKR_VAR_image_name=tl", "PKR_VAR_image_version=1.0.1"); run.ExitCode != 0 {
		t.Fatalf("upgrade to TrustedLaunchSupported (%d):\n%s", run.ExitCode, run.Output)
	}
	inv, err = emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var tl acctest.Resource
	for _, r := range inv.OfType("Microsoft.Compute/galleries/images") {
		if r.Name() == "tl" || strings.HasSuffix(r.Name(), "/tl") {
			tl = r
		}
	}
	feats := toJSON(t, tl.Prop("features"))
	if !strings.Contains(feats, `"value":"TrustedLaunchSupported"`) || !strings.Contains(feats, `"startsAtVersion":"1.0.1"`) || tl.Prop("allowUpdateImage") != true {
		t.Errorf("definition after the re-run: features %s, allowUpdateImage %v", feats, tl.Prop("allowUpdateImage"))
	}
}
