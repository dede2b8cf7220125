package acctest_test

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// Issue 10's cases 1–3 under real Packer (internal/acctest/testdata/safety), each asserting on the
// emulator's inventory resource by resource.

func newSafetyFixture(ctx context.Context, t *testing.T) *publishFixture {
	t.Helper()
	f := newPublishFixture(ctx, t, 0.5, "publish-from-image")
	f.dir = filepath.Join(tools.Root, "internal", "acctest", "testdata", "safety")
	return f
}

// seedVersion writes a version straight through ARM: with tags (nil = none, as by hand), excluded or not,
// in the given regions.
func seedVersion(ctx context.Context, t *testing.T, f *publishFixture, name, src string, tags map[string]string, exclude bool, regions ...string) {
	t.Helper()
	cred, opts, err := f.emu.ARM()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := armcompute.NewClientFactory(f.emu.SubscriptionID, cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	var trs []*armcompute.TargetRegion
	for _, r := range regions {
		trs = append(trs, &armcompute.TargetRegion{Name: to.Ptr(r), RegionalReplicaCount: to.Ptr[int32](1)})
	}
	body := armcompute.GalleryImageVersion{Location: to.Ptr(sourceLocation), Tags: map[string]*string{},
		Properties: &armcompute.GalleryImageVersionProperties{
			StorageProfile:    &armcompute.GalleryImageVersionStorageProfile{Source: &armcompute.GalleryArtifactVersionFullSource{ID: to.Ptr(src)}},
			PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{ExcludeFromLatest: to.Ptr(exclude), TargetRegions: trs}}}
	for k, v := range tags {
		body.Tags[k] = to.Ptr(v)
	}
	p, err := cf.NewGalleryImageVersionsClient().BeginCreateOrUpdate(ctx, galleryRG, galleryName, definitionName, name, body, nil)
	if err == nil {
		_, err = p.PollUntilDone(ctx, nil)
	}
	if err != nil {
		t.Fatalf("seeding version %s: %v", name, err)
	}
}

// versionsByName indexes the inventory's versions.
func versionsByName(inv acctest.Inventory) map[string]acctest.Resource {
	out := map[string]acctest.Resource{}
	for _, v := range inv.Versions() {
		out[v.Name()] = v
	}
	return out
}

// assertVersionsUnchanged checks that each named version is in after exactly as it was in before, every field.
func assertVersionsUnchanged(t *testing.T, before, after acctest.Inventory, names ...string) {
	t.Helper()
	b, a := versionsByName(before), versionsByName(after)
	for _, n := range names {
		if a[n] == nil {
			t.Errorf("version %s was deleted", n)
		} else if !reflect.DeepEqual(b[n], a[n]) {
			t.Errorf("version %s changed:\n before %v\n after  %v", n, b[n], a[n])
		}
	}
}

// TestSafetyRetentionStaysInItsMajor (case 1): with 1.0.0–1.0.4 and 2.0.0–2.0.4 published and
// keep_versions = 3, publishing 1.0.5 with version_major = 1 deletes 1.0.0–1.0.2 only, and 2.0.5 with
// version_major = 2 deletes 2.0.0–2.0.2 only; every version of the other major is untouched, field by field.
func TestSafetyRetentionStaysInItsMajor(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	f := newSafetyFixture(ctx, t)
	if run := f.build(ctx, t, "PKR_VAR_version_major=1"); run.ExitCode != 0 {
		t.Fatalf("first publish failed:\n%s", run.Output)
	}
	owned := map[string]string{"packer-plugin-azure-gallery": "managed", "packer-plugin-azure-gallery-excluded": "false", acctestRunTag: "earlier"}
	for _, n := range []string{"1.0.1", "1.0.2", "1.0.3", "1.0.4", "2.0.0", "2.0.1", "2.0.2", "2.0.3", "2.0.4"} {
		seedVersion(ctx, t, f, n, f.sourceID, owned, false, sourceLocation)
	}
	twos := []string{"2.0.0", "2.0.1", "2.0.2", "2.0.3", "2.0.4"}
	before := f.inventory(ctx, t)
	run := f.build(ctx, t, "PKR_VAR_version_major=1", "PKR_VAR_keep_versions=3")
	if run.ExitCode != 0 || !strings.Contains(run.Output, "picked 1.0.5") {
		t.Fatalf("1.0.5 failed:\n%s", run.Output)
	}
	after := f.inventory(ctx, t)
	want := []string{"1.0.3", "1.0.4", "1.0.5", "2.0.0", "2.0.1", "2.0.2", "2.0.3", "2.0.4"}
	if got := versionNames(after); !slices.Equal(got, want) {
		t.Errorf("after 1.0.5: %v, want %v", got, want)
	}
	assertVersionsUnchanged(t, before, after, append(twos, "1.0.3", "1.0.4")...)

	before = after
	run = f.build(ctx, t, "PKR_VAR_version_major=2", "PKR_VAR_keep_versions=3")
	if run.ExitCode != 0 || !strings.Contains(run.Output, "picked 2.0.5") {
		t.Fatalf("2.0.5 failed:\n%s", run.Output)
	}
	after = f.inventory(ctx, t)
	want = []string{"1.0.3", "1.0.4", "1.0.5", "2.0.3", "2.0.4", "2.0.5"}
	if got := versionNames(after); !slices.Equal(got, want) {
		t.Errorf("after 2.0.5: %v, want %v", got, want)
	}
	assertVersionsUnchanged(t, before, after, "1.0.3", "1.0.4", "1.0.5", "2.0.3", "2.0.4")
}

// TestSafetyHandMadeVersionIsNotRewritten (case 2): a version made by hand and excluded from latest is
// reused read-only by a template that publishes the same number from the same source (its exclusion
// and regions stay, the differences are named); from another source the run fails before any write.
func TestSafetyHandMadeVersionIsNotRewritten(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	f := newSafetyFixture(ctx, t)
	if run := f.build(ctx, t, "PKR_VAR_image_version=1.0.0"); run.ExitCode != 0 {
		t.Fatalf("first publish failed:\n%s", run.Output)
	}
	seedVersion(ctx, t, f, "1.0.1", f.sourceID, map[string]string{"owner": "ops"}, true, sourceLocation)
	before := f.inventory(ctx, t)
	run := f.build(ctx, t, "PKR_VAR_image_version=1.0.1", `PKR_VAR_regions=["eastus","westeurope"]`)
	if run.ExitCode != 0 {
		t.Fatalf("publish of the hand-made number failed:\n%s", run.Output)
	}
	for _, want := range []string{"not published by this plugin: reusing it read-only", "excluded from latest by someone else: the exclusion is kept",
		`target_region ("" here, "westeurope" in the config)`, "az resource tag"} {
		if !strings.Contains(run.Output, want) {
			t.Errorf("output lacks %q:\n%s", want, run.Output)
		}
	}
	after := f.inventory(ctx, t)
	assertVersionsUnchanged(t, before, after, "1.0.0", "1.0.1")
	if v := findVersion(t, after, "1.0.1"); v.Prop("publishingProfile", "excludeFromLatest") != true || !slices.Equal(targetRegions(v), []string{"eastus"}) {
		t.Errorf("hand-made 1.0.1: exclude %v, regions %v", v.Prop("publishingProfile", "excludeFromLatest"), targetRegions(v))
	}

	other := f.emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: sourceRG, Location: sourceLocation, Name: "other-base"})
	seedVersion(ctx, t, f, "1.0.2", other, map[string]string{"owner": "ops"}, false, sourceLocation)
	before = f.inventory(ctx, t)
	run = f.build(ctx, t, "PKR_VAR_image_version=1.0.2")
	if run.ExitCode == 0 || !strings.Contains(run.Output, "already exists from a different source") || !strings.Contains(run.Output, "choose another image_version") {
		t.Fatalf("a hand-made version from another source was not refused:\n%s", run.Output)
	}
	if after := f.inventory(ctx, t); !reflect.DeepEqual(before, after) {
		t.Error("the refused publish changed the inventory")
	}
}

// TestSafetyLostReplyOnVersionPut (case 3): Azure commits the version PUT and the reply is lost (503
// twice, after the write); azcore's retry answers 200. The run reads the version back, finds its run ID
// and publishes that one number: no second number, no orphan. With a failing replication and
// cleanup_on_failure the version the lost reply created is deleted.
func TestSafetyLostReplyOnVersionPut(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	f := newSafetyFixture(ctx, t)
	lost := emulator.FaultRule{Method: "PUT", Path: "/subscriptions/*/images/" + definitionName + "/versions/*", Action: emulator.FaultStatusAfter, Status: 503, Count: 2}
	if err := f.emu.AddFault(ctx, lost); err != nil {
		t.Fatal(err)
	}
	run := f.build(ctx, t)
	if run.ExitCode != 0 || !strings.Contains(run.Output, "picked 1.0.0") || strings.Contains(run.Output, "was taken") {
		t.Fatalf("publish under a lost reply:\n%s", run.Output)
	}
	inv := f.inventory(ctx, t)
	if got := versionNames(inv); !slices.Equal(got, []string{"1.0.0"}) {
		t.Fatalf("versions after a lost reply: %v, want [1.0.0]", got)
	}
	v := assertPublished(t, inv, "1.0.0", []string{"eastus"})
	if v.Tags()[acctestRunTag] == "" {
		t.Errorf("1.0.0 has no run tag: %v", v.Tags())
	}

	if err := f.emu.AddFault(ctx, lost); err != nil {
		t.Fatal(err)
	}
	if err := f.emu.AddFault(ctx, emulator.FaultRule{Action: emulator.FaultReplicationFailure, Region: "eastus", Details: "disk copy failed"}); err != nil {
		t.Fatal(err)
	}
	run = f.build(ctx, t, "PKR_VAR_cleanup_on_failure=true")
	if run.ExitCode == 0 || !strings.Contains(run.Output, "deleting version 1.0.1, which this run created") {
		t.Fatalf("failed publish with cleanup:\n%s", run.Output)
	}
	after := f.inventory(ctx, t)
	if got := versionNames(after); !slices.Equal(got, []string{"1.0.0"}) {
		t.Errorf("versions after the failed run: %v, want [1.0.0]", got)
	}
	assertVersionsUnchanged(t, inv, after, "1.0.0")
}
