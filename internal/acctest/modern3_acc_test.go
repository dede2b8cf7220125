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

// importDataDisksTemplate imports an OS disk and a data disk at LUN 1 as snapshots and publishes them.
const importDataDisksTemplate = `
packer {
  required_plugins {
    azure-gallery = {
      source  = "github.com/azure-gallery/azure-gallery"
      version = ">= 0.1.0"
    }
  }
}
variable "os_file" { type = string }
variable "data_file" { type = string }
source "azure-gallery-import" "disks" {
  source_file        = var.os_file
  resource_group     = "images-rg"
  location           = "eastus"
  image_name         = "app-1-0-0"
  os_type            = "Linux"
  hyper_v_generation = "V2"
  data_disk_file {
    lun  = 1
    path = var.data_file
  }
}
build {
  sources = ["source.azure-gallery-import.disks"]
  post-processor "azure-gallery" {
    resource_group = "images-rg"
    gallery_name   = "app_gallery"
    create_gallery = true
    image_name     = "app"
    publisher      = "contoso"
    offer          = "app"
    sku            = "v2"
    image_version  = "1.0.0"
  }
}
`

// TestImportDataDiskFilesPublished: the import builder's data disk snapshot crosses Packer's RPC in the
// artifact and becomes the version's data disk at LUN 1, next to the OS disk snapshot.
func TestImportDataDiskFilesPublished(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	az := tools.StartAzurite(t)
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: replicationConfig(60), BlobEndpoint: az.BlobEndpoint})
	if err := emu.NewResourceGroup(ctx, "images-rg", "eastus"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	osFile, dataFile := filepath.Join(dir, "os.raw"), filepath.Join(dir, "data.raw")
	writeRawDisk(t, osFile, 21<<20, 1<<20)
	writeRawDisk(t, dataFile, 22<<20, 1<<20)
	if err := os.WriteFile(filepath.Join(dir, "disks.pkr.hcl"), []byte(importDataDisksTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	env := tools.PackerEnv(t, append(emu.Env(), "PKR_VAR_os_file="+osFile, "PKR_VAR_data_file="+dataFile)...)
	if run := tools.RunPacker(ctx, t, dir, env, "build", "-color=false", "."); run.ExitCode != 0 {
		t.Fatalf("packer build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	inv, err := emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := findVersion(t, inv, "1.0.0")
	if src, _ := v.Prop("storageProfile", "osDiskImage", "source", "id").(string); !strings.HasSuffix(strings.ToLower(src), "/snapshots/app-1-0-0") {
		t.Errorf("OS disk source %q", src)
	}
	dds, _ := v.Prop("storageProfile", "dataDiskImages").([]any)
	d, _ := func() (map[string]any, bool) {
		if len(dds) != 1 {
			return nil, false
		}
		m, ok := dds[0].(map[string]any)
		return m, ok
	}()
	src, _ := d["source"].(map[string]any)
	id, _ := src["id"].(string)
	if d == nil || d["lun"] != float64(1) || !strings.HasSuffix(strings.ToLower(id), "/snapshots/app-1-0-0-lun1") || d["sizeInGB"] != float64(1) {
		t.Errorf("data disk images %v", dds)
	}
	if n := len(inv.OfType("Microsoft.Compute/disks")); n != 0 {
		t.Errorf("%d temporary disks left", n)
	}
}
