package arm

import (
	"fmt"
	"regexp"
)

// communityRef is a placeholder community image or version id in an example
// (GalleryImageVersion_Create_WithCommunityImageVersionAsSource.json:
// /communityGalleries/{communityGalleryName}/images/{communityGalleryImageName}).
var communityRef = regexp.MustCompile(`(?i)^/communityGalleries/\{[^/]*\}/images/[^/]+(/versions/[^/]+)?$`)

// communitySource publishes what a community placeholder names, in the replay's region: a gallery
// shared with the community (sharingProfile Community, then the share action EnableCommunity), a
// definition like the replay's own (Windows, Generalized, V1) and its version 1.0.0 replicated there.
// It returns the placeholder's form with the gallery's public name and the definition's name.
func (rp *replayer) communitySource(placeholder string) string {
	if id, ok := rp.defs[placeholder]; ok {
		return id
	}
	h := rp.h
	img := rp.createSource("images")
	rp.seq++
	g := computePath(rp.rg, fmt.Sprintf("galleries/community%d", rp.seq))
	h.put(201, g, apiGallery, map[string]any{"location": rp.loc, "properties": map[string]any{"sharingProfile": map[string]any{
		"permissions": "Community", "communityGalleryInfo": map[string]any{"publisherUri": "https://example.com", "publisherContact": "a@example.com",
			"eula": "https://example.com/eula", "publicNamePrefix": "replay"}}}})
	h.waitOp(h.must(202, "POST", withAPI(g+"/share", apiGallery), map[string]any{"operationType": "EnableCommunity"}))
	d := g + "/images/communitydef"
	h.put(201, d, apiGallery, map[string]any{"location": rp.loc, "properties": map[string]any{"osType": "Windows", "osState": "Generalized", "hyperVGeneration": "V1",
		"identifier": map[string]any{"publisher": "community", "offer": "community", "sku": "community"}}})
	h.put(201, d+"/versions/1.0.0", apiGallery, versionBody(rp.loc, img))
	rp.h.svc.mu.Lock()
	names := list(obj(rp.h.svc.get(g).Properties, "sharingProfile", "communityGalleryInfo"), "publicNames")
	rp.h.svc.mu.Unlock()
	if len(names) != 1 {
		rp.t.Fatalf("community gallery %s has public names %v", g, names)
	}
	public, _ := names[0].(string)
	id := "/CommunityGalleries/" + public + "/Images/communitydef"
	if communityRef.FindStringSubmatch(placeholder)[1] != "" {
		id += "/Versions/1.0.0"
	}
	rp.defs[placeholder] = id
	return id
}

// communityImagePrerequisites publishes the definition a CommunityGalleryImage_Get example reads: a
// gallery shared with the community holding a definition seeded from the example's 200 body (its OS
// facts, identifier and links). The gallery's public name stands for the example's publicGalleryName.
func (rp *replayer) communityImagePrerequisites() {
	h := rp.h
	g := computePath(rp.rg, "galleries/communityreplay")
	h.put(201, g, apiGallery, map[string]any{"location": rp.loc, "properties": map[string]any{"sharingProfile": map[string]any{
		"permissions": "Community", "communityGalleryInfo": map[string]any{"publisherUri": "https://example.com", "publisherContact": "a@example.com",
			"eula": "https://example.com/eula", "publicNamePrefix": "replay"}}}})
	h.waitOp(h.must(202, "POST", withAPI(g+"/share", apiGallery), map[string]any{"operationType": "EnableCommunity"}))
	want, _ := rp.ex.Responses["200"].Body.(map[string]any)
	props := map[string]any{}
	for _, k := range []string{"osType", "osState", "hyperVGeneration", "identifier", "privacyStatementUri", "eula"} {
		if v, ok := obj(want, "properties")[k]; ok {
			props[k] = clone(v)
		}
	}
	h.put(201, g+"/images/"+paramStr(rp.ex, "galleryImageName"), apiGallery, map[string]any{"location": rp.loc, "properties": props})
	h.svc.mu.Lock()
	names := list(obj(h.svc.get(g).Properties, "sharingProfile", "communityGalleryInfo"), "publicNames")
	h.svc.mu.Unlock()
	if len(names) != 1 {
		rp.t.Fatalf("community gallery %s has public names %v", g, names)
	}
	rp.defs["publicGalleryName"], _ = names[0].(string)
}

// communityImagePath is GET …/locations/{location}/communityGalleries/{public}/images/{image}.
func (rp *replayer) communityImagePath() string {
	return "/subscriptions/" + testSub + "/providers/Microsoft.Compute/locations/" + paramStr(rp.ex, "location") +
		"/communityGalleries/" + rp.defs["publicGalleryName"] + "/images/" + paramStr(rp.ex, "galleryImageName")
}
