package arm

import (
	"strings"
	"testing"
	"time"
)

// regionsProgress reads replicationStatus as region display name → (state, progress).
func (h *harness) regionsProgress(path string) (string, map[string]string, map[string]int64) {
	h.t.Helper()
	g := h.must(200, "GET", withAPI(path, apiGallery)+"&$expand=ReplicationStatus", nil)
	rs := obj(g.Body, "properties", "replicationStatus")
	states, progress := map[string]string{}, map[string]int64{}
	for _, x := range list(rs, "summary") {
		m := x.(map[string]any)
		states[str(m, "region")] = str(m, "state")
		progress[str(m, "region")], _ = num(m, "progress")
	}
	return str(rs, "aggregatedState"), states, progress
}

func opStatusBody(h *harness, r response) map[string]any {
	h.t.Helper()
	return h.must(200, "GET", r.Header.Get("Azure-AsyncOperation"), nil).Body
}

// TestReplicationProgress: progress rises per region with the clock, the LRO stays InProgress (with
// Retry-After) until the slowest region is done, and only then does the version show Succeeded.
func TestReplicationProgress(t *testing.T) {
	h := newHarness(t, Options{Replication: ReplicationModel{SecondsPerGiB: 10, RegionBaseDelay: 2 * time.Second,
		RegionDelay: map[string]time.Duration{"northeurope": 20 * time.Second}}})
	f := h.baseFixture("westus", "V2", "Generalized") // 4 GiB source
	r := h.must(201, "PUT", withAPI(f.versionPath("1.0.0"), apiGallery),
		versionBody("westus", f.imageID, region("westus", 1), region("East US", 2), region("North Europe", 1)))
	// westus: 2s + 40s; eastus: 2s + 80s (two replicas); northeurope: 20s + 40s.
	var last map[string]int64
	sawPartial := false
	for step := 0; step < 20; step++ {
		agg, states, progress := h.regionsProgress(f.versionPath("1.0.0"))
		st := opStatusBody(h, r)
		if step == 0 && agg != "InProgress" {
			t.Fatalf("aggregatedState at start %q", agg)
		}
		for reg, p := range progress {
			if last != nil && p < last[reg] {
				t.Fatalf("progress of %s fell from %d to %d", reg, last[reg], p)
			}
			if p > 0 && p < 100 {
				sawPartial = true
				if states[reg] != "Replicating" {
					t.Errorf("%s at %d%% is %q", reg, p, states[reg])
				}
			}
		}
		last = progress
		done := progress["West US"] == 100 && progress["East US"] == 100 && progress["North Europe"] == 100
		if done != (str(st, "status") == "Succeeded") {
			t.Fatalf("step %d: operation %q while progress is %v", step, str(st, "status"), progress)
		}
		if !done {
			ps := str(obj(h.must(200, "GET", withAPI(f.versionPath("1.0.0"), apiGallery), nil).Body, "properties"), "provisioningState")
			if ps != "Creating" {
				t.Fatalf("provisioningState while replicating %q", ps)
			}
			ra := h.must(200, "GET", r.Header.Get("Azure-AsyncOperation"), nil).Header.Get("Retry-After")
			if ra != "1" && ra != "2" {
				t.Fatalf("Retry-After %q on InProgress", ra)
			}
		} else {
			if agg != "Completed" {
				t.Fatalf("aggregatedState %q when every region is done", agg)
			}
			if str(st, "endTime") == "" {
				t.Fatal("no endTime on the finished operation")
			}
			break
		}
		// West US finishes first, East US (two replicas) last.
		if progress["West US"] < progress["East US"] {
			t.Errorf("west (1 replica) %d%% behind east (2 replicas) %d%%", progress["West US"], progress["East US"])
		}
		h.clock.Advance(10 * time.Second)
	}
	if !sawPartial {
		t.Fatal("never saw partial progress")
	}
	if last["East US"] != 100 {
		t.Fatalf("replication did not finish: %v", last)
	}
	ps := str(obj(h.must(200, "GET", withAPI(f.versionPath("1.0.0"), apiGallery), nil).Body, "properties"), "provisioningState")
	if ps != "Succeeded" {
		t.Fatalf("provisioningState after replication %q", ps)
	}
}

// TestReplicationPureFunction checks regionStateAt directly at known times.
func TestReplicationPureFunction(t *testing.T) {
	m := ReplicationModel{SecondsPerGiB: 10, RegionBaseDelay: 10 * time.Second}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rr := regionReplication{Region: "eastus", Start: start, Replicas: 2}
	// 10 s + 10 s/GiB × 1 GiB × 2 replicas = 30 s.
	cases := []struct {
		at    time.Duration
		state string
		prog  int
	}{{-time.Second, "Unknown", 0}, {0, "Replicating", 0}, {15 * time.Second, "Replicating", 50}, {30 * time.Second, "Completed", 100}, {time.Hour, "Completed", 100}}
	for _, c := range cases {
		got := regionStateAt(m, rr, gib, start.Add(c.at))
		if got.State != c.state || got.Progress != c.prog {
			t.Errorf("at %v: %s %d, want %s %d", c.at, got.State, got.Progress, c.state, c.prog)
		}
	}
	rr.FailDetails = "boom"
	if got := regionStateAt(m, rr, gib, start.Add(20*time.Second)); got.State != "Failed" || got.Details != "boom" {
		t.Errorf("failing region: %+v", got)
	}
}

// TestReplicationFailureInjection: a failure rule fails that region with its details, the version
// becomes Failed, and the LRO error names the region. A Count-limited rule runs out.
func TestReplicationFailureInjection(t *testing.T) {
	h := newHarness(t, Options{})
	f := h.baseFixture("westus", "V2", "Generalized")
	h.svc.AddReplicationFailure(ReplicationFailure{Region: "East US", Details: "Storage quota exceeded in region.", Count: 1})
	r := h.must(201, "PUT", withAPI(f.versionPath("1.0.0"), apiGallery), versionBody("westus", f.imageID, region("westus", 1), region("eastus", 1)))
	st := h.waitOp(r)
	if str(st, "status") != "Failed" {
		t.Fatalf("operation %v", st)
	}
	msg := str(obj(st, "error"), "message")
	if !strings.Contains(msg, "eastus") || !strings.Contains(msg, "Storage quota exceeded") {
		t.Fatalf("error does not name the region and details: %q", msg)
	}
	agg, states, _ := h.regionsProgress(f.versionPath("1.0.0"))
	if agg != "Failed" || states["East US"] != "Failed" {
		t.Fatalf("replicationStatus %s %v", agg, states)
	}
	g := h.must(200, "GET", withAPI(f.versionPath("1.0.0"), apiGallery)+"&$expand=ReplicationStatus", nil)
	for _, x := range list(obj(g.Body, "properties", "replicationStatus"), "summary") {
		m := x.(map[string]any)
		if str(m, "region") == "East US" && str(m, "details") != "Storage quota exceeded in region." {
			t.Errorf("details %q", str(m, "details"))
		}
	}
	if ps := str(obj(g.Body, "properties"), "provisioningState"); ps != "Failed" {
		t.Fatalf("provisioningState %q", ps)
	}
	// The Location (monitor) URL reports the failure as an error too.
	if mr := h.do("GET", r.Header.Get("Location"), nil); mr.Status < 400 || mr.errCode() == "" {
		t.Fatalf("monitor URL on failure: %d %s", mr.Status, mr.Raw)
	}
	// Count 1: the next version replicates normally.
	r2 := h.must(201, "PUT", withAPI(f.versionPath("1.0.1"), apiGallery), versionBody("westus", f.imageID, region("westus", 1), region("eastus", 1)))
	if st := h.waitOp(r2); str(st, "status") != "Succeeded" {
		t.Fatalf("second version %v", st)
	}
}

// TestHyperVMismatchFailsTheOperation: the PUT is accepted, the LRO fails with Conflict.
func TestHyperVMismatchFailsTheOperation(t *testing.T) {
	h := newHarness(t, Options{})
	f := h.baseFixture("westus", "V2", "Generalized")
	img := computePath(f.rg, "images/gen1")
	h.put(201, img, apiImage, map[string]any{"location": "westus", "properties": map[string]any{"hyperVGeneration": "V1", "storageProfile": map[string]any{
		"osDisk": map[string]any{"osType": "Linux", "osState": "Generalized", "managedDisk": map[string]any{"id": f.diskID}}}}})
	r := h.must(201, "PUT", withAPI(f.versionPath("1.0.0"), apiGallery), versionBody("westus", img))
	st := h.waitOp(r)
	if str(st, "status") != "Failed" || str(obj(st, "error"), "code") != "Conflict" {
		t.Fatalf("operation %v", st)
	}
	g := h.must(200, "GET", withAPI(f.versionPath("1.0.0"), apiGallery), nil)
	if ps := str(obj(g.Body, "properties"), "provisioningState"); ps != "Failed" {
		t.Fatalf("provisioningState %q", ps)
	}
}

// TestPersistenceResumesOperation: a version is created, the Service is dropped mid-replication, a
// new Service on the same DataDir sees the operation continue and finish.
func TestPersistenceResumesOperation(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	opts := Options{DataDir: dir, Replication: ReplicationModel{SecondsPerGiB: 10, RegionBaseDelay: time.Second}}
	h := newHarnessWithClock(t, opts, clock)
	f := h.baseFixture("westus", "V2", "Generalized")
	r := h.must(201, "PUT", withAPI(f.versionPath("1.0.0"), apiGallery), versionBody("westus", f.imageID, region("westus", 1), region("eastus", 1)))
	clock.Advance(20 * time.Second)
	_, _, before := h.regionsProgress(f.versionPath("1.0.0"))
	if before["East US"] == 0 || before["East US"] == 100 {
		t.Fatalf("want replication mid-way before the restart, got %v", before)
	}
	inv := h.inventory()
	opPath := strings.TrimPrefix(r.Header.Get("Azure-AsyncOperation"), h.srv.URL)
	h.srv.Close()
	if err := h.svc.Close(); err != nil {
		t.Fatal(err)
	}

	h2 := newHarnessWithClock(t, opts, clock)
	if got := h2.inventory(); got != inv {
		t.Fatalf("inventory changed across the restart:\nbefore %s\nafter %s", inv, got)
	}
	_, _, after := h2.regionsProgress(f.versionPath("1.0.0"))
	if after["East US"] != before["East US"] {
		t.Fatalf("progress not recomputed from stored start: %v vs %v", after, before)
	}
	st := h2.must(200, "GET", opPath, nil)
	if str(st.Body, "status") != "InProgress" {
		t.Fatalf("operation after restart %v", st.Body)
	}
	clock.Advance(30 * time.Second)
	if st := h2.must(200, "GET", opPath, nil); str(st.Body, "status") != "Succeeded" {
		t.Fatalf("operation did not finish after the restart: %v", st.Body)
	}
}

// TestOperationsArePruned: finished operations older than a day are dropped; recent ones stay.
func TestOperationsArePruned(t *testing.T) {
	h := newHarness(t, Options{})
	h.createRG("rg1", "westus")
	old := h.must(201, "PUT", withAPI(computePath("rg1", "galleries/g1"), apiGallery), map[string]any{"location": "westus"})
	h.clock.Advance(25 * time.Hour)
	recent := h.must(201, "PUT", withAPI(computePath("rg1", "galleries/g2"), apiGallery), map[string]any{"location": "westus"})
	if r := h.do("GET", old.Header.Get("Azure-AsyncOperation"), nil); r.Status != 404 {
		t.Fatalf("day-old finished operation still served: %d", r.Status)
	}
	h.must(200, "GET", recent.Header.Get("Azure-AsyncOperation"), nil)
}

// TestVersionRePutIsIdempotent: a PUT that restates a version without its defaulted or immutable
// fields is accepted and keeps them; a failed region replicates again on re-PUT.
func TestVersionRePutIsIdempotent(t *testing.T) {
	h := newHarness(t, Options{})
	f := h.baseFixture("westus", "V2", "Generalized")
	h.svc.AddReplicationFailure(ReplicationFailure{Region: "eastus", Details: "transient", Count: 1})
	zrs := region("eastus", 1)
	zrs["storageAccountType"] = "Standard_ZRS"
	b := versionBody("westus", f.imageID, region("westus", 1), zrs)
	obj(b, "properties", "publishingProfile")["storageAccountType"] = "Standard_ZRS"
	obj(b, "properties")["safetyProfile"] = map[string]any{"blockDeletionBeforeEndOfLife": true}
	if st := h.waitOp(h.must(201, "PUT", withAPI(f.versionPath("1.0.0"), apiGallery), b)); str(st, "status") != "Failed" {
		t.Fatalf("first PUT should fail replication: %v", st)
	}
	again := versionBody("westus", f.imageID, region("westus", 1), region("eastus", 1))
	r := h.must(200, "PUT", withAPI(f.versionPath("1.0.0"), apiGallery), again)
	if st := h.waitOp(r); str(st, "status") != "Succeeded" {
		t.Fatalf("re-PUT should retry the failed region: %v", st)
	}
	g := h.must(200, "GET", withAPI(f.versionPath("1.0.0"), apiGallery), nil)
	pp := obj(g.Body, "properties", "publishingProfile")
	if str(pp, "storageAccountType") != "Standard_ZRS" || !strings.Contains(toJSON(pp["targetRegions"]), "Standard_ZRS") ||
		!boolean(obj(g.Body, "properties", "safetyProfile"), "blockDeletionBeforeEndOfLife") {
		t.Fatalf("immutable fields not kept: %s", g.Raw)
	}
}
