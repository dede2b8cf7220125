package galleryversion

import (
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// TestLatestSkipsSoftDeleted: in a gallery with soft delete, the newest version deleted (so soft-deleted,
// still listed by the soft-deleted API) is never returned as latest; the one below it is.
func TestLatestSkipsSoftDeleted(t *testing.T) {
	e := newGalleryEnv(t)
	gp, err := e.compute.NewGalleriesClient().BeginCreateOrUpdate(e.ctx, testRG, testGallery, armcompute.Gallery{Location: to.Ptr("eastus"),
		Properties: &armcompute.GalleryProperties{SoftDeletePolicy: &armcompute.SoftDeletePolicy{IsSoftDeleteEnabled: to.Ptr(true), RetentionPeriodInDays: to.Ptr[int32](7)}}}, nil)
	done(t, "soft delete on", gp, err)
	for _, name := range []string{"1.0.0", "1.1.0"} {
		p, err := e.begin(versionSpec{name: name, regions: []string{"eastus"}})
		done(t, name, p, err)
	}
	dp, err := e.compute.NewGalleryImageVersionsClient().BeginDelete(e.ctx, testRG, testGallery, testDef, "1.1.0", nil)
	done(t, "delete 1.1.0", dp, err)
	pager := e.compute.NewSoftDeletedResourceClient().NewListByArtifactNamePager(testRG, testGallery, "Images", testDef, nil)
	page, err := pager.NextPage(e.ctx)
	if err != nil || len(page.Value) != 1 || *page.Value[0].Name != "1.1.0" {
		t.Fatalf("premise: 1.1.0 is soft-deleted: %+v %v", page.Value, err)
	}
	v, err := e.datasource(testDef, nil).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if got := attr(v, "version"); got != "1.0.0" {
		t.Errorf("latest = %s, want 1.0.0 (1.1.0 is soft-deleted)", got)
	}
}
