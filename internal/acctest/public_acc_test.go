package acctest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// publicVersion finds a version of the public image's definition in the inventory.
func publicVersion(t *testing.T, inv acctest.Inventory, name string) acctest.Resource {
	t.Helper()
	for _, v := range inv.Versions() {
		if v.Name() == name && strings.Contains(strings.ToLower(v.ID()), "/images/acme-os/versions/") {
			return v
		}
	}
	t.Fatalf("version %s of acme-os is not in the inventory", name)
	return nil
}

// publicConsumerTemplate (a format taking the community gallery's public name) reads the latest 1.x
// acme-os version of the community gallery and publishes an app image tagged with its version and id.
const publicConsumerTemplate = `
data "azure-gallery-version" "public" {
  community_gallery_name = %q
  location               = "eastus"
  image_name             = "acme-os"
  version_constraint     = "~> 1.0"
}
build {
  sources = ["source.null.publish"]
  post-processor "azure-gallery" {
    source_image_id = var.source_image_id
    resource_group  = "images-rg"
    gallery_name    = "consumer"
    create_gallery  = true
    image_name      = "app"
    publisher       = "me"
    offer           = "app"
    sku             = "1"
    image_version   = "1.0.0"
    tags = { base = data.azure-gallery-version.public.version, base_id = data.azure-gallery-version.public.id }
  }
}
`

// TestPublicImagePipeline runs example/public-image under real Packer (issue 14): 1.0.0 and 1.1.0 go to
// a community gallery created with soft delete, PreferStandard_ZRS and a PremiumV2 replica set in
// eastus; a consumer template's data source reads the community gallery by its public name and gets
// 1.1.0; `packer build -force` republishes the plugin's own 1.1.0.
func TestPublicImagePipeline(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 0.5, "public-image")
	f.env = append(f.env, "PKR_VAR_resource_group="+galleryRG)
	for _, v := range []string{"1.0.0", "1.1.0"} {
		if run := f.build(ctx, t, "PKR_VAR_image_version="+v); run.ExitCode != 0 {
			t.Fatalf("build %s failed (%d):\n%s", v, run.ExitCode, run.Output)
		}
	}
	inv := f.inventory(ctx, t)
	var g acctest.Resource
	for _, r := range inv.OfType("Microsoft.Compute/galleries") {
		if r.Name() == "acme_public" {
			g = r
		}
	}
	if g == nil || g.Prop("sharingProfile", "permissions") != "Community" || g.Prop("softDeletePolicy", "isSoftDeleteEnabled") != true {
		t.Fatalf("gallery: %v", g)
	}
	names, _ := g.Prop("sharingProfile", "communityGalleryInfo", "publicNames").([]any)
	if len(names) != 1 {
		t.Fatalf("public names: %v", g.Prop("sharingProfile", "communityGalleryInfo"))
	}
	public := names[0].(string)
	v := publicVersion(t, inv, "1.1.0")
	if v.Prop("publishingProfile", "storageAccountStrategy") != "PreferStandard_ZRS" {
		t.Errorf("strategy: %v", v.Prop("publishingProfile"))
	}
	regions, _ := v.Prop("publishingProfile", "targetRegions").([]any)
	got := []string{}
	for _, x := range regions {
		m := x.(map[string]any)
		name := strings.ToLower(strings.ReplaceAll(fmt.Sprint(m["name"]), " ", ""))
		s := fmt.Sprintf("%s:%v", name, m["storageAccountType"])
		if sets, _ := m["additionalReplicaSets"].([]any); len(sets) > 0 {
			s += fmt.Sprintf("+%v", sets[0].(map[string]any)["storageAccountType"])
		}
		got = append(got, s)
	}
	if strings.Join(got, ",") != "eastus:Standard_ZRS+PremiumV2_LRS,westeurope:Standard_ZRS" {
		t.Errorf("target regions: %v", got)
	}

	consumer := writeTemplate(t, fmt.Sprintf(publicConsumerTemplate, public))
	if run := tools.RunPacker(ctx, t, consumer, f.env, "build", "-color=false", "."); run.ExitCode != 0 {
		t.Fatalf("consumer build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	inv = f.inventory(ctx, t)
	for _, r := range inv.Versions() {
		if strings.Contains(strings.ToLower(r.ID()), "/galleries/consumer/") {
			if tg := r.Tags(); tg["base"] != "1.1.0" || tg["base_id"] != "/CommunityGalleries/"+public+"/Images/acme-os/Versions/1.1.0" {
				t.Errorf("consumer tags: %v", tg)
			}
		}
	}

	before := publicVersion(t, inv, "1.1.0").Tags()["packer-plugin-azure-gallery-run"]
	run := tools.RunPacker(ctx, t, f.dir, append(append([]string{}, f.env...), "PKR_VAR_image_version=1.1.0"), "build", "-force", "-color=false", ".")
	if run.ExitCode != 0 || !strings.Contains(run.Output, "-force: version 1.1.0 deleted") {
		t.Fatalf("build -force failed (%d):\n%s", run.ExitCode, run.Output)
	}
	after := publicVersion(t, f.inventory(ctx, t), "1.1.0").Tags()["packer-plugin-azure-gallery-run"]
	if before == "" || after == "" || before == after {
		t.Errorf("run tag of 1.1.0: %q before -force, %q after: the version was not published again", before, after)
	}
}
