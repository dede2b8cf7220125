package arm

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A community version as the source of a gallery image version (sources in docs/emulator.md, "Community
// galleries"): storageProfile.source.communityGalleryImageId, as in Azure's
// GalleryImageVersion_Create_WithCommunityImageVersionAsSource.json, names a version by its public id
// /CommunityGalleries/{publicName}/Images/{image}/Versions/{version}, or an image
// (/CommunityGalleries/{publicName}/Images/{image}, the example's form) whose latest version is taken.
// The source is what the community read API shows in the new version's region: a gallery shared with the
// community, a published (Succeeded) version replicated to that region; a deleted or soft-deleted
// version is gone from it. Anything else is the version PUT's "source not found".

// communitySourceTarget is the request field a community source is refused on.
const communitySourceTarget = "properties.storageProfile.source.communityGalleryImageId"

// resolveCommunitySource finds the community version a communityGalleryImageId names, as seen in loc.
func (s *Service) resolveCommunitySource(id, loc string, now time.Time) (*sourceInfo, *apiError) {
	segs := strings.Split(strings.TrimPrefix(strings.TrimSpace(id), "/"), "/")
	if (len(segs) != 4 && len(segs) != 6) || !eq(segs[0], "CommunityGalleries") || !eq(segs[2], "Images") || len(segs) == 6 && !eq(segs[4], "Versions") {
		return nil, invalidParameter(communitySourceTarget,
			"The community gallery image id '%s' is invalid. Use /CommunityGalleries/{publicGalleryName}/Images/{imageName}[/Versions/{version}].", id)
	}
	g := s.communityGallery(segs[1])
	if g == nil || !boolean(obj(g.Properties, "sharingProfile", "communityGalleryInfo"), "communityGalleryEnabled") {
		return nil, sourceNotFound(id, communitySourceTarget)
	}
	def := s.get(g.ID + "/images/" + segs[3])
	if def == nil {
		return nil, sourceNotFound(id, communitySourceTarget)
	}
	visible := s.communityVisible(def, loc, now)
	var v *resource
	if len(segs) == 6 {
		if i := slices.IndexFunc(visible, func(r *resource) bool { return eq(r.Name, segs[5]) }); i >= 0 {
			v = visible[i]
		}
	} else {
		v = latestVisible(visible, loc)
	}
	if v == nil {
		return nil, sourceNotFound(id, communitySourceTarget)
	}
	return &sourceInfo{ID: id, Location: loc, SizeBytes: v.Meta.SizeBytes, Type: v.Type,
		HyperV: str(def.Properties, "hyperVGeneration"), OSState: str(def.Properties, "osState"), OSType: str(def.Properties, "osType")}, nil
}

// communityVisible are the versions of a community image its read API shows in loc: succeeded and
// replicated there.
func (s *Service) communityVisible(def *resource, loc string, now time.Time) []*resource {
	var out []*resource
	for _, v := range s.children(def.ID, "versions") {
		if s.versionState(v, now) == "Succeeded" && slices.ContainsFunc(list(obj(v.Properties, "publishingProfile"), "targetRegions"), func(x any) bool {
			m, _ := x.(map[string]any)
			return normalizeRegion(str(m, "name")) == loc
		}) {
			out = append(out, v)
		}
	}
	return out
}

// latestVisible is the highest version not excluded from latest, globally or in loc.
func latestVisible(vs []*resource, loc string) *resource {
	var best *resource
	for _, v := range vs {
		pp := obj(v.Properties, "publishingProfile")
		excluded := boolean(pp, "excludeFromLatest")
		for _, x := range list(pp, "targetRegions") {
			m, _ := x.(map[string]any)
			excluded = excluded || normalizeRegion(str(m, "name")) == loc && boolean(m, "excludeFromLatest")
		}
		if !excluded && (best == nil || compareVersionNames(v.Name, best.Name) > 0) {
			best = v
		}
	}
	return best
}

// compareVersionNames orders Major.Minor.Patch names numerically.
func compareVersionNames(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return len(pa) - len(pb)
}

// communityImage renders a community image as CommunityGalleryImages_Get shows it
// (CommunityGalleryImage_Get.json): its OS facts, identifier, features and links, and the public id.
func communityImage(def *resource, loc, public string) map[string]any {
	props := map[string]any{}
	for _, k := range []string{"osType", "osState", "hyperVGeneration", "architecture", "identifier", "features", "eula", "privacyStatementUri", "recommended", "endOfLifeDate", "purchasePlan", "disallowed"} {
		if v, ok := def.Properties[k]; ok {
			props[k] = clone(v)
		}
	}
	return map[string]any{
		"name": def.Name, "location": loc, "type": "Microsoft.Compute/locations/communityGalleryImage",
		"identifier": map[string]any{"uniqueId": "/CommunityGalleries/" + public + "/Images/" + def.Name},
		"properties": props,
	}
}

// communityImageRoute serves GET …/locations/{loc}/communityGalleries/{publicName}/images/{image}.
func (s *Service) communityImageRoute(rc *reqCtx, rest []string) *apiError {
	if rc.r.Method != http.MethodGet {
		return methodNotAllowed(rc.r.Method)
	}
	loc, public, image := normalizeRegion(rest[1]), rest[3], rest[5]
	g := s.communityGallery(public)
	def := (*resource)(nil)
	if g != nil {
		def = s.get(g.ID + "/images/" + image)
	}
	if def == nil {
		return newError(http.StatusNotFound, "NotFound", "", "The community gallery image '%s/%s' was not found in location '%s'.", public, image, loc)
	}
	writeJSON(rc.w, http.StatusOK, communityImage(def, loc, public))
	return nil
}
