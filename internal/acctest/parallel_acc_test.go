package acctest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// parallelTemplate publishes ten null builds, each from its own image, with image_version = "auto" into
// one definition. Credentials come from the ARM_* environment.
func parallelTemplate(n int) string {
	var b strings.Builder
	b.WriteString(`
packer {
  required_plugins {
    azure-gallery = {
      source  = "github.com/azure-gallery/azure-gallery"
      version = ">= 0.1.0"
    }
  }
}
variable "sources" {
  type = map(string)
}
source "null" "publish" {
  communicator = "none"
}
build {
`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  source \"null.publish\" {\n    name = \"b%d\"\n  }\n", i)
	}
	b.WriteString(`
  post-processor "azure-gallery" {
    source_image_id = var.sources[source.name]
    resource_group  = "images-rg"
    gallery_name    = "golden"
    create_gallery  = true
    image_name      = "ubuntu-server"
    publisher       = "contoso"
    offer           = "ubuntu-server"
    sku             = "22.04-lts"
    image_version   = "auto"
    target_region {
      name = "westus2"
    }
  }
}
`)
	return b.String()
}

// TestParallelAutoVersions: ten builds in parallel (packer build -parallel-builds=10 over ten sources)
// against one definition give ten distinct versions and zero failures.
func TestParallelAutoVersions(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	const n = 10
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: replicationConfig(2)})
	if err := emu.CreateResourceGroup(ctx, t, galleryRG, sourceLocation); err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for i := 0; i < n; i++ {
		id := emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: sourceRG, Location: sourceLocation, Name: fmt.Sprintf("img-%d", i)})
		pairs = append(pairs, fmt.Sprintf("b%d = %q", i, id))
	}
	// Nothing exists yet: the ten builds also race to create the gallery and the definition.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "build.pkr.hcl"), []byte(parallelTemplate(n)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "vars.auto.pkrvars.hcl"), []byte("sources = {\n"+strings.Join(pairs, "\n")+"\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := tools.PackerEnv(t, emu.Env()...)
	run := tools.RunPacker(ctx, t, dir, env, "build", "-color=false", fmt.Sprintf("-parallel-builds=%d", n), ".")
	if run.ExitCode != 0 {
		t.Fatalf("packer build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	inv, err := emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := versionNames(inv)
	if len(names) != n || len(slices.Compact(slices.Clone(names))) != n {
		t.Fatalf("want %d distinct versions, got %v", n, names)
	}
	for _, v := range inv.Versions() {
		if v.Prop("provisioningState") != "Succeeded" {
			t.Errorf("%s is %v", v.Name(), v.Prop("provisioningState"))
		}
	}
	if c := strings.Count(run.Output, "picked "); c < n {
		t.Errorf("only %d builds printed their chosen version", c)
	}
	t.Logf("versions %v; %d numbers were taken and retried", names, strings.Count(run.Output, " was taken ("))
}
