package reliability

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// TestR2RegionFailure: a region's replication fails. The error names the region and the details; with
// cleanup_on_failure the version this run created is gone, and every pre-existing resource (a gallery,
// definition and version published before) is byte-for-byte what it was.
func TestR2RegionFailure(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	const details = "simulated storage outage in westeurope"
	row := scenario(t, "R2 region failure", "replication_failure westeurope on the 2nd publish, cleanup_on_failure=true")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	f := newFixture(ctx, t, emulatorConfig("1s", 1, nil))
	if run := f.build(ctx, t); run.ExitCode != 0 {
		t.Fatalf("the first publish failed (%d):\n%s", run.ExitCode, run.Output)
	}
	before := f.inventory(ctx, t)
	row.Before = len(before.Versions())
	if err := f.emu.AddFault(ctx, emulator.FaultRule{Action: emulator.FaultReplicationFailure, Region: "westeurope", Details: details}); err != nil {
		t.Fatal(err)
	}
	run := f.build(ctx, t, "PKR_VAR_image_version=1.0.1", "PKR_VAR_cleanup_on_failure=true")
	after := f.inventory(ctx, t)
	row.After = len(after.Versions())
	if run.ExitCode == 0 {
		t.Fatalf("the publish succeeded although westeurope failed:\n%s", run.Output)
	}
	for _, want := range []string{"westeurope", details} {
		if !strings.Contains(run.Output, want) {
			t.Errorf("the error does not name %q:\n%s", want, run.Output)
		}
	}
	for _, v := range after.Versions() {
		if v.Name() == "1.0.1" {
			t.Errorf("cleanup_on_failure left this run's version %s (%v)", v.ID(), v.Prop("provisioningState"))
		}
	}
	assertSameInventory(t, before, after)
}

// assertSameInventory requires every resource of before to be in after, identical in every field, and
// after to have nothing else.
func assertSameInventory(t *testing.T, before, after acctest.Inventory) {
	t.Helper()
	for _, b := range before {
		a := after.Find(b.ID())
		if a == nil {
			t.Errorf("pre-existing %s was deleted", b.ID())
			continue
		}
		bj, _ := json.Marshal(b)
		aj, _ := json.Marshal(a)
		if string(aj) != string(bj) {
			t.Errorf("pre-existing %s changed:\nbefore %s\nafter  %s", b.ID(), bj, aj)
		}
	}
	for _, a := range after {
		if before.Find(a.ID()) == nil {
			t.Errorf("left behind: %s (%v)", a.ID(), a.Prop("provisioningState"))
		}
	}
}

// interruptBound is how long packer may take to exit after SIGINT. The behaviour aimed at is 5 s (the
// reliability table shows the time measured); the bound is generous because a loaded CI machine can take
// far longer to stop packer and its plugin processes, and a test must give the same answer twice. A
// plugin that ignored the interrupt still fails: it would go on replicating (the version would end
// Succeeded, or the build would exit 0).
const interruptBound = 30 * time.Second

// TestR3InterruptAndResume: SIGINT to packer mid-replication stops it promptly; a re-run resumes the
// same version (same publishedDate) and completes, with no duplicate. (internal/acctest's TestInterrupt
// checks the hint text; this one checks the state and the resume.)
func TestR3InterruptAndResume(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	row := scenario(t, "R3 SIGINT mid-replication", "SIGINT to packer's process group while the version replicates")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// A 46 s replication outlasts interruptBound, so the version is still replicating when packer has
	// exited, however slowly a loaded machine lets it exit.
	f := newFixture(ctx, t, emulatorConfig("1s", 45, nil))
	row.Before = len(f.inventory(ctx, t).Versions())
	p := f.start(t)
	v := f.waitReplicating(ctx, t, p)
	created := v.Prop("publishingProfile", "publishedDate")
	if err := p.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	run, done := p.Wait(interruptBound)
	if !done {
		run, _ = p.Wait(60 * time.Second)
		t.Fatalf("packer did not exit within %s of SIGINT (took %s):\n%s", interruptBound, time.Since(sent).Round(100*time.Millisecond), run.Output)
	}
	stopped := time.Since(sent).Round(10 * time.Millisecond)
	if run.ExitCode == 0 {
		t.Errorf("an interrupted build exited 0")
	}
	if vs := f.inventory(ctx, t).Versions(); len(vs) != 1 || vs[0].Prop("provisioningState") == "Succeeded" {
		t.Fatalf("after SIGINT want the one version still replicating, got %d versions", len(vs))
	}
	rerun := f.build(ctx, t)
	if rerun.ExitCode != 0 {
		t.Fatalf("the re-run failed (%d):\n%s", rerun.ExitCode, rerun.Output)
	}
	if !strings.Contains(strings.ToLower(rerun.Output), "resum") {
		t.Errorf("the re-run does not say it resumed:\n%s", rerun.Output)
	}
	after := f.inventory(ctx, t)
	row.After = len(after.Versions())
	got := assertPublished(t, after, "1.0.0", threeRegions)
	if len(after.Versions()) != 1 {
		t.Errorf("want 1 version, got %d", len(after.Versions()))
	}
	if got.Prop("publishingProfile", "publishedDate") != created {
		t.Errorf("the version was re-created (publishedDate %v → %v), not resumed", created, got.Prop("publishingProfile", "publishedDate"))
	}
	row.Result = "exited " + stopped.String() + " after SIGINT; re-run resumed"
}
