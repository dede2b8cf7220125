package arm

import (
	"testing"
)

// The rules concurrent publishers and the lifecycle features (retention, demotion, convergence) rely on.
func TestVersionRacesAndRegionRemoval(t *testing.T) {
	h := newHarness(t, Options{})
	f := h.baseFixture("westus", "V2", "Generalized")
	other := computePath(f.rg, "images/img2")
	h.put(201, other, apiImage, map[string]any{"location": "westus", "properties": map[string]any{"hyperVGeneration": "V2", "storageProfile": map[string]any{
		"osDisk": map[string]any{"osType": "Linux", "osState": "Generalized", "managedDisk": map[string]any{"id": f.diskID}}}}})
	path := withAPI(f.versionPath("1.0.0"), apiGallery)

	// The first PUT creates (201) and leaves the version replicating.
	first := h.must(201, "PUT", path, versionBody("westus", f.imageID, region("westus", 1), region("eastus", 1)))
	if ps := str(obj(first.Body, "properties"), "provisioningState"); ps != "Creating" {
		t.Fatalf("first PUT state %q", ps)
	}
	// A PUT of the same name from another source while the first is in flight is refused.
	r := h.do("PUT", path, versionBody("westus", other, region("westus", 1)))
	if r.Status != 409 || r.errCode() != "PropertyChangeNotAllowed" {
		t.Fatalf("in-flight PUT from another source: %d %s", r.Status, r.Raw)
	}
	// The same source again is an update (200, not 201): that is how a second publisher knows it lost.
	same := h.must(200, "PUT", path, versionBody("westus", f.imageID, region("westus", 1), region("eastus", 1)))
	h.waitOp(same)
	g := h.must(200, "GET", path, nil)
	if src := str(obj(g.Body, "properties", "storageProfile", "source"), "id"); !eq(src, f.imageID) {
		t.Fatalf("the refused PUT changed the source to %s", src)
	}

	// A PATCH that removes a replicated region is refused while the version forbids it...
	shrink := map[string]any{"properties": map[string]any{"publishingProfile": map[string]any{"targetRegions": []any{region("westus", 1)}}}}
	r = h.do("PATCH", path, shrink)
	if r.Status != 409 || r.errCode() != "OperationNotAllowed" {
		t.Fatalf("PATCH removing a region without allowDeletionOfReplicatedLocations: %d %s", r.Status, r.Raw)
	}
	if n := len(list(obj(h.must(200, "GET", path, nil).Body, "properties", "publishingProfile"), "targetRegions")); n != 2 {
		t.Fatalf("refused PATCH changed the regions: %d", n)
	}
	// ...and allowed once it permits it, keeping the rest of the version.
	allow := map[string]any{"properties": map[string]any{"safetyProfile": map[string]any{"allowDeletionOfReplicatedLocations": true}}}
	h.waitOp(h.must(200, "PATCH", path, allow))
	h.waitOp(h.must(200, "PATCH", path, shrink))
	g = h.must(200, "GET", path, nil)
	regions := list(obj(g.Body, "properties", "publishingProfile"), "targetRegions")
	if len(regions) != 1 || !eq(str(obj(g.Body, "properties", "storageProfile", "source"), "id"), f.imageID) {
		t.Fatalf("after demotion: %s", g.Raw)
	}
}
