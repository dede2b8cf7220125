package acctest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// dataSourceFirstTemplate publishes 1.0.0 of ubuntu-server from the source image.
const dataSourceFirstTemplate = `
build {
  sources = ["source.null.publish"]
  post-processor "azure-gallery" {
    source_image_id = var.source_image_id
    resource_group  = "images-rg"
    gallery_name    = "golden"
    create_gallery  = true
    image_name      = "ubuntu-server"
    publisher       = "acme"
    offer           = "ubuntu"
    sku             = "24_04"
    image_version   = "1.0.0"
  }
}
`

// dataSourceSecondTemplate reads the latest ubuntu-server version with the data source and promotes it
// into ubuntu-server-prod, by its id and version, tagging it with the version and location.
const dataSourceSecondTemplate = `
data "azure-gallery-version" "latest" {
  resource_group = "images-rg"
  gallery_name   = "golden"
  image_name     = "ubuntu-server"
}
build {
  sources = ["source.null.publish"]
  post-processor "azure-gallery" {
    source_image_version_id = data.azure-gallery-version.latest.id
    resource_group          = "images-rg"
    gallery_name            = "golden"
    image_name              = "ubuntu-server-prod"
    publisher               = "acme"
    offer                   = "ubuntu"
    sku                     = "24_04-prod"
    image_version           = data.azure-gallery-version.latest.version
    tags = {
      base          = data.azure-gallery-version.latest.version
      base_location = data.azure-gallery-version.latest.location
    }
  }
}
`

// TestDataSourceFeedsSecondBuild: a first build publishes 1.0.0; a second build reads it back with the
// azure-gallery-version data source and promotes it, by the data source's id and version, into a second
// definition, recording the version in a tag. The inventory shows the second build used those values.
func TestDataSourceFeedsSecondBuild(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: replicationConfig(1)})
	src := emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: sourceRG, Location: sourceLocation, Name: "ubuntu-base"})
	if err := emu.CreateResourceGroup(ctx, t, galleryRG, sourceLocation); err != nil {
		t.Fatal(err)
	}
	env := append(tools.PackerEnv(t, emu.Env()...), "PKR_VAR_source_image_id="+src)

	first := writeTemplate(t, dataSourceFirstTemplate)
	if run := tools.RunPacker(ctx, t, first, env, "build", "-color=false", "."); run.ExitCode != 0 {
		t.Fatalf("first packer build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	inv, err := emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Versions()) != 1 {
		t.Fatalf("after the first build: %d versions, want 1", len(inv.Versions()))
	}
	firstID := inv.Versions()[0].ID()

	second := writeTemplate(t, dataSourceSecondTemplate)
	run := tools.RunPacker(ctx, t, second, env, "build", "-color=false", ".")
	if run.ExitCode != 0 {
		t.Fatalf("second packer build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	inv, err = emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var promoted acctest.Resource
	for _, v := range inv.Versions() {
		if strings.Contains(strings.ToLower(v.ID()), "/images/ubuntu-server-prod/versions/") {
			promoted = v
		}
	}
	if promoted == nil {
		t.Fatalf("no version in ubuntu-server-prod after the second build; versions: %d\n%s", len(inv.Versions()), run.Output)
	}
	if promoted.Name() != "1.0.0" {
		t.Errorf("promoted version is %q, want 1.0.0 (the data source's version)", promoted.Name())
	}
	if st := promoted.Prop("provisioningState"); st != "Succeeded" {
		t.Errorf("promoted provisioningState = %v, want Succeeded", st)
	}
	if got, _ := promoted.Prop("storageProfile", "source", "id").(string); !strings.EqualFold(got, firstID) {
		t.Errorf("promoted storageProfile.source.id = %q, want the first version %q", got, firstID)
	}
	tags := promoted.Tags()
	if tags["base"] != "1.0.0" || tags["base_location"] != sourceLocation {
		t.Errorf("promoted tags = %v, want base=1.0.0 and base_location=%s", tags, sourceLocation)
	}
	if len(inv.Versions()) != 2 {
		t.Errorf("after the second build: %d versions, want 2", len(inv.Versions()))
	}
}
