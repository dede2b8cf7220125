package arm

import "testing"

// TestSmokeVersionLifecycle: a version PUT answers 201 Creating; once its operation succeeds, a GET shows
// it Succeeded, with the requested target regions and replica counts, and every region's replication
// Completed at 100%.
func TestSmokeVersionLifecycle(t *testing.T) {
	h := newHarness(t, Options{})
	f := h.baseFixture("westus", "V2", "Generalized")
	r := h.must(201, "PUT", withAPI(f.versionPath("1.0.0"), apiGallery), versionBody("westus", f.imageID, region("West US", 1), region("East US", 2)))
	if got := str(obj(r.Body, "properties"), "provisioningState"); got != "Creating" {
		t.Fatalf("provisioningState %q", got)
	}
	st := h.waitOp(r)
	if str(st, "status") != "Succeeded" {
		t.Fatalf("op %v", st)
	}
	g := h.must(200, "GET", withAPI(f.versionPath("1.0.0"), apiGallery)+"&$expand=ReplicationStatus", nil)
	props := obj(g.Body, "properties")
	if ps := str(props, "provisioningState"); ps != "Succeeded" {
		t.Errorf("provisioningState after the operation %q, want Succeeded", ps)
	}
	replicas := map[string]float64{}
	for _, x := range list(obj(props, "publishingProfile"), "targetRegions") {
		m, _ := x.(map[string]any)
		replicas[str(m, "name")], _ = m["regionalReplicaCount"].(float64)
	}
	if len(replicas) != 2 || replicas["West US"] != 1 || replicas["East US"] != 2 {
		t.Errorf("targetRegions %v, want West US ×1 and East US ×2", replicas)
	}
	agg, states, progress := h.regionsProgress(f.versionPath("1.0.0"))
	if agg != "Completed" {
		t.Errorf("aggregatedState %q, want Completed", agg)
	}
	for _, reg := range []string{"West US", "East US"} {
		if states[reg] != "Completed" || progress[reg] != 100 {
			t.Errorf("%s: state %q progress %d, want Completed 100", reg, states[reg], progress[reg])
		}
	}
	if len(states) != 2 {
		t.Errorf("replication summary has regions %v, want exactly West US and East US", states)
	}
}
