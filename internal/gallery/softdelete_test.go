package gallery

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// softDeletedNames lists the definition's soft-deleted versions through Azure's SoftDeletedResource API.
func (e *env) softDeletedNames() []string {
	e.t.Helper()
	pager := e.compute.NewSoftDeletedResourceClient().NewListByArtifactNamePager(testRG, testGallery, "Images", testDef, nil)
	var names []string
	for pager.More() {
		page, err := pager.NextPage(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, r := range page.Value {
			names = append(names, *r.Name)
		}
	}
	return names
}

// TestSoftDeleteRetentionAutoAndRestore, against the emulator: a gallery created with soft delete keeps
// the version retention deletes as soft-deleted (the owner's GET answers 404, the soft-deleted list has
// it), retention says its deletions are recoverable and for how long, "auto" never reuses the number of a
// soft-deleted version, and a re-run of the soft-deleted version restores it and reuses it.
func TestSoftDeleteRetentionAutoAndRestore(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 1, armcompute.HyperVGenerationTypesV2)
	run := func(version string, keep int) (*Result, string) {
		t.Helper()
		req := e.request(src, version)
		req.SoftDelete = &SoftDeleteSpec{RetentionDays: 3}
		req.Lifecycle.KeepVersions = keep
		rec := &recorder{}
		res, err := e.publisher(rec).Publish(e.ctx, req)
		if err != nil {
			t.Fatalf("publish %s: %v\n%s", version, err, rec.text())
		}
		return res, rec.text()
	}
	first, out := run("1.0.0", 1)
	if !strings.Contains(out, "created with soft delete on; a deleted version stays recoverable for 3 days") {
		t.Errorf("the plan does not show soft delete:\n%s", out)
	}
	g, err := e.compute.NewGalleriesClient().Get(e.ctx, testRG, testGallery, nil)
	if err != nil || g.Properties.SoftDeletePolicy == nil || !*g.Properties.SoftDeletePolicy.IsSoftDeleteEnabled || *g.Properties.SoftDeletePolicy.RetentionPeriodInDays != 3 {
		t.Fatalf("gallery soft delete policy: %+v %v", g.Properties, err)
	}
	second, out := run("1.0.1", 1)
	if second.Retention == nil || len(second.Retention.Delete) != 1 || second.Retention.RecoverableDays != 3 || !strings.Contains(out, "recoverable for 3 days") {
		t.Fatalf("retention: %+v\n%s", second.Retention, out)
	}
	if _, err := e.version(first.Version); !azure.IsNotFound(err) {
		t.Fatalf("soft-deleted version still readable: %v", err)
	}
	if got := strings.Join(e.softDeletedNames(), ","); got != first.Version {
		t.Fatalf("soft-deleted versions: %q, want %s", got, first.Version)
	}
	inv, _ := e.srv.ARM().Inventory()
	if !strings.Contains(string(inv), "softDeletedArtifactTypes/Images/artifacts/"+testDef+"/versions/"+first.Version) {
		t.Error("the inventory does not hold the soft-deleted record")
	}

	// 1.0.1 deleted by hand is the highest number, and soft-deleted: auto must not pick it again.
	p, err := e.compute.NewGalleryImageVersionsClient().BeginDelete(e.ctx, testRG, testGallery, testDef, "1.0.1", nil)
	done(t, "delete 1.0.1", p, err)
	third, _ := run("auto", 0)
	if third.Version != "1.0.2" {
		t.Fatalf("auto picked %s, want 1.0.2 (1.0.1 is soft-deleted)", third.Version)
	}

	// A re-run of the soft-deleted 1.0.1 restores it and reuses it.
	restored, out := run("1.0.1", 0)
	if restored.Outcome != OutcomeReused || !strings.Contains(out, "restoring it (restore: true)") {
		t.Fatalf("re-run of a soft-deleted version: %+v\n%s", restored, out)
	}
	v, err := e.version("1.0.1")
	if err != nil || *v.Properties.ProvisioningState != armcompute.GalleryProvisioningStateSucceeded {
		t.Fatalf("restored version: %v", err)
	}
	if got := strings.Join(e.softDeletedNames(), ","); got != first.Version {
		t.Errorf("soft-deleted after the restore: %q, want %s", got, first.Version)
	}
}
