package arm

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// sharedViewsFixture: gallery "bysub" (soft delete on) shared with consumerSub, "private" shared with
// nobody, "bytenant" shared with consumerTenant; each has definition "os" with versions published to
// westus, and bysub also 1.3.0, the only one replicated to eastus too.
func sharedViewsFixture(t *testing.T, pageSize int) (*harness, map[string]string) {
	h := newHarness(t, sharingOptions(pageSize))
	f := newSharedFixture(h, "rg", "private")
	uniques := map[string]string{}
	for _, g := range []string{"private", "bytenant", "bysub"} {
		if g != "private" {
			f.gallery = g
			h.put(201, computePath(f.rg, "galleries/"+g), apiGallery, map[string]any{"location": "westus",
				"properties": map[string]any{"softDeletePolicy": map[string]any{"isSoftDeleteEnabled": g == "bysub"}}})
		}
		f.definition("os")
		f.version("os", "1.0.0", nil)
		f.version("os", "1.1.0", map[string]any{"excludeFromLatest": true})
		f.version("os", "1.2.0", map[string]any{"endOfLifeDate": "2030-01-01T00:00:00Z"})
		uniques[g] = f.unique()
	}
	f.gallery = "bytenant"
	f.share("Add", "AADTenants", consumerTenant)
	f.gallery = "bysub"
	f.share("Add", "Subscriptions", consumerSub)
	f.version("os", "1.3.0", nil, "eastus")
	return h, uniques
}

// TestSharedViewsCallerSeesOnlyWhatIsShared: the consumer's subscription sees the gallery shared with
// it, its tenant's view (sharedTo=tenant) the gallery shared with the tenant, and no one sees the
// private gallery; a subscription of the producer's own tenant sees nothing shared with it.
func TestSharedViewsCallerSeesOnlyWhatIsShared(t *testing.T) {
	h, u := sharedViewsFixture(t, 100)
	api := "?api-version=" + apiGallery
	if got := names(t, h.must(200, "GET", sharedPath(consumerSub, "westus", "")+api, nil)); !slices.Equal(got, []string{u["bysub"]}) {
		t.Errorf("consumer's shared galleries = %v, want [%s]", got, u["bysub"])
	}
	if got := names(t, h.must(200, "GET", sharedPath(consumerSub, "westus", "")+api+"&sharedTo=tenant", nil)); !slices.Equal(got, []string{u["bytenant"]}) {
		t.Errorf("consumer's tenant-shared galleries = %v, want [%s]", got, u["bytenant"])
	}
	if got := names(t, h.must(200, "GET", sharedPath(neighbourSub, "westus", "")+api, nil)); len(got) != 0 {
		t.Errorf("the neighbour sees %v, want nothing", got)
	}
	for _, g := range []string{"bysub", "bytenant"} {
		r := h.must(200, "GET", sharedPath(consumerSub, "westus", "/"+u[g])+api, nil)
		if id := str(obj(r.Body, "identifier"), "uniqueId"); id != "/SharedGalleries/"+u[g] {
			t.Errorf("%s: uniqueId %q", g, id)
		}
	}
	for _, rest := range []string{"/" + u["private"], "/" + u["private"] + "/images", "/" + u["private"] + "/images/os/versions",
		"/" + u["private"] + "/images/os/versions/1.0.0", "/" + u["bysub"] + "/images/nope", "/" + u["bysub"] + "/images/os/versions/9.9.9"} {
		if r := h.do("GET", sharedPath(consumerSub, "westus", rest)+api, nil); r.Status != 404 || r.errCode() != "NotFound" {
			t.Errorf("GET %s: %d %s, want 404 NotFound", rest, r.Status, r.Raw)
		}
	}
	// The tenant-shared gallery's versions are listed only with sharedTo=tenant.
	if r := h.do("GET", sharedPath(consumerSub, "westus", "/"+u["bytenant"]+"/images/os/versions")+api, nil); r.Status != 404 {
		t.Errorf("tenant-shared versions without sharedTo: %d", r.Status)
	}
	h.must(200, "GET", sharedPath(consumerSub, "westus", "/"+u["bytenant"]+"/images/os/versions")+api+"&sharedTo=tenant", nil)
	if r := h.do("GET", sharedPath(consumerSub, "westus", "")+api+"&sharedTo=everyone", nil); r.Status != 400 || r.errCode() != "InvalidParameter" {
		t.Errorf("sharedTo=everyone: %d %s, want 400 InvalidParameter", r.Status, r.Raw)
	}
	if r := h.do("GET", sharedPath(consumerSub, "westus", "")+"?api-version=2019-03-01", nil); r.Status != 400 || r.errCode() != "NoRegisteredProviderFound" {
		t.Errorf("old api-version: %d %s", r.Status, r.Raw)
	}
}

// TestSharedVersionsView: versions in a location with their exclusion and end of life; paging with
// nextLink; a soft-deleted version stays until its consumption end, marked SoftDeleted; an unshared
// gallery disappears.
func TestSharedVersionsView(t *testing.T) {
	h, u := sharedViewsFixture(t, 1)
	path := sharedPath(consumerSub, "westus", "/"+u["bysub"]+"/images/os/versions") + "?api-version=" + apiGallery
	var got []map[string]any
	for next, pages := path, 0; next != ""; pages++ {
		r := h.must(200, "GET", next, nil)
		for _, x := range list(r.Body, "value") {
			got = append(got, x.(map[string]any))
		}
		next, _ = r.Body["nextLink"].(string)
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	var summary []string
	for _, v := range got {
		p := obj(v, "properties")
		summary = append(summary, str(v, "name")+":"+strings.TrimSpace(str(p, "endOfLifeDate")+" "+map[bool]string{true: "excluded"}[boolean(p, "excludeFromLatest")]))
		if want := "/SharedGalleries/" + u["bysub"] + "/Images/os/Versions/" + str(v, "name"); str(obj(v, "identifier"), "uniqueId") != want {
			t.Errorf("uniqueId %q, want %q", str(obj(v, "identifier"), "uniqueId"), want)
		}
	}
	if want := []string{"1.0.0:", "1.1.0:excluded", "1.2.0:2030-01-01T00:00:00Z", "1.3.0:"}; !slices.Equal(summary, want) {
		t.Errorf("westus versions over pages = %v, want %v", summary, want)
	}
	// The tenant view pages too, and each nextLink keeps sharedTo.
	var tenantNames []string
	next := sharedPath(consumerSub, "westus", "/"+u["bytenant"]+"/images/os/versions") + "?api-version=" + apiGallery + "&sharedTo=tenant"
	for next != "" {
		r := h.must(200, "GET", next, nil)
		tenantNames = append(tenantNames, names(t, r)...)
		next, _ = r.Body["nextLink"].(string)
		if next != "" && !strings.Contains(next, "sharedTo=tenant") {
			t.Fatalf("nextLink %s lost sharedTo", next)
		}
	}
	if !slices.Equal(tenantNames, []string{"1.0.0", "1.1.0", "1.2.0"}) {
		t.Errorf("tenant-shared versions over pages = %v", tenantNames)
	}
	east := h.must(200, "GET", sharedPath(consumerSub, "eastus", "/"+u["bysub"]+"/images/os/versions")+"?api-version="+apiGallery, nil)
	if n := names(t, east); !slices.Equal(n, []string{"1.3.0"}) {
		t.Errorf("eastus versions = %v", n)
	}
	// Soft delete 1.2.0: still listed and readable until its consumption end (the gallery keeps 7 days),
	// as SoftDeleted; then gone.
	h.waitOp(h.must(202, "DELETE", withAPI(computePath("rg", "galleries/bysub/images/os/versions/1.2.0"), apiGallery), nil))
	v120 := sharedPath(consumerSub, "westus", "/"+u["bysub"]+"/images/os/versions/1.2.0") + "?api-version=" + apiGallery
	r := h.must(200, "GET", v120, nil)
	if p := obj(r.Body, "properties"); str(p, "imageState") != "SoftDeleted" || str(p, "consumptionEndTime") == "" {
		t.Errorf("soft-deleted 1.2.0 in the view: %s", r.Raw)
	}
	all := sharedPath(consumerSub, "westus", "/"+u["bysub"]+"/images/os/versions") + "?api-version=" + apiGallery + "&$skiptoken=2"
	if n := names(t, h.must(200, "GET", all, nil)); !slices.Equal(n, []string{"1.2.0"}) {
		t.Errorf("third page after the soft delete = %v, want [1.2.0] (in version order)", n)
	}
	h.clock.Advance(8 * 24 * time.Hour)
	if r := h.do("GET", v120, nil); r.Status != 404 {
		t.Errorf("soft-deleted version after its consumption end: %d, want 404", r.Status)
	}
	// Unshare: the gallery disappears for the consumer.
	f := &sharedFixture{h: h, rg: "rg", gallery: "bysub"}
	f.share("Remove", "Subscriptions", consumerSub)
	if r := h.do("GET", path, nil); r.Status != 404 {
		t.Errorf("after unsharing: %d, want 404", r.Status)
	}
}
