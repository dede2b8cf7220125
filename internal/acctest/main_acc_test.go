package acctest_test

import (
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// TestMainExample runs the main job, example/import-and-publish/main.pkr.hcl: the import builder uploads a raw disk through
// the emulator into Azurite, and the post-processor publishes the image to three regions.
func TestMainExample(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	az := tools.StartAzurite(t)
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: replicationConfig(60), BlobEndpoint: az.BlobEndpoint})
	if err := emu.NewResourceGroup(ctx, "images-rg", "eastus"); err != nil {
		t.Fatal(err)
	}
	disk := filepath.Join(t.TempDir(), "disk.raw")
	writeRawDisk(t, disk, 24<<20, 2<<20)

	env := tools.PackerEnv(t, append(emu.Env(), "PKR_VAR_source_file="+disk)...)
	dir := filepath.Join(tools.Root, "example", "import-and-publish")
	if run := tools.RunPacker(ctx, t, dir, env, "init", "."); run.ExitCode != 0 {
		t.Fatalf("packer init with the plugin installed must need no network (%d):\n%s", run.ExitCode, run.Output)
	}
	run := tools.RunPacker(ctx, t, dir, env, "build", "-color=false", ".")
	if run.ExitCode != 0 {
		t.Fatalf("packer build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	inv, err := emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	images := inv.OfType("Microsoft.Compute/images")
	if len(images) != 1 || images[0].Name() != "demo-linux-1-0-0" {
		t.Fatalf("want the imported managed image demo-linux-1-0-0, got %d images", len(images))
	}
	if disks := inv.OfType("Microsoft.Compute/disks"); len(disks) != 0 {
		t.Errorf("the temporary upload disk was left behind: %s", disks[0].ID())
	}
	versions := inv.Versions()
	if len(versions) != 1 {
		t.Fatalf("want 1 version, got %d", len(versions))
	}
	v := versions[0]
	if v.Prop("provisioningState") != "Succeeded" || v.Tags()["pipeline"] != "demo" {
		t.Errorf("version %s: state %v, tags %v", v.ID(), v.Prop("provisioningState"), v.Tags())
	}
	if src, _ := v.Prop("storageProfile", "source", "id").(string); !strings.EqualFold(src, images[0].ID()) {
		t.Errorf("version source = %q, want the imported image %q", src, images[0].ID())
	}
	trs, _ := v.Prop("publishingProfile", "targetRegions").([]any)
	if len(trs) != 3 {
		t.Errorf("want 3 target regions, got %v", trs)
	}
}

// TestValidateReportsEveryError: `packer validate` reports several config errors at once, each naming
// its field, without any Azure endpoint.
func TestValidateReportsEveryError(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env := tools.PackerEnv(t,
		"ARM_SUBSCRIPTION_ID=00000000-0000-0000-0000-000000000001",
		"PKR_VAR_source_image_id=https://acct.blob.core.windows.net/vhds/os.vhd",
		"PKR_VAR_image_version=1.0",
		`PKR_VAR_regions=["eastus", "East US"]`,
	)
	run := tools.RunPacker(ctx, t, filepath.Join(tools.Root, "example", "publish-from-image"), env, "validate", ".")
	if run.ExitCode == 0 {
		t.Fatalf("validate accepted a broken configuration:\n%s", run.Output)
	}
	for _, want := range []string{"source_image_id", "image_version", "target_region[1].name"} {
		if !strings.Contains(run.Output, want) {
			t.Errorf("validate output does not name %s:\n%s", want, run.Output)
		}
	}
}

// writeRawDisk writes a sparse raw disk whose first data bytes are random.
func writeRawDisk(t *testing.T, path string, size, data int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.Reader, data); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
}
