package arm

import (
	"net/http"

	"github.com/google/uuid"
)

// This file is community galleries (sources in docs/emulator.md, "Community galleries"): the share
// action EnableCommunity keeps the gallery's communityGalleryInfo, marks it enabled and gives the gallery
// its public name (publicNamePrefix-GUID); the public read API
// GET /subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/communityGalleries/{publicName}/images/{image}/versions[/{version}]
// shows the succeeded versions replicated to {loc}, with the public ids /CommunityGalleries/….

// enableCommunity completes the new sharing profile of an EnableCommunity share from the old one.
func enableCommunity(g *resource, old, sp map[string]any) {
	info := clone(obj(old, "communityGalleryInfo"))
	if info == nil {
		info = map[string]any{}
	}
	info["communityGalleryEnabled"] = true
	if prefix := str(info, "publicNamePrefix"); prefix != "" {
		info["publicNames"] = []any{prefix + "-" + uuid.NewSHA1(uuid.NameSpaceURL, []byte(key(g.ID))).String()}
	}
	sp["communityGalleryInfo"] = info
}

// communityGallery finds the gallery shared to the community under publicName.
func (s *Service) communityGallery(publicName string) *resource {
	for _, k := range sortedKeys(s.st.Resources) {
		r := s.st.Resources[k]
		sp := obj(r.Properties, "sharingProfile")
		if !eq(r.Type, galleryKind().Type) || !eq(str(sp, "permissions"), "Community") {
			continue
		}
		for _, n := range list(obj(sp, "communityGalleryInfo"), "publicNames") {
			if s, ok := n.(string); ok && eq(s, publicName) {
				return r
			}
		}
	}
	return nil
}

// communityRoute serves the community versions read API; handled is false for any other path.
func (s *Service) communityRoute(rc *reqCtx, rest []string) (handled bool, e *apiError) {
	if len(rest) == 6 && eq(rest[0], "locations") && eq(rest[2], "communityGalleries") && eq(rest[4], "images") {
		if e := s.useAPIVersion(rc, familyGallery, "locations/communityGalleries/images", ""); e != nil {
			return true, e
		}
		return true, s.communityImageRoute(rc, rest) // community_source.go
	}
	if len(rest) < 7 || len(rest) > 8 || !eq(rest[0], "locations") || !eq(rest[2], "communityGalleries") || !eq(rest[4], "images") || !eq(rest[6], "versions") {
		return false, nil
	}
	if e := s.useAPIVersion(rc, familyGallery, "locations/communityGalleries/images/versions", ""); e != nil {
		return true, e
	}
	if rc.r.Method != http.MethodGet {
		return true, methodNotAllowed(rc.r.Method)
	}
	loc, public, image := normalizeRegion(rest[1]), rest[3], rest[5]
	g := s.communityGallery(public)
	if g == nil || s.get(g.ID+"/images/"+image) == nil {
		return true, newError(http.StatusNotFound, "NotFound", "", "The community gallery image '%s/%s' was not found in location '%s'.", public, image, loc)
	}
	var values []map[string]any
	for _, v := range s.communityVisible(s.get(g.ID+"/images/"+image), loc, rc.now) { // community_source.go
		values = append(values, communityVersion(v, loc, public, image))
	}
	if len(rest) == 8 {
		for _, v := range values {
			if eq(str(v, "name"), rest[7]) {
				writeJSON(rc.w, http.StatusOK, v)
				return true, nil
			}
		}
		return true, newError(http.StatusNotFound, "NotFound", "", "The community gallery image version '%s/%s/%s' was not found in location '%s'.", public, image, rest[7], loc)
	}
	if values == nil {
		values = []map[string]any{}
	}
	writePage(rc, s.opts.PageSize, values)
	return true, nil
}

// communityVersion renders a version as CommunityGalleryImageVersions shows it
// (CommunityGalleryImageVersion_List.json): public id, dates, exclusion, OS disk size.
func communityVersion(v *resource, loc, public, image string) map[string]any {
	pp := obj(v.Properties, "publishingProfile")
	props := map[string]any{"excludeFromLatest": boolean(pp, "excludeFromLatest")}
	props["publishedDate"] = timeString(v.Meta.Created)
	if d := str(pp, "endOfLifeDate"); d != "" {
		props["endOfLifeDate"] = d
	}
	os := map[string]any{"hostCaching": "ReadOnly"}
	if gb := v.Meta.SizeBytes >> 30; gb > 0 {
		os["diskSizeGB"] = gb
	}
	props["storageProfile"] = map[string]any{"osDiskImage": os}
	return map[string]any{
		"name": v.Name, "location": loc, "type": "Microsoft.Compute/locations/communityGalleries/images/versions",
		"identifier": map[string]any{"uniqueId": "/CommunityGalleries/" + public + "/Images/" + image + "/Versions/" + v.Name},
		"properties": props,
	}
}
