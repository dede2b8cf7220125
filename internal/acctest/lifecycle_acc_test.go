package acctest_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// versionNames lists the names of the versions in the emulator's inventory, sorted.
func versionNames(inv acctest.Inventory) []string {
	var names []string
	for _, v := range inv.Versions() {
		names = append(names, v.Name())
	}
	slices.Sort(names)
	return names
}

// targetRegions lists a version's target regions, normalized.
func targetRegions(v acctest.Resource) []string {
	var out []string
	trs, _ := v.Prop("publishingProfile", "targetRegions").([]any)
	for _, x := range trs {
		if m, ok := x.(map[string]any); ok {
			name, _ := m["name"].(string)
			out = append(out, strings.ToLower(strings.ReplaceAll(name, " ", "")))
		}
	}
	return out
}

func findVersion(t *testing.T, inv acctest.Inventory, name string) acctest.Resource {
	t.Helper()
	for _, v := range inv.Versions() {
		if v.Name() == name {
			return v
		}
	}
	t.Fatalf("version %s is not in the inventory: %v", name, versionNames(inv))
	return nil
}

// foreignVersion publishes a version the way another tool would: no plugin tags.
func foreignVersion(ctx context.Context, t *testing.T, f *publishFixture, name string) {
	t.Helper()
	cred, opts, err := f.emu.ARM()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := armcompute.NewClientFactory(f.emu.SubscriptionID, cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := cf.NewGalleryImageVersionsClient().BeginCreateOrUpdate(ctx, galleryRG, galleryName, definitionName, name, armcompute.GalleryImageVersion{
		Location: to.Ptr(sourceLocation), Properties: &armcompute.GalleryImageVersionProperties{
			StorageProfile: &armcompute.GalleryImageVersionStorageProfile{Source: &armcompute.GalleryArtifactVersionFullSource{ID: to.Ptr(f.sourceID)}}}}, nil)
	if err == nil {
		_, err = p.PollUntilDone(ctx, nil)
	}
	if err != nil {
		t.Fatalf("foreign version: %v", err)
	}
}

// TestNightlyRefreshRetention: three scheduled runs of example/nightly-refresh give 1.0.0, 1.0.1 and
// 1.0.2; with keep_versions = 2 exactly 1.0.1 and 1.0.2 remain, and a version the plugin did not publish
// is untouched.
func TestNightlyRefreshRetention(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 1, "nightly-refresh")
	env := []string{"PKR_VAR_keep_versions=2", "PKR_VAR_demote=false"}
	for i, want := range []string{"1.0.0", "1.0.1", "1.0.2"} {
		run := f.build(ctx, t, env...)
		if run.ExitCode != 0 {
			t.Fatalf("run %d failed (%d):\n%s", i+1, run.ExitCode, run.Output)
		}
		if !strings.Contains(run.Output, "picked "+want) {
			t.Errorf("run %d does not print the chosen version %s:\n%s", i+1, want, run.Output)
		}
		if i == 0 {
			foreignVersion(ctx, t, f, "0.9.0")
		}
		if i == 2 && !strings.Contains(run.Output, "deleted version 1.0.0") {
			t.Errorf("run 3 does not report the deletion:\n%s", run.Output)
		}
	}
	inv := f.inventory(ctx, t)
	if got := versionNames(inv); !slices.Equal(got, []string{"0.9.0", "1.0.1", "1.0.2"}) {
		t.Fatalf("versions after three runs with keep_versions = 2: %v", got)
	}
	if tags := findVersion(t, inv, "0.9.0").Tags(); len(tags) != 0 {
		t.Errorf("the foreign version gained tags: %v", tags)
	}

	t.Run("dry run changes nothing", func(t *testing.T) {
		run := f.build(ctx, t, "PKR_VAR_keep_versions=1", "PKR_VAR_demote=false", "PKR_VAR_dry_run=true")
		if run.ExitCode != 0 {
			t.Fatalf("dry run failed:\n%s", run.Output)
		}
		if !strings.Contains(run.Output, "dry run, nothing is changed): delete 1.0.1") || !strings.Contains(run.Output, "delete 1.0.2") {
			t.Errorf("dry run does not print the plan:\n%s", run.Output)
		}
		if got := versionNames(f.inventory(ctx, t)); !slices.Equal(got, []string{"0.9.0", "1.0.1", "1.0.2", "1.0.3"}) {
			t.Errorf("dry run deleted something: %v", got)
		}
	})
}

// TestNightlyRefreshDemotion: after 1.0.2 publishes to 3 regions, 1.0.1 is left in the source region only.
func TestNightlyRefreshDemotion(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 1, "nightly-refresh")
	for i := 0; i < 3; i++ {
		if run := f.build(ctx, t, "PKR_VAR_keep_versions=0"); run.ExitCode != 0 {
			t.Fatalf("run %d failed (%d):\n%s", i+1, run.ExitCode, run.Output)
		}
	}
	inv := f.inventory(ctx, t)
	for name, want := range map[string][]string{"1.0.0": {"eastus"}, "1.0.1": {"eastus"}, "1.0.2": threeRegions} {
		v := findVersion(t, inv, name)
		if got := targetRegions(v); !slices.Equal(got, want) {
			t.Errorf("%s is in %v, want %v", name, got, want)
		}
		if v.Prop("provisioningState") != "Succeeded" {
			t.Errorf("%s is %v", name, v.Prop("provisioningState"))
		}
	}
}

// TestRerunConvergesRegion: a re-run with one more target_region adds it to the existing version, and
// nothing else changes.
func TestRerunConvergesRegion(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 1, "publish-from-image")
	if run := f.build(ctx, t); run.ExitCode != 0 {
		t.Fatalf("first publish failed:\n%s", run.Output)
	}
	before := findVersion(t, f.inventory(ctx, t), "1.0.0")
	run := f.build(ctx, t, `PKR_VAR_regions=["eastus","westeurope","westus2","northeurope"]`)
	if run.ExitCode != 0 {
		t.Fatalf("converging re-run failed:\n%s", run.Output)
	}
	if !strings.Contains(run.Output, "converging it with the config (add region northeurope)") {
		t.Errorf("re-run does not say what it converges:\n%s", run.Output)
	}
	inv := f.inventory(ctx, t)
	if n := len(inv.Versions()); n != 1 {
		t.Fatalf("re-run created a version: %d versions", n)
	}
	after := assertPublished(t, inv, "1.0.0", append(slices.Clone(threeRegions), "northeurope"))
	for _, path := range [][]string{{"publishingProfile", "publishedDate"}, {"storageProfile", "source", "id"}, {"publishingProfile", "replicaCount"},
		{"publishingProfile", "storageAccountType"}, {"publishingProfile", "excludeFromLatest"}} {
		if b, a := before.Prop(path...), after.Prop(path...); b != a {
			t.Errorf("%s changed: %v → %v", strings.Join(path, "."), b, a)
		}
	}
	if b, a := before.Tags(), after.Tags(); len(b) != len(a) || b["team"] != a["team"] || b[acctestRunTag] != a[acctestRunTag] {
		t.Errorf("tags changed: %v → %v", b, a)
	}
	bt, _ := before.Prop("publishingProfile", "targetRegions").([]any)
	at, _ := after.Prop("publishingProfile", "targetRegions").([]any)
	for i := range bt {
		if bm, am := bt[i].(map[string]any), at[i].(map[string]any); bm["regionalReplicaCount"] != am["regionalReplicaCount"] || bm["storageAccountType"] != am["storageAccountType"] {
			t.Errorf("region %d changed: %v → %v", i, bm, am)
		}
	}
}

// acctestRunTag is the run-ID tag the plugin puts on versions it creates.
const acctestRunTag = "packer-plugin-azure-gallery-run"
