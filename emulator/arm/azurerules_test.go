package arm

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func wantErr(t *testing.T, what string, r response, status int, code, inMsg string) {
	t.Helper()
	msg := str(obj(r.Body, "error"), "message")
	if r.Status != status || r.errCode() != code || !strings.Contains(msg, inMsg) {
		t.Fatalf("%s: got %d %s %q; want %d %s containing %q", what, r.Status, r.errCode(), msg, status, code, inMsg)
	}
}

// TestDeleteLag: after a version's delete has finished (its GET is 404), its definition still refuses
// deletion with CannotDeleteResource for DeleteLag; the same holds for the gallery after its last
// definition. Without a lag, deletes back to back succeed.
func TestDeleteLag(t *testing.T) {
	for _, lag := range []time.Duration{0, 10 * time.Second} {
		t.Run(lag.String(), func(t *testing.T) {
			h := newHarness(t, Options{DeleteLag: lag})
			f := h.baseFixture("westus", "V2", "Generalized")
			h.put(201, f.versionPath("1.0.0"), apiGallery, versionBody("westus", f.imageID))
			h.waitOp(h.must(202, "DELETE", withAPI(f.versionPath("1.0.0"), apiGallery), nil))
			h.must(404, "GET", withAPI(f.versionPath("1.0.0"), apiGallery), nil)
			defPath := withAPI(computePath(f.rg, "galleries/gal1/images/def1"), apiGallery)
			galPath := withAPI(computePath(f.rg, "galleries/gal1"), apiGallery)
			if lag > 0 {
				wantErr(t, "definition right after its version", h.do("DELETE", defPath, nil), 409, "CannotDeleteResource",
					"Can not delete resource before nested resources are deleted.")
				h.clock.Advance(lag - time.Second)
				wantErr(t, "definition just before the lag ends", h.do("DELETE", defPath, nil), 409, "CannotDeleteResource", "nested")
				h.clock.Advance(time.Second)
			}
			h.waitOp(h.must(202, "DELETE", defPath, nil))
			if lag > 0 {
				wantErr(t, "gallery right after its definition", h.do("DELETE", galPath, nil), 409, "CannotDeleteResource", "nested")
				h.clock.Advance(lag)
			}
			h.waitOp(h.must(202, "DELETE", galPath, nil))
		})
	}
}

// TestDuplicateIdentifier: a second definition with the same publisher/offer/sku in one gallery is
// refused with a message naming the existing one; another gallery may reuse it.
func TestDuplicateIdentifier(t *testing.T) {
	h := newHarness(t, Options{})
	f := h.baseFixture("westus", "V2", "Generalized")
	r := h.do("PUT", withAPI(computePath(f.rg, "galleries/gal1/images/def2"), apiGallery), defBody("westus", "Linux", "Generalized", "V2", "S"))
	wantErr(t, "duplicate identifier", r, 409, "OperationNotAllowed", "Gallery image: def1 already exists")
	wantErr(t, "duplicate identifier", r, 409, "OperationNotAllowed", "Choose a different publisher, offer, sku combination.")
	h.put(201, computePath(f.rg, "galleries/gal2"), apiGallery, map[string]any{"location": "westus"})
	h.put(201, computePath(f.rg, "galleries/gal2/images/def2"), apiGallery, defBody("westus", "Linux", "Generalized", "V2", "s"))
	// Re-PUT of the same definition is an update, not a duplicate.
	h.put(200, computePath(f.rg, "galleries/gal1/images/def1"), apiGallery, defBody("westus", "Linux", "Generalized", "V2", "s"))
}

// TestAzureChecks: names, tags, a definition end of life in the past, a resource in another location,
// 404 and missing-parent messages, and the security-type check on sources.
func TestAzureChecks(t *testing.T) {
	h := newHarness(t, Options{})
	f := h.baseFixture("westus", "V2", "Generalized")
	defs := func(n string) string { return withAPI(computePath(f.rg, "galleries/gal1/images/"+n), apiGallery) }
	body := func(sku string) map[string]any { return defBody("westus", "Linux", "Generalized", "V2", sku) }
	for _, bad := range []string{"def-", "def.", "_def", "-def"} {
		wantErr(t, "definition name "+bad, h.do("PUT", defs(bad), body("x"+bad)), 400, "InvalidParameter", entityNameRule)
	}
	h.put(201, computePath(f.rg, "galleries/gal1/images/d_ok-1.x_"), apiGallery, body("ok"))
	wantErr(t, "gallery name with a hyphen", h.do("PUT", withAPI(computePath(f.rg, "galleries/g-1"), apiGallery), map[string]any{"location": "westus"}),
		400, "InvalidParameter", "galleryName")

	many := map[string]any{}
	for i := 0; i <= maxTags; i++ {
		many[fmt.Sprintf("t%d", i)] = "v"
	}
	b := body("t1")
	b["tags"] = many
	wantErr(t, "51 tags", h.do("PUT", defs("tags1"), b), 400, "InvalidTag", "at most 50 tags")
	b["tags"] = map[string]any{"k": strings.Repeat("v", maxTagValueLen+1)}
	wantErr(t, "long tag value", h.do("PUT", defs("tags1"), b), 400, "InvalidTagValueLength", "256")
	b["tags"] = map[string]any{strings.Repeat("k", maxTagNameLen+1): "v"}
	wantErr(t, "long tag name", h.do("PUT", defs("tags1"), b), 400, "InvalidTagNameLength", "512")

	b = body("eol")
	obj(b, "properties")["endOfLifeDate"] = "2020-01-01T00:00:00Z"
	wantErr(t, "past end of life", h.do("PUT", defs("eol"), b), 400, "InvalidParameter", "EndOfLifeDate must be set to a future date.")

	wantErr(t, "another location", h.do("PUT", withAPI(computePath(f.rg, "galleries/gal1"), apiGallery), map[string]any{"location": "eastus"}),
		409, "InvalidResourceLocation", "already exists in location 'westus'")
	wantErr(t, "missing version", h.do("GET", withAPI(f.versionPath("9.9.9"), apiGallery), nil), 404, "ResourceNotFound",
		"'Microsoft.Compute/galleries/gal1/images/def1/versions/9.9.9' under resource group 'rg1'")
	wantErr(t, "version in a missing gallery", h.do("PUT", withAPI(computePath(f.rg, "galleries/nope/images/d/versions/1.0.0"), apiGallery),
		versionBody("westus", f.imageID)), 404, "ParentResourceNotFound", "Parent resource 'nope' not found.")
	wantErr(t, "version in a missing definition", h.do("PUT", withAPI(computePath(f.rg, "galleries/gal1/images/nope/versions/1.0.0"), apiGallery),
		versionBody("westus", f.imageID)), 404, "ParentResourceNotFound", "Parent resource 'gal1/nope' not found.")

	// def1 (2026-03-03, V2) defaults to SecurityType TrustedLaunchSupported: a disk source is refused.
	wantErr(t, "disk source for TrustedLaunchSupported", h.do("PUT", withAPI(f.versionPath("1.0.0"), apiGallery), versionBody("westus", f.diskID)),
		400, "InvalidParameter", "The security type 'TrustedLaunchSupported' is not supported for the source id")
}

// TestVersionPutWithoutSourceKeepsIt: az sig image-version update PUTs the version back without
// storageProfile.source; the stored source stays.
func TestVersionPutWithoutSourceKeepsIt(t *testing.T) {
	h := newHarness(t, Options{})
	f := h.baseFixture("westus", "V2", "Generalized")
	h.put(201, f.versionPath("1.0.0"), apiGallery, versionBody("westus", f.imageID))
	b := versionBody("westus", "")
	obj(b, "properties")["storageProfile"] = map[string]any{"osDiskImage": map[string]any{"hostCaching": "ReadOnly"}}
	b["tags"] = map[string]any{"updated": "yes"}
	h.put(200, f.versionPath("1.0.0"), apiGallery, b)
	g := h.must(200, "GET", withAPI(f.versionPath("1.0.0"), apiGallery), nil)
	if src := str(obj(g.Body, "properties", "storageProfile", "source"), "id"); !eq(src, f.imageID) {
		t.Fatalf("source after a PUT without it: %q", src)
	}
}

// TestInFlightPutConflict: with the option, a PUT over a version still being created is a 409
// Conflict; once it has replicated, the same PUT is an update.
func TestInFlightPutConflict(t *testing.T) {
	h := newHarness(t, Options{InFlightPutConflict: true})
	f := h.baseFixture("westus", "V2", "Generalized")
	path := withAPI(f.versionPath("1.0.0"), apiGallery)
	r := h.must(201, "PUT", path, versionBody("westus", f.imageID))
	wantErr(t, "PUT over a version being created", h.do("PUT", path, versionBody("westus", f.imageID)), 409, "Conflict", "in progress")
	h.waitOp(r)
	h.put(200, f.versionPath("1.0.0"), apiGallery, versionBody("westus", f.imageID))
}

// TestReplicationProfiles: each profile's progress at a quarter and at half of the replication time,
// the configured default, a per-region profile and a profile rule; every profile ends on time.
func TestReplicationProfiles(t *testing.T) {
	want := map[string][2]int64{ // progress at 25% and 50% of the time
		ProfileLinear: {25, 50}, ProfileSlowStart: {6, 25}, ProfileCubic: {1, 12}, ProfileSCurve: {15, 50}, ProfileStall: {35, 50},
	}
	for _, p := range Profiles {
		t.Run(p, func(t *testing.T) {
			h := newHarness(t, Options{Replication: ReplicationModel{SecondsPerGiB: 1e-9, RegionBaseDelay: 100 * time.Second,
				Profile: ProfileLinear, RegionProfile: map[string]string{"West US": p}}})
			f := h.baseFixture("westus", "V2", "Generalized")
			if err := h.svc.AddReplicationProfile(ReplicationProfileRule{Region: "eastus", Profile: p, Count: 1}); err != nil {
				t.Fatal(err)
			}
			r := h.must(201, "PUT", withAPI(f.versionPath("1.0.0"), apiGallery),
				versionBody("westus", f.imageID, region("westus", 1), region("eastus", 1), region("westeurope", 1)))
			for i, at := range []time.Duration{25*time.Second + time.Microsecond, 25 * time.Second} {
				h.clock.Advance(at)
				_, _, progress := h.regionsProgress(f.versionPath("1.0.0"))
				for _, reg := range []string{"West US", "East US"} {
					if progress[reg] != want[p][i] {
						t.Errorf("%s at %d%%: progress %d, want %d", reg, 25*(i+1), progress[reg], want[p][i])
					}
				}
				if progress["West Europe"] != int64(25*(i+1)) {
					t.Errorf("West Europe (default linear) at %d%%: %d", 25*(i+1), progress["West Europe"])
				}
			}
			h.clock.Advance(50*time.Second - time.Millisecond)
			if agg, _, _ := h.regionsProgress(f.versionPath("1.0.0")); agg != "InProgress" {
				t.Fatalf("just before the end: %s", agg)
			}
			h.clock.Advance(2 * time.Millisecond)
			if st := opStatusBody(h, r); str(st, "status") != "Succeeded" {
				t.Fatalf("at the end: %v", st)
			}
		})
	}
	if err := newHarness(t, Options{}).svc.AddReplicationProfile(ReplicationProfileRule{Profile: "zigzag"}); err == nil {
		t.Fatal("an unknown profile was accepted")
	}
}
