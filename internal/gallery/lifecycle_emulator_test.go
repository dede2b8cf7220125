package gallery

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

// versionNames lists the definition's versions in the emulator, sorted.
func (e *env) versionNames() []string {
	e.t.Helper()
	var names []string
	pager := e.compute.NewGalleryImageVersionsClient().NewListByGalleryImagePager(testRG, testGallery, testDef, nil)
	for pager.More() {
		page, err := pager.NextPage(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, v := range page.Value {
			names = append(names, *v.Name)
		}
	}
	slices.Sort(names)
	return names
}

// galleryAndDefinition creates both in eastus, as a previous run would have.
func (e *env) galleryAndDefinition() {
	e.t.Helper()
	gp, err := e.compute.NewGalleriesClient().BeginCreateOrUpdate(e.ctx, testRG, testGallery, armcompute.Gallery{Location: to.Ptr("eastus")}, nil)
	done(e.t, "gallery", gp, err)
	dp, err := e.compute.NewGalleryImagesClient().BeginCreateOrUpdate(e.ctx, testRG, testGallery, testDef, armcompute.GalleryImage{Location: to.Ptr("eastus"),
		Properties: &armcompute.GalleryImageProperties{OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2), Identifier: &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("acme"), Offer: to.Ptr("ubuntu"), SKU: to.Ptr("24_04")}}}, nil)
	done(e.t, "definition", dp, err)
}

// foreignVersion publishes a version without this plugin's tags, as another tool would.
func (e *env) foreignVersion(name, src string) {
	e.t.Helper()
	p, err := e.compute.NewGalleryImageVersionsClient().BeginCreateOrUpdate(e.ctx, testRG, testGallery, testDef, name, armcompute.GalleryImageVersion{
		Location: to.Ptr("eastus"), Properties: &armcompute.GalleryImageVersionProperties{
			StorageProfile: &armcompute.GalleryImageVersionStorageProfile{Source: &armcompute.GalleryArtifactVersionFullSource{ID: to.Ptr(src)}}}}, nil)
	done(e.t, "foreign version", p, err)
}

func TestAutoVersionsWithRetention(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 1, armcompute.HyperVGenerationTypesV2)
	var got []string
	for i := 0; i < 3; i++ {
		if i == 1 {
			// Published by someone else, below ours: auto numbering sees it, retention never touches it.
			e.foreignVersion("0.9.0", src)
		}
		req := e.request(src, "auto", "westus")
		req.Lifecycle.KeepVersions = 2
		rec := &recorder{}
		res, err := e.publisher(rec).Publish(e.ctx, req)
		if err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, rec.text())
		}
		got = append(got, res.Version)
		if i == 2 && (res.Retention == nil || !slices.Equal(res.Retention.Delete, []string{"1.0.0"}) || len(res.Retention.Failed) != 0) {
			t.Errorf("run 3 retention %+v\n%s", res.Retention, rec.text())
		}
	}
	if !slices.Equal(got, []string{"1.0.0", "1.0.1", "1.0.2"}) {
		t.Fatalf("versions %v", got)
	}
	if names := e.versionNames(); !slices.Equal(names, []string{"0.9.0", "1.0.1", "1.0.2"}) {
		t.Fatalf("after retention the definition holds %v", names)
	}
}

func TestRetentionDryRunAndEndOfLife(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 1, armcompute.HyperVGenerationTypesV2)
	for _, lc := range []Lifecycle{{}, {KeepVersions: 1, DryRun: true}, {KeepVersions: 1, EndOfLifeSuperseded: 30 * 24 * time.Hour}} {
		req := e.request(src, "auto")
		req.Lifecycle = lc
		rec := &recorder{}
		if _, err := e.publisher(rec).Publish(e.ctx, req); err != nil {
			t.Fatalf("%v\n%s", err, rec.text())
		}
		if lc.DryRun && !strings.Contains(rec.text(), "Retention (dry run, nothing is changed): delete 1.0.0") {
			t.Errorf("dry run output:\n%s", rec.text())
		}
	}
	if names := e.versionNames(); !slices.Equal(names, []string{"1.0.0", "1.0.1", "1.0.2"}) {
		t.Fatalf("dry run or end of life deleted something: %v", names)
	}
	for _, n := range []string{"1.0.0", "1.0.1"} {
		v, _ := e.version(n)
		if v.Properties.PublishingProfile.EndOfLifeDate == nil {
			t.Errorf("%s has no end of life", n)
		}
	}
	if v, _ := e.version("1.0.2"); v.Properties.PublishingProfile.EndOfLifeDate != nil {
		t.Errorf("the new version got an end of life")
	}
}

func TestDemotionAfterFullReplication(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 1, armcompute.HyperVGenerationTypesV2)
	e.galleryAndDefinition()
	// A version of ours that forbids region removal is reported and skipped.
	locked := e.request(src, "0.5.0", "westus")
	f := false
	locked.AllowDeletionOfReplicatedLocations = &f
	if _, err := e.publisher(nil).Publish(e.ctx, locked); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"1.0.1", "1.0.2"} {
		req := e.request(src, name, "westus", "northeurope")
		req.Lifecycle.DemoteToSourceRegion = true
		rec := &recorder{}
		res, err := e.publisher(rec).Publish(e.ctx, req)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, rec.text())
		}
		if name == "1.0.2" && (len(res.Retention.Demote) != 1 || len(res.Retention.Skipped) != 1 || !strings.Contains(rec.text(), "0.5.0: allowDeletionOfReplicatedLocations is false")) {
			t.Errorf("retention %+v\n%s", res.Retention, rec.text())
		}
	}
	for name, want := range map[string]string{"0.5.0": "eastus,westus", "1.0.1": "eastus", "1.0.2": "eastus,westus,northeurope"} {
		v, err := e.version(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := regionNames(v); got != want {
			t.Errorf("%s is in %s, want %s", name, got, want)
		}
	}
}

func TestRerunConvergesRegions(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 1, armcompute.HyperVGenerationTypesV2)
	req := e.request(src, "1.0.0", "westus")
	req.Tags = map[string]string{"team": "images"}
	first, err := e.publisher(nil).Publish(e.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := e.version("1.0.0")
	req.TargetRegions = append(req.TargetRegions, TargetRegion{Name: "North Europe"})
	rec := &recorder{}
	res, err := e.publisher(rec).Publish(e.ctx, req)
	if err != nil {
		t.Fatalf("%v\n%s", err, rec.text())
	}
	if res.Outcome != OutcomeUpdated || res.VersionID != first.VersionID || len(res.Changes) != 1 || res.Changes[0].To != "northeurope" {
		t.Fatalf("result %+v", res)
	}
	after, _ := e.version("1.0.0")
	if regionNames(after) != "eastus,westus,northeurope" || *after.Properties.ProvisioningState != armcompute.GalleryProvisioningStateSucceeded {
		t.Fatalf("after converge: %s %s", regionNames(after), *after.Properties.ProvisioningState)
	}
	if fmt.Sprint(tagValues(before.Tags)) != fmt.Sprint(tagValues(after.Tags)) || *before.Properties.StorageProfile.Source.ID != *after.Properties.StorageProfile.Source.ID ||
		!before.Properties.PublishingProfile.PublishedDate.Equal(*after.Properties.PublishingProfile.PublishedDate) {
		t.Errorf("converge changed more than the regions: tags %v → %v, published %v → %v", before.Tags, after.Tags, before.Properties.PublishingProfile.PublishedDate, after.Properties.PublishingProfile.PublishedDate)
	}
	for i := 0; i < 2; i++ {
		if *after.Properties.PublishingProfile.TargetRegions[i].RegionalReplicaCount != *before.Properties.PublishingProfile.TargetRegions[i].RegionalReplicaCount {
			t.Errorf("region %d replicas changed", i)
		}
	}
	// A field that cannot change is named.
	req.ReplicationMode = "Shallow"
	req.TargetRegions = nil
	if _, err := e.publisher(nil).Publish(e.ctx, req); err == nil || !strings.Contains(err.Error(), "replication_mode") {
		t.Fatalf("replication mode change: %v", err)
	}
}

func tagValues(tags map[string]*string) map[string]string {
	out := map[string]string{}
	for k, v := range tags {
		out[k] = *v
	}
	return out
}

// concurrentAuto runs n auto publishes at once, each with its own Publisher, and returns the versions.
func concurrentAuto(t testing.TB, e *env, sources []string) ([]string, []error, int) {
	var wg sync.WaitGroup
	versions := make([]string, len(sources))
	errs := make([]error, len(sources))
	attempts := make([]int, len(sources))
	for i, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.publisher(nil).Publish(e.ctx, e.request(src, "auto", "westus"))
			errs[i] = err
			if err == nil {
				versions[i], attempts[i] = res.Version, res.Attempts
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, a := range attempts {
		total += a
	}
	return versions, errs, total
}

func TestConcurrentAutoPublishes(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	e.galleryAndDefinition()
	for _, tc := range []struct {
		name     string
		distinct bool
	}{{"ten sources", true}, {"one source ten times", false}} {
		t.Run(tc.name, func(t *testing.T) {
			var sources []string
			for i := 0; i < 10; i++ {
				if tc.distinct || i == 0 {
					sources = append(sources, e.image(fmt.Sprintf("img-%v-%d", tc.distinct, i), "eastus", 1, armcompute.HyperVGenerationTypesV2))
				} else {
					sources = append(sources, sources[0])
				}
			}
			before := len(e.versionNames())
			versions, errs, attempts := concurrentAuto(t, e, sources)
			for i, err := range errs {
				if err != nil {
					t.Errorf("publish %d: %v", i, err)
				}
			}
			seen := map[string]bool{}
			for _, v := range versions {
				if seen[v] {
					t.Errorf("version %s published twice: %v", v, versions)
				}
				seen[v] = true
			}
			if n := len(e.versionNames()); n != before+10 {
				t.Errorf("the definition gained %d versions, want 10", n-before)
			}
			t.Logf("versions %v, %d attempts for 10 publishes", versions, attempts)
		})
	}
}
