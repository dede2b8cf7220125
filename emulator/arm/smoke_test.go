package arm

import "testing"

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
	t.Logf("%s", g.Raw)
}
