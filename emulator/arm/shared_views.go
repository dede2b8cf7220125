package arm

import (
	"net/http"
	"sort"
	"strings"
	"time"
)

// This file renders the direct-shared views (shared.go) in the shapes of GalleryRP's examples
// SharedGallery_List/_Get, SharedGalleryImages_List/SharedGalleryImage_Get and
// SharedGalleryImageVersions_List/SharedGalleryImageVersion_Get: name, location, identifier.uniqueId
// and the properties a consumer may see.

// sharedGalleryBody is a gallery as SharedGalleries shows it.
func sharedGalleryBody(unique, loc string) map[string]any {
	return map[string]any{
		"name": unique, "location": loc,
		"identifier": map[string]any{"uniqueId": "/SharedGalleries/" + unique},
		"properties": map[string]any{},
	}
}

// sharedImageFields are the definition properties SharedGalleryImageProperties carries.
var sharedImageFields = []string{"osType", "osState", "hyperVGeneration", "identifier", "eula", "endOfLifeDate",
	"features", "architecture", "recommended", "disallowed", "purchasePlan", "privacyStatementUri"}

// sharedImageBody is a definition as SharedGalleryImages shows it.
func sharedImageBody(d *resource, unique, loc string) map[string]any {
	props := map[string]any{}
	for _, k := range sharedImageFields {
		if v, ok := d.Properties[k]; ok {
			props[k] = clone(v)
		}
	}
	return map[string]any{
		"name": d.Name, "location": loc,
		"identifier": map[string]any{"uniqueId": "/SharedGalleries/" + unique + "/Images/" + d.Name},
		"properties": props,
	}
}

// sharedVersions serves the versions list (rest empty) or one version (rest = [version]): the succeeded
// versions replicated to loc, and the soft-deleted ones still consumable (sharedSoftDeleted), by name.
func (s *Service) sharedVersions(rc *reqCtx, d *resource, unique, loc string, rest []string) *apiError {
	values := []map[string]any{}
	for _, v := range s.children(d.ID, "versions") {
		if s.versionState(v, rc.now) == "Succeeded" && replicatedTo(v, loc) {
			values = append(values, sharedVersionBody(v, unique, d.Name, loc))
		}
	}
	values = append(values, s.sharedSoftDeleted(d, unique, loc, rc.now)...)
	sort.SliceStable(values, func(i, j int) bool {
		return strings.ToLower(str(values[i], "name")) < strings.ToLower(str(values[j], "name"))
	})
	if len(rest) == 0 {
		writePage(rc, s.opts.PageSize, values)
		return nil
	}
	for _, v := range values {
		if eq(str(v, "name"), rest[0]) {
			writeJSON(rc.w, http.StatusOK, v)
			return nil
		}
	}
	return newError(http.StatusNotFound, "NotFound", "", "The shared gallery image version '%s/%s/%s' was not found in location '%s'.", unique, d.Name, rest[0], loc)
}

// sharedVersionBody is a version as SharedGalleryImageVersions shows it in loc: excluded from latest
// when the version or its loc target region says so.
func sharedVersionBody(v *resource, unique, image, loc string) map[string]any {
	pp := obj(v.Properties, "publishingProfile")
	exclude := boolean(pp, "excludeFromLatest")
	for _, x := range list(pp, "targetRegions") {
		if m, _ := x.(map[string]any); normalizeRegion(str(m, "name")) == loc && boolean(m, "excludeFromLatest") {
			exclude = true
		}
	}
	props := map[string]any{"excludeFromLatest": exclude, "publishedDate": timeString(v.Meta.Created)}
	if d := str(pp, "endOfLifeDate"); d != "" {
		props["endOfLifeDate"] = d
	}
	osDisk := map[string]any{"hostCaching": "ReadOnly"}
	if hc := str(obj(v.Properties, "storageProfile", "osDiskImage"), "hostCaching"); hc != "" {
		osDisk["hostCaching"] = hc
	}
	osDisk["diskSizeGB"] = (v.Meta.SizeBytes + gib - 1) / gib
	props["storageProfile"] = map[string]any{"osDiskImage": osDisk}
	return map[string]any{
		"name": v.Name, "location": loc,
		"identifier": map[string]any{"uniqueId": "/SharedGalleries/" + unique + "/Images/" + image + "/Versions/" + v.Name},
		"properties": props,
	}
}

// sharedSoftDeleted renders definition d's soft-deleted versions that are still consumable in loc (before
// their consumptionEndTime) with imageState SoftDeleted and consumptionEndTime: GalleryRP 2026-03-03's
// SharedGalleryImageVersionProperties ("SoftDeleted: available for use only when a specific version is
// requested, and it will not be resolved as the latest version").
func (s *Service) sharedSoftDeleted(d *resource, unique, loc string, now time.Time) []map[string]any {
	var out []map[string]any
	prefix := key(parentOf(d.ID)+"/softDeletedArtifactTypes/Images/artifacts/"+d.Name+"/versions") + "/"
	for _, k := range sortedKeys(s.st.Resources) {
		rec := s.st.Resources[k]
		if !strings.HasPrefix(k, prefix) || rec.Meta.SoftDeleted == nil || !replicatedTo(rec.Meta.SoftDeleted, loc) {
			continue
		}
		end, err := time.Parse(time.RFC3339, str(rec.Properties, "consumptionEndTime"))
		if err != nil || !now.Before(end) {
			continue
		}
		body := sharedVersionBody(rec.Meta.SoftDeleted, unique, d.Name, loc)
		props := obj(body, "properties")
		props["imageState"], props["consumptionEndTime"] = "SoftDeleted", str(rec.Properties, "consumptionEndTime")
		out = append(out, body)
	}
	return out
}
