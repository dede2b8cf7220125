package arm

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// collect follows nextLink from path and returns the names of every listed item and the page count.
func (h *harness) collect(path string) ([]string, int) {
	h.t.Helper()
	var names []string
	pages := 0
	next := path
	for next != "" {
		r := h.must(200, "GET", next, nil)
		pages++
		for _, x := range list(r.Body, "value") {
			names = append(names, str(x.(map[string]any), "name"))
		}
		next = str(r.Body, "nextLink")
		if pages > 100 {
			h.t.Fatal("paging does not end")
		}
	}
	return names, pages
}

func TestPagingWithNextLink(t *testing.T) {
	h := newHarness(t, Options{PageSize: 2})
	h.createRG("rg1", "westus")
	h.createRG("rg2", "westus")
	var want []string
	for i := 0; i < 5; i++ {
		n := fmt.Sprintf("g%d", i)
		rg := "rg1"
		if i == 4 {
			rg = "rg2"
		}
		h.put(201, computePath(rg, "galleries/"+n), apiGallery, map[string]any{"location": "westus"})
		want = append(want, n)
	}
	names, pages := h.collect(withAPI(computePath("rg1", "galleries"), apiGallery))
	if strings.Join(names, ",") != "g0,g1,g2,g3" || pages != 2 {
		t.Fatalf("by resource group: %v in %d pages", names, pages)
	}
	names, pages = h.collect(withAPI("/subscriptions/"+testSub+"/providers/Microsoft.Compute/galleries", apiGallery))
	sort.Strings(names)
	if strings.Join(names, ",") != strings.Join(want, ",") || pages != 3 {
		t.Fatalf("by subscription: %v in %d pages", names, pages)
	}
	r := h.must(200, "GET", withAPI(computePath("rg1", "galleries"), apiGallery), nil)
	if nl := str(r.Body, "nextLink"); !strings.HasPrefix(nl, h.srv.URL) || !strings.Contains(nl, "$skiptoken=") || !strings.Contains(nl, "api-version=") {
		t.Fatalf("nextLink %q", nl)
	}
}

func TestResourceGroups(t *testing.T) {
	h := newHarness(t, Options{})
	if r := h.do("HEAD", withAPI(rgPath("rg1"), apiRG), nil); r.Status != 404 {
		t.Fatalf("HEAD missing: %d", r.Status)
	}
	h.createRG("rg1", "West US")
	if r := h.do("HEAD", withAPI(rgPath("rg1"), apiRG), nil); r.Status != 204 {
		t.Fatalf("HEAD existing: %d", r.Status)
	}
	g := h.must(200, "GET", withAPI(rgPath("RG1"), apiRG), nil)
	if str(g.Body, "location") != "westus" || str(obj(g.Body, "properties"), "provisioningState") != "Succeeded" {
		t.Fatalf("GET: %s", g.Raw)
	}
	h.must(200, "PUT", withAPI(rgPath("rg1"), apiRG), map[string]any{"location": "westus", "tags": map[string]any{"a": "b"}})
	if r := h.do("PUT", withAPI(rgPath("rg1"), apiRG), map[string]any{"location": "eastus"}); r.Status != 400 || r.errCode() != "InvalidResourceGroupLocation" {
		t.Fatalf("moving a group: %d %s", r.Status, r.Raw)
	}
	names, _ := h.collect(withAPI("/subscriptions/"+testSub+"/resourcegroups", apiRG))
	if strings.Join(names, ",") != "rg1" {
		t.Fatalf("list %v", names)
	}
	// Delete cascades to everything inside, as ARM does.
	h.put(201, computePath("rg1", "galleries/g"), apiGallery, map[string]any{"location": "westus"})
	h.put(201, computePath("rg1", "galleries/g/images/d"), apiGallery, defBody("westus", "Linux", "Generalized", "", "s"))
	d := h.must(202, "DELETE", withAPI(rgPath("rg1"), apiRG), nil)
	loc := d.Header.Get("Location")
	if !strings.Contains(loc, "/operationresults/") {
		t.Fatalf("delete Location %q", loc)
	}
	if r := h.do("GET", loc, nil); r.Status != 202 {
		t.Fatalf("operation result while running: %d", r.Status)
	}
	h.clock.Advance(2 * time.Second)
	if r := h.do("GET", loc, nil); r.Status != 200 {
		t.Fatalf("operation result when done: %d", r.Status)
	}
	if inv := h.inventory(); inv != "[]" {
		t.Fatalf("resources left after the group was deleted: %s", inv)
	}
	if r := h.do("GET", withAPI(computePath("rg1", "galleries/g"), apiGallery), nil); r.errCode() != "ResourceGroupNotFound" {
		t.Fatalf("child of deleted group: %s", r.Raw)
	}
}

func TestSubscriptionAndLocations(t *testing.T) {
	h := newHarness(t, Options{Regions: []string{"East US", "westeurope"}})
	s := h.must(200, "GET", withAPI("/subscriptions/"+testSub, "2022-12-01"), nil)
	if str(s.Body, "subscriptionId") != testSub || str(s.Body, "state") != "Enabled" {
		t.Fatalf("subscription %s", s.Raw)
	}
	l := h.must(200, "GET", withAPI("/subscriptions/"+testSub+"/locations", "2022-12-01"), nil)
	v := list(l.Body, "value")
	if len(v) != 2 {
		t.Fatalf("locations %s", l.Raw)
	}
	first := v[0].(map[string]any)
	if str(first, "name") != "eastus" || str(first, "displayName") != "East US" || str(first, "regionalDisplayName") != "(US) East US" ||
		str(obj(first, "metadata"), "regionType") != "Physical" || str(first, "type") != "Region" {
		t.Fatalf("location shape %v", first)
	}
	if r := h.do("GET", withAPI("/subscriptions/11111111-0000-0000-0000-000000000000", "2022-12-01"), nil); r.Status != 404 {
		t.Fatalf("unknown subscription: %d", r.Status)
	}
}

func TestDefinitionDefaultsByAPIVersion(t *testing.T) {
	h := newHarness(t, Options{})
	h.createRG("rg1", "westus")
	h.put(201, computePath("rg1", "galleries/g"), apiGallery, map[string]any{"location": "westus"})
	newDef := h.must(201, "PUT", withAPI(computePath("rg1", "galleries/g/images/new"), "2025-03-03"), defBody("westus", "Linux", "Generalized", "", "a"))
	p := obj(newDef.Body, "properties")
	if str(p, "hyperVGeneration") != "V2" || !strings.Contains(toJSON(p["features"]), `"TrustedLaunchSupported"`) {
		t.Fatalf("2025-03-03 defaults: %s", newDef.Raw)
	}
	oldDef := h.must(201, "PUT", withAPI(computePath("rg1", "galleries/g/images/old"), "2024-03-03"), defBody("westus", "Linux", "Generalized", "", "b"))
	p = obj(oldDef.Body, "properties")
	if str(p, "hyperVGeneration") != "V1" || p["features"] != nil {
		t.Fatalf("2024-03-03 defaults: %s", oldDef.Raw)
	}
	// An explicit SecurityType feature is kept as given.
	b := defBody("westus", "Linux", "Generalized", "V1", "c")
	obj(b, "properties")["features"] = []any{map[string]any{"name": "SecurityType", "value": "Standard"}}
	explicit := h.must(201, "PUT", withAPI(computePath("rg1", "galleries/g/images/explicit"), "2026-03-03"), b)
	if got := toJSON(obj(explicit.Body, "properties")["features"]); got != `[{"name":"SecurityType","value":"Standard"}]` {
		t.Fatalf("explicit features %s", got)
	}
	// Re-PUT without hyperVGeneration keeps the stored V2 (no PropertyChangeNotAllowed).
	h.must(200, "PUT", withAPI(computePath("rg1", "galleries/g/images/new"), "2026-03-03"), defBody("westus", "Linux", "Generalized", "", "a"))
}

func TestVersionAllowedUpdates(t *testing.T) {
	h := newHarness(t, Options{})
	f := h.baseFixture("westus", "V2", "Generalized")
	h.put(201, f.versionPath("1.0.0"), apiGallery, versionBody("westus", f.imageID, region("westus", 1), region("eastus", 1)))
	// PATCH: add a region, change replica counts, excludeFromLatest, endOfLifeDate, tags.
	patch := map[string]any{"tags": map[string]any{"k": "v"}, "properties": map[string]any{"publishingProfile": map[string]any{
		"targetRegions":     []any{region("westus", 2), region("eastus", 1), region("northeurope", 1)},
		"excludeFromLatest": true, "endOfLifeDate": "2031-01-01T00:00:00Z"}}}
	r := h.must(200, "PATCH", withAPI(f.versionPath("1.0.0"), apiGallery), patch)
	if ps := str(obj(r.Body, "properties"), "provisioningState"); ps != "Updating" {
		t.Fatalf("provisioningState during update %q", ps)
	}
	_, states, _ := h.regionsProgress(f.versionPath("1.0.0"))
	if states["East US"] != "Completed" || states["North Europe"] != "Replicating" {
		t.Fatalf("unchanged regions keep their replication, new ones start: %v", states)
	}
	if st := h.waitOp(r); str(st, "status") != "Succeeded" {
		t.Fatalf("update operation %v", st)
	}
	// Removing a region is allowed once allowDeletionOfReplicatedLocations is true.
	rm := map[string]any{"properties": map[string]any{"safetyProfile": map[string]any{"allowDeletionOfReplicatedLocations": true},
		"publishingProfile": map[string]any{"targetRegions": []any{region("westus", 2)}}}}
	h.waitOp(h.must(200, "PATCH", withAPI(f.versionPath("1.0.0"), apiGallery), rm))
	g := h.must(200, "GET", withAPI(f.versionPath("1.0.0"), apiGallery), nil)
	if n := len(list(obj(g.Body, "properties", "publishingProfile"), "targetRegions")); n != 1 || g.Body["tags"] == nil {
		t.Fatalf("after update: %s", g.Raw)
	}
}

func TestGallerySharing(t *testing.T) {
	h := newHarness(t, Options{})
	h.createRG("rg1", "westus")
	gp := computePath("rg1", "galleries/g")
	h.put(201, gp, apiGallery, map[string]any{"location": "westus"})
	add := map[string]any{"operationType": "Add", "groups": []any{map[string]any{"type": "Subscriptions", "ids": []any{"s1", "s2"}}, map[string]any{"type": "AADTenants", "ids": []any{"t1"}}}}
	h.waitOp(h.must(202, "POST", withAPI(gp+"/share", apiGallery), add))
	rm := map[string]any{"operationType": "Remove", "groups": []any{map[string]any{"type": "Subscriptions", "ids": []any{"s1"}}}}
	h.waitOp(h.must(202, "POST", withAPI(gp+"/share", apiGallery), rm))
	g := h.must(200, "GET", withAPI(gp, apiGallery), nil)
	sp := obj(g.Body, "properties", "sharingProfile")
	if str(sp, "permissions") != "Groups" || toJSON(sp["groups"]) != `[{"ids":["s2"],"type":"Subscriptions"},{"ids":["t1"],"type":"AADTenants"}]` {
		t.Fatalf("sharingProfile %s", toJSON(sp))
	}
	h.waitOp(h.must(202, "POST", withAPI(gp+"/share", apiGallery), map[string]any{"operationType": "Reset"}))
	g = h.must(200, "GET", withAPI(gp, apiGallery), nil)
	if sp := obj(g.Body, "properties", "sharingProfile"); str(sp, "permissions") != "Private" || sp["groups"] != nil {
		t.Fatalf("after Reset %s", toJSON(sp))
	}
}

func TestRoleAssignments(t *testing.T) {
	h := newHarness(t, Options{})
	f := h.baseFixture("westus", "V2", "Generalized")
	scope := computePath(f.rg, "galleries/"+f.gallery)
	const api = "2022-04-01"
	name := "5f0ce8f0-0000-4000-8000-000000000001"
	ra := map[string]any{"properties": map[string]any{"roleDefinitionId": "/subscriptions/" + testSub + "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
		"principalId": "22222222-2222-2222-2222-222222222222", "principalType": "ServicePrincipal"}}
	c := h.must(201, "PUT", withAPI(scope+"/providers/Microsoft.Authorization/roleAssignments/"+name, api), ra)
	if str(obj(c.Body, "properties"), "scope") != scope || str(c.Body, "type") != "Microsoft.Authorization/roleAssignments" {
		t.Fatalf("created %s", c.Raw)
	}
	h.must(200, "GET", withAPI(scope+"/providers/Microsoft.Authorization/roleAssignments/"+name, api), nil)
	l := h.must(200, "GET", withAPI(scope+"/providers/Microsoft.Authorization/roleAssignments", api)+"&$filter=atScope()", nil)
	if len(list(l.Body, "value")) != 1 {
		t.Fatalf("list %s", l.Raw)
	}
	// Listed from the definition's scope (below the gallery), the gallery's assignment applies.
	l = h.must(200, "GET", withAPI(scope+"/images/"+f.def+"/providers/Microsoft.Authorization/roleAssignments", api)+"&$filter=atScope()", nil)
	if len(list(l.Body, "value")) != 1 {
		t.Fatalf("inherited list %s", l.Raw)
	}
	if r := h.do("PUT", withAPI(scope+"/providers/Microsoft.Authorization/roleAssignments/not-a-guid", api), ra); r.errCode() != "InvalidRoleAssignmentId" {
		t.Fatalf("bad name %s", r.Raw)
	}
	if r := h.do("PUT", withAPI(computePath(f.rg, "galleries/nope")+"/providers/Microsoft.Authorization/roleAssignments/"+name, api), ra); r.Status != 404 {
		t.Fatalf("missing scope %d", r.Status)
	}
	h.must(200, "DELETE", withAPI(scope+"/providers/Microsoft.Authorization/roleAssignments/"+name, api), nil)
	h.must(404, "GET", withAPI(scope+"/providers/Microsoft.Authorization/roleAssignments/"+name, api), nil)
}

func TestInventoryAndReset(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, Options{DataDir: dir})
	f := h.baseFixture("westus", "V2", "Generalized")
	a, b := h.inventory(), h.inventory()
	if a != b || !strings.Contains(a, f.imageID) {
		t.Fatalf("inventory unstable or incomplete")
	}
	if err := h.svc.Reset(); err != nil {
		t.Fatal(err)
	}
	if inv := h.inventory(); inv != "[]" {
		t.Fatalf("after Reset %s", inv)
	}
	h2 := newHarness(t, Options{DataDir: dir})
	if inv := h2.inventory(); inv != "[]" {
		t.Fatalf("Reset did not clear the data dir: %s", inv)
	}
	if v := h.svc.SupportedAPIVersions()["Microsoft.Compute/galleries/images/versions"]; len(v) == 0 || v[len(v)-1] != "2026-03-03" {
		t.Fatalf("SupportedAPIVersions %v", v)
	}
}

// TestFailedWriteLeavesStateUnchanged: when the state file cannot be written, the request fails
// with 500 and memory goes back to what is on disk.
func TestFailedWriteLeavesStateUnchanged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	h := newHarness(t, Options{DataDir: dir})
	h.createRG("rg1", "westus")
	before := h.inventory()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := h.do("PUT", withAPI(computePath("rg1", "galleries/g"), apiGallery), map[string]any{"location": "westus"})
	if r.Status != 500 || r.errCode() != "InternalServerError" {
		t.Fatalf("write to an unwritable data dir: %d %s", r.Status, r.Raw)
	}
	if after := h.inventory(); after != before {
		t.Fatalf("memory ran ahead of disk:\n%s\n%s", before, after)
	}
}
