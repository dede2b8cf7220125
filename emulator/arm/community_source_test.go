package arm

import (
	"net/http"
	"testing"
)

// communityFixture is a community gallery (shared, public name known) with definition def1 and versions
// 1.0.0 (eastus, westus) and 1.1.0 (eastus only), a private gallery "priv" with definition "copy" in
// eastus, and the managed image they came from.
type communityFixture struct {
	fixture
	public, priv string
}

func newCommunityFixture(t *testing.T) (*harness, communityFixture) {
	h := newHarness(t, Options{})
	f := communityFixture{fixture: h.baseFixture("eastus", "V2", "Generalized")}
	g := computePath(f.rg, "galleries/"+f.gallery)
	h.put(200, g, apiGallery, map[string]any{"location": "eastus", "properties": map[string]any{"sharingProfile": map[string]any{
		"permissions": "Community", "communityGalleryInfo": map[string]any{"publisherUri": "https://example.com", "publisherContact": "a@example.com",
			"eula": "https://example.com/eula", "publicNamePrefix": "acme"}}}})
	h.put(201, f.versionPath("1.0.0"), apiGallery, versionBody("eastus", f.imageID, region("eastus", 1), region("westus", 1)))
	h.put(201, f.versionPath("1.1.0"), apiGallery, versionBody("eastus", f.imageID, region("eastus", 1)))
	h.waitOp(h.must(202, "POST", withAPI(g+"/share", apiGallery), map[string]any{"operationType": "EnableCommunity"}))
	names := list(obj(h.must(200, "GET", withAPI(g, apiGallery), nil).Body, "properties", "sharingProfile", "communityGalleryInfo"), "publicNames")
	if len(names) != 1 {
		t.Fatalf("public names %v", names)
	}
	f.public, _ = names[0].(string)
	f.priv = computePath(f.rg, "galleries/priv")
	h.put(201, f.priv, apiGallery, map[string]any{"location": "eastus"})
	h.put(201, f.priv+"/images/copy", apiGallery, map[string]any{"location": "eastus", "properties": map[string]any{"osType": "Linux", "osState": "Generalized",
		"hyperVGeneration": "V2", "identifier": map[string]any{"publisher": "me", "offer": "o", "sku": "s"}}})
	return h, f
}

func communityBody(loc, id string) map[string]any {
	return map[string]any{"location": loc, "properties": map[string]any{
		"storageProfile": map[string]any{"source": map[string]any{"communityGalleryImageId": id}}}}
}

// TestCommunityVersionAsSource: a version PUT takes storageProfile.source.communityGalleryImageId naming a
// community version visible in its region, records it as sent, and refuses (404 NotFound on the field)
// a version that is missing, soft-deleted, not replicated there, or in a gallery not shared with the
// community; an image id takes its latest version; a malformed id is 400 InvalidParameter.
func TestCommunityVersionAsSource(t *testing.T) {
	h, f := newCommunityFixture(t)
	pub := "/CommunityGalleries/" + f.public + "/Images/" + f.def
	put := func(v, loc, id string) response {
		return h.do("PUT", withAPI(f.priv+"/images/copy/versions/"+v, apiGallery), communityBody(loc, id))
	}
	r := put("2.0.0", "eastus", pub+"/Versions/1.1.0")
	if r.Status != http.StatusCreated {
		t.Fatalf("community source: %d %s", r.Status, r.Raw)
	}
	h.waitOp(r)
	got := h.must(200, "GET", withAPI(f.priv+"/images/copy/versions/2.0.0", apiGallery), nil).Body
	if s := str(obj(got, "properties", "storageProfile", "source"), "communityGalleryImageId"); s != pub+"/Versions/1.1.0" {
		t.Errorf("stored source %q", s)
	}
	for _, c := range []struct{ name, v, loc, id string }{
		{"missing version", "2.0.1", "eastus", pub + "/Versions/9.9.9"},
		{"unknown public name", "2.0.3", "eastus", "/CommunityGalleries/nobody-123/Images/" + f.def + "/Versions/1.0.0"},
		{"unknown image", "2.0.4", "eastus", "/CommunityGalleries/" + f.public + "/Images/nope/Versions/1.0.0"},
	} {
		if r := put(c.v, c.loc, c.id); r.Status != http.StatusNotFound || r.errCode() != "NotFound" || str(obj(r.Body, "error"), "target") != communitySourceTarget {
			t.Errorf("%s: %d %s, want 404 NotFound on %s", c.name, r.Status, r.Raw, communitySourceTarget)
		}
	}
	if r := put("2.0.5", "eastus", "/CommunityGalleries/"+f.public+"/Versions/1.0.0"); r.Status != http.StatusBadRequest || r.errCode() != "InvalidParameter" {
		t.Errorf("malformed id: %d %s", r.Status, r.Raw)
	}
	// An image id takes the latest version visible in the region: 1.0.0 in westus (1.1.0 is not there).
	h.put(201, computePath(f.rg, "galleries/privw"), apiGallery, map[string]any{"location": "westus"})
	h.put(201, computePath(f.rg, "galleries/privw/images/copy"), apiGallery, map[string]any{"location": "westus", "properties": map[string]any{"osType": "Linux",
		"osState": "Generalized", "hyperVGeneration": "V2", "identifier": map[string]any{"publisher": "me", "offer": "o", "sku": "s"}}})
	r = h.do("PUT", withAPI(computePath(f.rg, "galleries/privw/images/copy/versions/1.0.1"), apiGallery), communityBody("westus", pub+"/Versions/1.1.0"))
	if r.Status != http.StatusNotFound || str(obj(r.Body, "error"), "target") != communitySourceTarget {
		t.Errorf("1.1.0 is not replicated to westus: %d %s", r.Status, r.Raw)
	}
	r = h.do("PUT", withAPI(computePath(f.rg, "galleries/privw/images/copy/versions/1.0.0"), apiGallery), communityBody("westus", pub))
	if r.Status != http.StatusCreated {
		t.Fatalf("community image id: %d %s", r.Status, r.Raw)
	}
	h.waitOp(r)
}

// TestCommunitySourceSoftDeletedOrPrivate: a soft-deleted community version, and any version of a gallery
// whose community sharing is reset, are not found as sources.
func TestCommunitySourceSoftDeletedOrPrivate(t *testing.T) {
	h, f := newCommunityFixture(t)
	g := computePath(f.rg, "galleries/"+f.gallery)
	h.put(200, g, apiGallery, map[string]any{"location": "eastus", "properties": map[string]any{
		"softDeletePolicy": map[string]any{"isSoftDeleteEnabled": true, "retentionPeriodInDays": 7},
		"sharingProfile":   obj(h.must(200, "GET", withAPI(g, apiGallery), nil).Body, "properties", "sharingProfile")}})
	h.waitOp(h.must(202, "DELETE", withAPI(f.versionPath("1.1.0"), apiGallery), nil))
	pub := "/CommunityGalleries/" + f.public + "/Images/" + f.def
	if r := h.do("PUT", withAPI(f.priv+"/images/copy/versions/1.0.0", apiGallery), communityBody("eastus", pub+"/Versions/1.1.0")); r.Status != http.StatusNotFound {
		t.Errorf("soft-deleted source: %d %s", r.Status, r.Raw)
	}
	h.waitOp(h.must(202, "POST", withAPI(g+"/share", apiGallery), map[string]any{"operationType": "Reset"}))
	if r := h.do("PUT", withAPI(f.priv+"/images/copy/versions/1.0.1", apiGallery), communityBody("eastus", pub+"/Versions/1.0.0")); r.Status != http.StatusNotFound {
		t.Errorf("gallery no longer shared with the community: %d %s", r.Status, r.Raw)
	}
}

// TestCommunityImageRead: GET …/locations/{loc}/communityGalleries/{public}/images/{image} shows the
// definition's OS facts with its public id (CommunityGalleryImage_Get.json's shape).
func TestCommunityImageRead(t *testing.T) {
	h, f := newCommunityFixture(t)
	p := "/subscriptions/" + testSub + "/providers/Microsoft.Compute/locations/eastus/communityGalleries/" + f.public + "/images/"
	b := h.must(200, "GET", withAPI(p+f.def, apiGallery), nil).Body
	if str(obj(b, "properties"), "osType") != "Linux" || str(obj(b, "properties"), "hyperVGeneration") != "V2" ||
		str(obj(b, "identifier"), "uniqueId") != "/CommunityGalleries/"+f.public+"/Images/"+f.def || str(b, "type") != "Microsoft.Compute/locations/communityGalleryImage" {
		t.Errorf("community image: %v", b)
	}
	if r := h.do("GET", withAPI(p+"nope", apiGallery), nil); r.Status != http.StatusNotFound {
		t.Errorf("unknown image: %d", r.Status)
	}
}
