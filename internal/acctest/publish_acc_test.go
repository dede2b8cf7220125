package acctest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// tools is set once by TestMain; tests only read it.
var tools *acctest.Tools

func TestMain(m *testing.M) { os.Exit(acctest.Main(m, &tools)) }

const (
	sourceRG       = "build-rg"
	galleryRG      = "images-rg"
	galleryName    = "golden"
	definitionName = "ubuntu-server"
	sourceLocation = "eastus"
)

// replicationConfig makes a replication take a few seconds, long enough to be observed and interrupted.
func replicationConfig(perGiB float64) map[string]any {
	return map[string]any{"replication": map[string]any{"seconds_per_gib": perGiB, "region_base_delay": "1s"}}
}

// publishFixture is an emulator with a source image and the gallery resource group, plus the packer
// environment and variables for example/publish-from-image.
type publishFixture struct {
	emu      *acctest.Emulator
	sourceID string
	env      []string
	dir      string
}

func newPublishFixture(ctx context.Context, t *testing.T, perGiB float64, template string) *publishFixture {
	t.Helper()
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: replicationConfig(perGiB)})
	src := emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: sourceRG, Location: sourceLocation, Name: "ubuntu-base"})
	if err := emu.CreateResourceGroup(ctx, t, galleryRG, sourceLocation); err != nil {
		t.Fatal(err)
	}
	env := tools.PackerEnv(t, emu.Env()...)
	env = append(env, "PKR_VAR_source_image_id="+src)
	return &publishFixture{emu: emu, sourceID: src, env: env, dir: filepath.Join(tools.Root, "example", template)}
}

func (f *publishFixture) build(ctx context.Context, t *testing.T, extraEnv ...string) acctest.Run {
	t.Helper()
	return tools.RunPacker(ctx, t, f.dir, append(append([]string{}, f.env...), extraEnv...), "build", "-color=false", ".")
}

func (f *publishFixture) inventory(ctx context.Context, t *testing.T) acctest.Inventory {
	t.Helper()
	inv, err := f.emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// assertPublished checks the version exists, succeeded, is replicated to want regions, and carries tags.
func assertPublished(t *testing.T, inv acctest.Inventory, version string, want []string) acctest.Resource {
	t.Helper()
	var v acctest.Resource
	for _, r := range inv.Versions() {
		if r.Name() == version {
			v = r
		}
	}
	if v == nil {
		t.Fatalf("version %s is not in the inventory (%d versions)", version, len(inv.Versions()))
	}
	if st := v.Prop("provisioningState"); st != "Succeeded" {
		t.Errorf("provisioningState = %v, want Succeeded", st)
	}
	regions := map[string]bool{}
	trs, _ := v.Prop("publishingProfile", "targetRegions").([]any)
	for _, x := range trs {
		if m, ok := x.(map[string]any); ok {
			name, _ := m["name"].(string)
			regions[strings.ToLower(strings.ReplaceAll(name, " ", ""))] = true
		}
	}
	for _, r := range want {
		if !regions[r] {
			t.Errorf("version %s is not replicated to %s (target regions %v)", version, r, regions)
		}
	}
	if len(regions) != len(want) {
		t.Errorf("version %s has %d target regions, want %d: %v", version, len(regions), len(want), regions)
	}
	tags := v.Tags()
	if tags["team"] != "platform" || tags["source"] != "packer" {
		t.Errorf("tags = %v, want team=platform and source=packer", tags)
	}
	return v
}

var threeRegions = []string{"eastus", "westeurope", "westus2"}

// TestPublishFromImage is the first publish, then an idempotent re-run: a real packer 1.16 build of
// example/publish-from-image against the emulator.
func TestPublishFromImage(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 2, "publish-from-image")

	run := f.build(ctx, t)
	if run.ExitCode != 0 {
		t.Fatalf("packer build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	inv := f.inventory(ctx, t)
	assertPublished(t, inv, "1.0.0", threeRegions)
	if len(inv.Versions()) != 1 {
		t.Errorf("want exactly 1 version, got %d", len(inv.Versions()))
	}
	if defs := inv.OfType("Microsoft.Compute/galleries/images"); len(defs) != 1 || defs[0].Prop("osType") != "Linux" {
		t.Errorf("definitions: %v", defs)
	}
	for _, want := range []string{"1.0.0", "eastus", "westeurope", "westus2"} {
		if !strings.Contains(run.Output, want) {
			t.Errorf("output does not mention %q", want)
		}
	}

	t.Run("idempotent re-run", func(t *testing.T) {
		before := f.inventory(ctx, t)
		run := f.build(ctx, t)
		if run.ExitCode != 0 {
			t.Fatalf("re-run failed (%d):\n%s", run.ExitCode, run.Output)
		}
		if !strings.Contains(strings.ToLower(run.Output), "reuse") {
			t.Errorf("re-run output does not say the version was reused:\n%s", run.Output)
		}
		after := f.inventory(ctx, t)
		if len(after.Versions()) != 1 {
			t.Errorf("re-run created a version: %d versions", len(after.Versions()))
		}
		b, a := before.Versions()[0], after.Versions()[0]
		if b.Prop("publishingProfile", "publishedDate") != a.Prop("publishingProfile", "publishedDate") {
			t.Errorf("re-run rewrote the version: publishedDate %v → %v", b.Prop("publishingProfile", "publishedDate"), a.Prop("publishingProfile", "publishedDate"))
		}
	})
}

// TestPublishFromImageJSON runs the JSON-template twin.
func TestPublishFromImageJSON(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 1, "publish-from-image-json")
	run := tools.RunPacker(ctx, t, f.dir, f.env, "build", "-color=false",
		"-var", "source_image_id="+f.sourceID, "template.json")
	if run.ExitCode != 0 {
		t.Fatalf("packer build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	assertPublished(t, f.inventory(ctx, t), "1.0.0", threeRegions)
}

// TestWrongDefinition: an existing definition for Windows refuses a Linux image with a clear error, and
// nothing changes.
func TestWrongDefinition(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 1, "publish-from-image")
	// First publish creates the Linux definition; then the template claims Windows.
	if run := f.build(ctx, t); run.ExitCode != 0 {
		t.Fatalf("first publish failed:\n%s", run.Output)
	}
	before := f.inventory(ctx, t)
	run := f.build(ctx, t, "PKR_VAR_os_type=Windows", "PKR_VAR_image_version=1.0.1")
	if run.ExitCode == 0 {
		t.Fatalf("a Windows publish into a Linux definition succeeded:\n%s", run.Output)
	}
	out := strings.ToLower(run.Output)
	if !strings.Contains(out, "windows") || !strings.Contains(out, "linux") {
		t.Errorf("error does not show the OS type difference:\n%s", run.Output)
	}
	assertUnchanged(t, before, f.inventory(ctx, t))
}

// TestRegionFailure: replication fails in one region; the error names it, and pre-existing resources are
// unchanged. With cleanup_on_failure the version this run created is removed.
func TestRegionFailure(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 1, "publish-from-image")
	before := f.inventory(ctx, t)
	if err := f.emu.AddFault(ctx, emulator.FaultRule{Action: emulator.FaultReplicationFailure, Region: "westeurope", Details: "simulated storage outage"}); err != nil {
		t.Fatal(err)
	}
	run := f.build(ctx, t, "PKR_VAR_cleanup_on_failure=true")
	if run.ExitCode == 0 {
		t.Fatalf("publish succeeded despite a failed region:\n%s", run.Output)
	}
	if !strings.Contains(strings.ToLower(run.Output), "westeurope") {
		t.Errorf("error does not name the failed region:\n%s", run.Output)
	}
	after := f.inventory(ctx, t)
	for _, v := range after.Versions() {
		t.Errorf("cleanup_on_failure left version %s (%v)", v.ID(), v.Prop("provisioningState"))
	}
	for _, r := range before {
		if got := after.Find(r.ID()); got == nil {
			t.Errorf("pre-existing %s was deleted", r.ID())
		}
	}
}

// TestResumeAfterKill: packer (and the plugin) are SIGKILLed mid-replication; a re-run resumes the same
// version and completes, with no duplicate.
func TestResumeAfterKill(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 15, "publish-from-image")
	p := tools.StartPacker(t, f.dir, f.env, "build", "-color=false", ".")
	// Wait until the version exists and is replicating, then kill everything.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		inv := f.inventory(ctx, t)
		if vs := inv.Versions(); len(vs) == 1 && vs[0].Prop("provisioningState") != "Succeeded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the version never started replicating:\n%s", p.Output())
		}
		if run, done := p.Wait(200 * time.Millisecond); done {
			t.Fatalf("packer finished before it could be killed (%d):\n%s", run.ExitCode, run.Output)
		}
	}
	p.Kill()
	inv := f.inventory(ctx, t)
	if st := inv.Versions()[0].Prop("provisioningState"); st == "Succeeded" {
		t.Fatalf("replication finished before the kill; slow it down")
	}
	created := inv.Versions()[0].Prop("publishingProfile", "publishedDate")

	run := f.build(ctx, t)
	if run.ExitCode != 0 {
		t.Fatalf("resume failed (%d):\n%s", run.ExitCode, run.Output)
	}
	if !strings.Contains(strings.ToLower(run.Output), "resum") {
		t.Errorf("re-run does not say it resumed:\n%s", run.Output)
	}
	after := f.inventory(ctx, t)
	if len(after.Versions()) != 1 {
		t.Fatalf("want 1 version after resume, got %d", len(after.Versions()))
	}
	v := assertPublished(t, after, "1.0.0", threeRegions)
	if v.Prop("publishingProfile", "publishedDate") != created {
		t.Errorf("the version was re-created instead of resumed")
	}
}

// TestInterrupt: SIGINT to packer mid-replication stops it promptly and says how to resume. The bound is
// generous (30 s, for a loaded CI machine; the aim is 5 s) so that the test gives the same answer twice.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 15, "publish-from-image")
	p := tools.StartPacker(t, f.dir, f.env, "build", "-color=false", ".")
	if !p.WaitFor("westeurope", 2*time.Minute) {
		t.Fatalf("no progress seen:\n%s", p.Output())
	}
	if err := p.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	run, done := p.Wait(30 * time.Second)
	if !done {
		run, done = p.Wait(60 * time.Second)
		t.Fatalf("packer did not stop within 30s of SIGINT (stopped after %s: %v):\n%s", time.Since(sent), done, run.Output)
	}
	t.Logf("packer exited %s after SIGINT", time.Since(sent).Round(10*time.Millisecond))
	if run.ExitCode == 0 {
		t.Errorf("an interrupted build exited 0")
	}
	if !strings.Contains(run.Output, "re-run") {
		t.Errorf("no resume hint in the output:\n%s", run.Output)
	}
}

// assertUnchanged compares two inventories resource by resource.
func assertUnchanged(t *testing.T, before, after acctest.Inventory) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("inventory changed: %d resources before, %d after", len(before), len(after))
	}
	for _, r := range before {
		a := after.Find(r.ID())
		if a == nil {
			t.Errorf("%s disappeared", r.ID())
			continue
		}
		if a.Prop("provisioningState") != r.Prop("provisioningState") {
			t.Errorf("%s changed state: %v → %v", r.ID(), r.Prop("provisioningState"), a.Prop("provisioningState"))
		}
	}
}
