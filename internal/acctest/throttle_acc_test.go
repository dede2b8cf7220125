package acctest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// throttleRetryAfter is Compute's cool-down from issue 11. It is above azcore's MaxRetryDelay (60 s),
// where azcore gives up at once, so this test fails without the plugin's throttle policy. The wait is
// real (there is no switch that shortens it), so the test runs in parallel with the other parallel
// acceptance tests; 65 s would prove the same point in half the time, but 120 s is the value Azure sends.
const throttleRetryAfter = 120

// TestPublishRidesOutLongRetryAfter: a real packer build whose replication wait meets a 429 with
// Retry-After: 120 in the middle of replication waits it out, says so on the progress output, and
// publishes.
func TestPublishRidesOutLongRetryAfter(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 15, "publish-from-image")
	p := tools.StartPacker(t, f.dir, f.env, "build", "-color=false", ".")
	if !p.WaitFor("Replicating", 2*time.Minute) {
		t.Fatalf("no replication progress seen:\n%s", p.Output())
	}
	if err := f.emu.AddFault(ctx, emulator.FaultRule{Method: "GET", Path: "/subscriptions/*/versions/1.0.0", Count: 1,
		Action: emulator.FaultStatus, Status: 429, RetryAfter: throttleRetryAfter, Code: "OperationNotAllowed",
		Message: "The server rejected the request because too many requests have been received for this subscription."}); err != nil {
		t.Fatal(err)
	}
	installed := time.Now()
	run, done := p.Wait(6 * time.Minute)
	if !done {
		t.Fatalf("packer did not finish:\n%s", run.Output)
	}
	if run.ExitCode != 0 {
		t.Fatalf("the throttled publish failed (%d):\n%s", run.ExitCode, run.Output)
	}
	want := "Throttled: Azure answered GET Microsoft.Compute/galleries/" + galleryName + "/images/" + definitionName +
		"/versions/1.0.0 with HTTP 429 OperationNotAllowed and Retry-After 2m0s; waiting until"
	if !strings.Contains(run.Output, want) {
		t.Errorf("the throttled wait is not on the progress output (want %q):\n%s", want, run.Output)
	}
	if took := time.Since(installed); took < throttleRetryAfter*time.Second {
		t.Errorf("the publish ended %s after the 429: Retry-After %ds was not honoured", took, throttleRetryAfter)
	}
	assertPublished(t, f.inventory(ctx, t), "1.0.0", threeRegions)
}

// TestCleanupRidesOutDeleteLag: with cleanup_on_failure, a failed publish deletes the version, then the
// definition and the gallery it created although Azure refuses each parent's delete for a while with
// 409 CannotDeleteResource (its children are still going away, issue 11); nothing is left behind.
func TestCleanupRidesOutDeleteLag(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 1, "publish-from-image")
	before := f.inventory(ctx, t)
	lag := func(pathRegexp string) emulator.FaultRule {
		return emulator.FaultRule{Method: "DELETE", PathRegexp: pathRegexp, Count: 2, Action: emulator.FaultStatus, Status: 409,
			Code: "CannotDeleteResource", Message: "Can not delete resource before nested resources are deleted."}
	}
	for _, r := range []emulator.FaultRule{
		{Action: emulator.FaultReplicationFailure, Region: "westeurope", Details: "simulated storage outage"},
		lag(`^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/galleries/[^/]+/images/[^/]+$`),
		lag(`^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/galleries/[^/]+$`),
	} {
		if err := f.emu.AddFault(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	run := f.build(ctx, t, "PKR_VAR_cleanup_on_failure=true")
	if run.ExitCode == 0 {
		t.Fatalf("publish succeeded despite a failed region:\n%s", run.Output)
	}
	// At least the four injected refusals (two for the definition, two for the gallery); the emulator's own
	// delete lag (10 s after the last child's delete, on by default in the binary) can add more.
	if n := strings.Count(run.Output, "(409 CannotDeleteResource); retry"); n < 4 {
		t.Errorf("%d delete retries on the output, want at least 4 (two for the definition, two for the gallery):\n%s", n, run.Output)
	}
	if strings.Contains(run.Output, "behind") {
		t.Errorf("cleanup reports leftovers:\n%s", run.Output)
	}
	after := f.inventory(ctx, t)
	if len(after) != len(before) {
		for _, r := range after {
			if before.Find(r.ID()) == nil {
				t.Errorf("cleanup_on_failure left %s", r.ID())
			}
		}
	}
}
