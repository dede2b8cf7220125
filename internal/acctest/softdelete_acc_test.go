package acctest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// softDeleteTemplate publishes image_version with soft delete on the created gallery and keeps one version.
const softDeleteTemplate = `
variable "image_version" {
  type = string
}
build {
  sources = ["source.null.publish"]
  post-processor "azure-gallery" {
    source_image_id = var.source_image_id
    resource_group  = "images-rg"
    gallery_name    = "golden"
    create_gallery  = true
    soft_delete {
      retention_days = 10
    }
    image_name    = "ubuntu-server"
    publisher     = "acme"
    offer         = "ubuntu"
    sku           = "24_04"
    image_version = var.image_version
    keep_versions = 1
  }
}
`

// TestSoftDeleteRetentionUnderPacker (issue 14): with soft delete on, retention's delete leaves the old
// version soft-deleted (a record in the inventory, no version) and says it is recoverable for 10 days;
// re-running the deleted version's build restores it. ("auto" skipping a soft-deleted number is
// internal/gallery's TestSoftDeleteRetentionAutoAndRestore: under Packer the highest number cannot be
// soft-deleted without a hand-made delete.)
func TestSoftDeleteRetentionUnderPacker(t *testing.T) {
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 0.5, "publish-from-image")
	dir := writeTemplate(t, softDeleteTemplate)
	build := func(version string) string {
		t.Helper()
		run := tools.RunPacker(ctx, t, dir, append(append([]string{}, f.env...), "PKR_VAR_image_version="+version), "build", "-color=false", ".")
		if run.ExitCode != 0 {
			t.Fatalf("build %s failed (%d):\n%s", version, run.ExitCode, run.Output)
		}
		return run.Output
	}
	build("1.0.0")
	if out := build("1.0.1"); !strings.Contains(out, "recoverable for 10 days") {
		t.Errorf("retention does not say its deletion is recoverable:\n%s", out)
	}
	names := func() (versions, softDeleted []string) {
		for _, r := range f.inventory(ctx, t) {
			switch {
			case strings.EqualFold(r.Type(), "Microsoft.Compute/galleries/images/versions"):
				versions = append(versions, r.Name())
			case strings.EqualFold(r.Type(), "Microsoft.Compute/galleries/softDeletedArtifactTypes/artifacts/versions"):
				softDeleted = append(softDeleted, r.Name())
			}
		}
		return versions, softDeleted
	}
	if v, sd := names(); strings.Join(v, ",") != "1.0.1" || strings.Join(sd, ",") != "1.0.0" {
		t.Fatalf("after retention: versions %v, soft-deleted %v; want 1.0.1 and 1.0.0", v, sd)
	}
	if out := build("1.0.0"); !strings.Contains(out, "restoring it (restore: true)") {
		t.Errorf("the re-run of 1.0.0 did not restore it:\n%s", out)
	}
	// Retention keeps the published version and never touches newer ones, so both are active again.
	v, sd := names()
	if strings.Join(v, ",") != "1.0.0,1.0.1" || len(sd) != 0 {
		t.Fatalf("after the restore: versions %v, soft-deleted %v; want 1.0.0,1.0.1 and none", v, sd)
	}
}
