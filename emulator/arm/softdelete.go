package arm

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"time"
)

// This file is GalleryRP 2026-03-03's soft delete of gallery image versions (sources in docs/emulator.md,
// "Soft delete and restore"). A gallery with properties.softDeletePolicy.isSoftDeleteEnabled keeps a
// deleted version as a soft-deleted record until its retention (retentionPeriodInDays, then
// gracePeriodInDays) ends; the owner's GET and list no longer show it; SoftDeletedResource_ListByArtifactName
// lists the records; a PATCH with properties.restore = true brings the version back as it was.

// softDeletedType is the stored type of a soft-deleted record; its id is the list path plus the version.
const softDeletedType = "Microsoft.Compute/galleries/softDeletedArtifactTypes/artifacts/versions"

// defaultSoftDeleteRetentionDays is the retention when the policy enables soft delete without a period
// (an assumption: the model gives no default).
const defaultSoftDeleteRetentionDays = 7

// softDeletePolicy returns whether the version's gallery soft-deletes, and its retention and grace days.
func (s *Service) softDeletePolicy(versionID string) (on bool, retention, grace int64) {
	g := s.get(galleryOfVersion(versionID))
	if g == nil {
		return false, 0, 0
	}
	p := obj(g.Properties, "softDeletePolicy")
	if p == nil || !boolean(p, "isSoftDeleteEnabled") {
		return false, 0, 0
	}
	retention = defaultSoftDeleteRetentionDays
	if n, ok := num(p, "retentionPeriodInDays"); ok && n > 0 {
		retention = n
	}
	grace, _ = num(p, "gracePeriodInDays")
	return true, retention, grace
}

// galleryOfVersion is .../galleries/G of .../galleries/G/images/I/versions/V.
func galleryOfVersion(id string) string { return parentOf(parentOf(id)) }

// softDeletedID is the record id of version id: .../galleries/G/softDeletedArtifactTypes/Images/artifacts/I/versions/V.
func softDeletedID(id string) string {
	def := parentOf(id)
	return galleryOfVersion(id) + "/softDeletedArtifactTypes/Images/artifacts/" + def[strings.LastIndex(def, "/")+1:] + "/versions/" + id[strings.LastIndex(id, "/")+1:]
}

// softDeleteVersion is the version kind's Deleted hook: in a gallery with soft delete on, the deleted
// version is kept as a record with its soft-delete, consumption-end and hard-deletion times.
func softDeleteVersion(s *Service, r *resource) {
	on, retention, grace := s.softDeletePolicy(r.ID)
	if !on {
		return
	}
	now := s.now()
	end := now.Add(time.Duration(retention) * 24 * time.Hour)
	rec := &resource{ID: softDeletedID(r.ID), Type: softDeletedType, Name: r.Name, Location: r.Location, Tags: r.Tags,
		Properties: map[string]any{
			"resourceArmId": r.ID, "softDeletedArtifactType": "Images", "softDeletedTime": now.Format(time.RFC3339),
			"consumptionEndTime": end.Format(time.RFC3339), "hardDeletionTargetTime": end.Add(time.Duration(grace) * 24 * time.Hour).Format(time.RFC3339),
		}}
	kept := clone(*r)
	rec.Meta.SoftDeleted = &kept
	s.setRes(rec)
}

// softDeletedRecord returns the live (not yet hard-deleted) record of version id, or nil.
func (s *Service) softDeletedRecord(id string, now time.Time) *resource {
	rec := s.get(softDeletedID(id))
	if rec == nil || rec.Meta.SoftDeleted == nil {
		return nil
	}
	if t, err := time.Parse(time.RFC3339, str(rec.Properties, "hardDeletionTargetTime")); err == nil && !now.Before(t) {
		return nil
	}
	return rec
}

// softDeletedList serves GET .../galleries/G/softDeletedArtifactTypes/Images/artifacts/I/versions
// (SoftDeletedResource_ListByArtifactName); handled is false for any other path.
func (s *Service) softDeletedList(rc *reqCtx, types, names []string) (handled bool, e *apiError) {
	if len(types) != 4 || len(names) != 3 || !eq(types[0], "galleries") || !eq(types[1], "softDeletedArtifactTypes") || !eq(types[2], "artifacts") || !eq(types[3], "versions") {
		return false, nil
	}
	if e := s.useAPIVersion(rc, familyGallery, "galleries", ""); e != nil {
		return true, e
	}
	if rc.r.Method != http.MethodGet {
		return true, methodNotAllowed(rc.r.Method)
	}
	if !eq(names[1], "Images") {
		return true, invalidParameter("artifactType", "The artifact type '%s' is not supported. Supported artifact types are 'Images'.", names[1])
	}
	rg := s.get("/subscriptions/" + rc.sub + "/resourceGroups/" + rc.rg)
	if rg == nil {
		return true, rgNotFound(rc.rg)
	}
	gallery := rg.ID + "/providers/Microsoft.Compute/galleries/" + names[0]
	if s.get(gallery) == nil {
		return true, parentNotFound(s.missingAncestor(gallery, 1))
	}
	prefix := key(gallery+"/softDeletedArtifactTypes/Images/artifacts/"+names[2]+"/versions") + "/"
	values := []map[string]any{}
	for _, k := range sortedKeys(s.st.Resources) {
		r := s.st.Resources[k]
		if strings.HasPrefix(k, prefix) && r.Meta.SoftDeleted != nil && s.softDeletedRecord(r.Meta.SoftDeleted.ID, rc.now) != nil {
			values = append(values, s.render(r, rc.apiVersion, rc.now, false))
		}
	}
	writePage(rc, s.opts.PageSize, values)
	return true, nil
}

// restoreVersion serves a PATCH with properties.restore = true on a soft-deleted version: the version
// comes back as it was when deleted (GalleryImageVersion_Update_RestoreSoftDeleted.json answers 200 with
// the version). handled is false when the version is not soft-deleted or the body does not ask to restore;
// the body is left readable for the ordinary PATCH.
func (s *Service) restoreVersion(rc *reqCtx, kd *kindDef, id string) (handled bool, e *apiError) {
	if rc.r.Method != http.MethodPatch || !eq(kd.Type, versionKind().Type) || s.get(id) != nil {
		return false, nil
	}
	rec := s.softDeletedRecord(id, rc.now)
	if rec == nil {
		return false, nil
	}
	raw, err := io.ReadAll(io.LimitReader(rc.r.Body, 8<<20))
	if err != nil {
		return true, badRequest("InvalidRequestContent", "", "The request content could not be read: %v", err)
	}
	rc.r.Body = io.NopCloser(bytes.NewReader(raw))
	body, e := readBody(rc.r)
	rc.r.Body = io.NopCloser(bytes.NewReader(raw))
	if e != nil || !boolean(obj(body, "properties"), "restore") {
		return false, nil
	}
	v := clone(*rec.Meta.SoftDeleted)
	s.delRes(key(rec.ID))
	s.setRes(&v)
	if e := s.commit(); e != nil {
		return true, e
	}
	writeJSON(rc.w, http.StatusOK, s.render(&v, rc.apiVersion, rc.now, false))
	return true, nil
}
