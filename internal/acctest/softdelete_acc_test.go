package acctest_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// softDeleteTemplate publishes image_version (a number, or "auto" with version_major) with soft delete on
// the created gallery and keeps one version.
const softDeleteTemplate = `
variable "image_version" {
  type = string
}
variable "version_major" {
  type    = number
  default = null
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
    version_major = var.version_major
    keep_versions = 1
  }
}
`

// softDeleteRun is the soft-delete acceptance test's emulator, template and builds.
type softDeleteRun struct {
	f   *publishFixture
	dir string
}

// build runs the template for version (and version_major when major is not empty) and returns the output.
func (r *softDeleteRun) build(ctx context.Context, t *testing.T, version, major string) string {
	t.Helper()
	env := append(append([]string{}, r.f.env...), "PKR_VAR_image_version="+version)
	if major != "" {
		env = append(env, "PKR_VAR_version_major="+major)
	}
	run := tools.RunPacker(ctx, t, r.dir, env, "build", "-color=false", ".")
	if run.ExitCode != 0 {
		t.Fatalf("build %s failed (%d):\n%s", version, run.ExitCode, run.Output)
	}
	return run.Output
}

// state is the inventory's active and soft-deleted versions, each sorted, joined by commas.
func (r *softDeleteRun) state(ctx context.Context, t *testing.T) (versions, softDeleted string) {
	t.Helper()
	var v, sd []string
	for _, res := range r.f.inventory(ctx, t) {
		switch {
		case strings.EqualFold(res.Type(), "Microsoft.Compute/galleries/images/versions"):
			v = append(v, res.Name())
		case strings.EqualFold(res.Type(), "Microsoft.Compute/galleries/softDeletedArtifactTypes/artifacts/versions"):
			sd = append(sd, res.Name())
		}
	}
	slices.Sort(v)
	slices.Sort(sd)
	return strings.Join(v, ","), strings.Join(sd, ",")
}

// expect fails the test unless the inventory holds exactly these active and soft-deleted versions.
func (r *softDeleteRun) expect(ctx context.Context, t *testing.T, step, versions, softDeleted string) {
	t.Helper()
	if v, sd := r.state(ctx, t); v != versions || sd != softDeleted {
		t.Fatalf("%s: versions [%s], soft-deleted [%s]; want [%s] and [%s]", step, v, sd, versions, softDeleted)
	}
}

// restoreRequests counts the PATCHes of version 1.0.1 in the emulator's request log.
func (r *softDeleteRun) restoreRequests(ctx context.Context, t *testing.T) int {
	t.Helper()
	reqs, err := r.f.emu.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range reqs {
		m, _ := q["method"].(string)
		p, _ := q["path"].(string)
		if m == "PATCH" && strings.HasSuffix(strings.ToLower(p), "/images/ubuntu-server/versions/1.0.1") {
			n++
		}
	}
	return n
}

// TestSoftDeleteRetentionUnderPacker (issue 14's proof): with soft delete on, under real Packer,
// retention's delete leaves an owned old version soft-deleted (a record in the inventory, no version) and
// says it is recoverable for 10 days; "auto" does not reuse the number a soft-deleted version holds; and
// re-running the deleted version's build restores it with a PATCH restore: true.
//
// Retention never deletes the highest version, so for "auto" to meet a soft-deleted number at the top of
// its line the test moves to 2.0.0 (retention then soft-deletes 1.0.1) and publishes "auto" with
// version_major = 1: with no active 1.x left, a number picker that ignored soft-deleted versions would
// take 1.0.0; this one must take 1.0.2.
func TestSoftDeleteRetentionUnderPacker(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	r := &softDeleteRun{f: newPublishFixture(ctx, t, 0.5, "publish-from-image"), dir: writeTemplate(t, softDeleteTemplate)}
	r.build(ctx, t, "1.0.0", "")
	if out := r.build(ctx, t, "1.0.1", ""); !strings.Contains(out, "recoverable for 10 days") {
		t.Errorf("retention does not say its deletion is recoverable:\n%s", out)
	}
	r.expect(ctx, t, "after 1.0.1's retention", "1.0.1", "1.0.0")
	r.build(ctx, t, "2.0.0", "")
	r.expect(ctx, t, "after 2.0.0's retention", "2.0.0", "1.0.0,1.0.1")

	out := r.build(ctx, t, "auto", "1")
	if !strings.Contains(out, `image_version = "auto": picked 1.0.2`) {
		t.Errorf("auto with version_major = 1 did not pick 1.0.2 over the soft-deleted 1.0.0 and 1.0.1:\n%s", out)
	}
	r.expect(ctx, t, "after auto", "1.0.2,2.0.0", "1.0.0,1.0.1")

	if n := r.restoreRequests(ctx, t); n != 0 {
		t.Fatalf("%d PATCHes of 1.0.1 before its re-run", n)
	}
	if out := r.build(ctx, t, "1.0.1", ""); !strings.Contains(out, "restoring it (restore: true)") {
		t.Errorf("the re-run of 1.0.1 did not restore it:\n%s", out)
	}
	if n := r.restoreRequests(ctx, t); n != 1 {
		t.Errorf("the re-run of 1.0.1 sent %d PATCHes of it; want one restore", n)
	}
	// Retention keeps the published version and never touches newer ones, so 1.0.1 is active again,
	// 1.0.0 stays soft-deleted.
	r.expect(ctx, t, "after the restore", "1.0.1,1.0.2,2.0.0", "1.0.0")
	inv := r.f.inventory(ctx, t)
	for _, v := range inv.Versions() {
		if v.Name() == "1.0.1" && v.Prop("provisioningState") != "Succeeded" {
			t.Errorf("restored 1.0.1 is %v, want Succeeded", v.Prop("provisioningState"))
		}
	}
}
