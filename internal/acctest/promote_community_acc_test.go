package acctest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// communityPublishTemplate publishes 1.0.0 of acme-os into a gallery it shares with the community.
const communityPublishTemplate = `
build {
  sources = ["source.null.publish"]
  post-processor "azure-gallery" {
    source_image_id = var.source_image_id
    resource_group  = "images-rg"
    gallery_name    = "acme_public"
    create_gallery  = true
    share_with_community {
      public_name_prefix = "acme-os"
      publisher_email    = "images@example.com"
      publisher_uri      = "https://example.com"
      eula               = "https://example.com/eula"
    }
    image_name    = "acme-os"
    publisher     = "acme"
    offer         = "os"
    sku           = "1"
    image_version = "1.0.0"
  }
}
`

// communityPromoteTemplate (a format taking the community version's public ID) promotes it into a
// private gallery the build creates in eastus; the definition's OS facts come from the community image.
const communityPromoteTemplate = `
build {
  sources = ["source.null.publish"]
  post-processor "azure-gallery" {
    source_image_version_id = %q
    source_location         = "eastus"
    resource_group          = "images-rg"
    gallery_name            = "mirror"
    create_gallery          = true
    image_name              = "acme-os-mirror"
    publisher               = "me"
    offer                   = "acme-os"
    sku                     = "1"
    image_version           = "1.0.0"
  }
}
`

// communityPublicName returns the public name of the acme_public gallery from the inventory.
func communityPublicName(t *testing.T, inv acctest.Inventory) string {
	t.Helper()
	for _, g := range inv.OfType("Microsoft.Compute/galleries") {
		if g.Name() != "acme_public" {
			continue
		}
		names, _ := g.Prop("sharingProfile", "communityGalleryInfo", "publicNames").([]any)
		if len(names) == 1 {
			if s, ok := names[0].(string); ok {
				return s
			}
		}
		t.Fatalf("acme_public's community info: %v", g.Prop("sharingProfile"))
	}
	t.Fatal("gallery acme_public is not in the inventory")
	return ""
}

// TestPromoteCommunityVersionUnderPacker (issue 14): a second template promotes a community version by
// its public ID (/CommunityGalleries/{publicName}/Images/acme-os/Versions/1.0.0) into a private gallery;
// the new version's storageProfile.source is that community ID (communityGalleryImageId), its definition
// takes the community image's OS facts, and a re-run reuses the version; a direct-shared ID is refused by
// `packer validate` with Azure's rule.
func TestPromoteCommunityVersionUnderPacker(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 0.5, "publish-from-image")
	if run := tools.RunPacker(ctx, t, writeTemplate(t, communityPublishTemplate), f.env, "build", "-color=false", "."); run.ExitCode != 0 {
		t.Fatalf("community publish failed (%d):\n%s", run.ExitCode, run.Output)
	}
	public := communityPublicName(t, f.inventory(ctx, t))
	id := "/CommunityGalleries/" + public + "/Images/acme-os/Versions/1.0.0"
	promote := writeTemplate(t, fmt.Sprintf(communityPromoteTemplate, id))
	for i, want := range []string{"Image definition acme-os-mirror does not exist: creating it (Linux", "Version 1.0.0 already exists from this source and has replicated: reusing it."} {
		run := tools.RunPacker(ctx, t, promote, f.env, "build", "-color=false", ".")
		if run.ExitCode != 0 || !strings.Contains(run.Output, want) {
			t.Fatalf("promotion run %d failed (%d) or lacks %q:\n%s", i+1, run.ExitCode, want, run.Output)
		}
	}
	inv := f.inventory(ctx, t)
	var mirrored acctest.Resource
	for _, v := range inv.Versions() {
		if strings.Contains(strings.ToLower(v.ID()), "/galleries/mirror/images/acme-os-mirror/versions/1.0.0") {
			mirrored = v
		}
	}
	if mirrored == nil {
		t.Fatal("the promoted version is not in the inventory")
	}
	if got := mirrored.Prop("storageProfile", "source", "communityGalleryImageId"); got != id {
		t.Errorf("promoted version's source: %v, want communityGalleryImageId %s", mirrored.Prop("storageProfile"), id)
	}
	if got := mirrored.Prop("storageProfile", "source", "id"); got != nil {
		t.Errorf("promoted version also has source.id %v", got)
	}
	for _, d := range inv.OfType("Microsoft.Compute/galleries/images") {
		if d.Name() == "acme-os-mirror" && (d.Prop("osType") != "Linux" || d.Prop("hyperVGeneration") == nil) {
			t.Errorf("mirror definition: os %v, generation %v", d.Prop("osType"), d.Prop("hyperVGeneration"))
		}
	}

	shared := writeTemplate(t, fmt.Sprintf(communityPromoteTemplate, "/SharedGalleries/0000-1111/Images/acme-os/Versions/1.0.0"))
	run := tools.RunPacker(ctx, t, shared, f.env, "validate", ".")
	if run.ExitCode == 0 || !strings.Contains(run.Output, "source_image_version_id: a direct-shared version") {
		t.Errorf("validate of a direct-shared source: exit %d:\n%s", run.ExitCode, run.Output)
	}
}
