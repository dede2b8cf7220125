package arm

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// resourceVerb serves GET, PUT, PATCH and DELETE on one Microsoft.Compute resource.
func (s *Service) resourceVerb(rc *reqCtx, kd *kindDef, id, name, parentID string) *apiError {
	switch rc.r.Method {
	case http.MethodGet:
		res := s.get(id)
		if res == nil {
			return s.notFound(rc, kd, id)
		}
		writeJSON(rc.w, http.StatusOK, s.render(res, rc.apiVersion, rc.now, rc.expand("ReplicationStatus")))
		return nil
	case http.MethodPut:
		return s.put(rc, kd, id, name, parentID)
	case http.MethodPatch:
		if handled, e := s.restoreVersion(rc, kd, id); handled { // softdelete.go
			return e
		}
		return s.patch(rc, kd, id, parentID)
	case http.MethodDelete:
		return s.deleteResource(rc, kd, id)
	}
	return methodNotAllowed(rc.r.Method)
}

// notFound names the resource as ARM does: 'Microsoft.Compute/galleries/G/images/I/versions/V'.
func (s *Service) notFound(rc *reqCtx, kd *kindDef, id string) *apiError {
	return newError(http.StatusNotFound, "ResourceNotFound", "",
		"The Resource '%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", armPath(kd, id), rc.rg)
}

// expand reports whether $expand lists the given value.
func (rc *reqCtx) expand(v string) bool {
	for _, x := range strings.Split(rc.r.URL.Query().Get("$expand"), ",") {
		if eq(strings.TrimSpace(x), v) {
			return true
		}
	}
	return false
}

// topLevelFields are the resource envelope fields PUT reads itself; others go to Extra.
var readOnlyEnvelope = []string{"id", "name", "type", "location", "tags", "properties", "systemData", "etag"}

func (s *Service) put(rc *reqCtx, kd *kindDef, id, name, parentID string) *apiError {
	body, e := readBody(rc.r)
	if e != nil {
		return e
	}
	old := s.get(id)
	shapeRequest(apiFamilies[kd.Family].Shapes, kd.Type, rc.apiVersion, body, storedBody(old))
	loc := str(body, "location")
	if loc == "" {
		return badRequest("LocationRequired", "location", "The location property is required for this definition.")
	}
	if e := s.checkLocation(kd.Type, loc); e != nil {
		return e
	}
	res := &resource{ID: id, Type: kd.Type, Name: name, Location: normalizeRegion(loc)}
	if old != nil {
		res.ID, res.Name, res.Meta = old.ID, old.Name, old.Meta
		res.Meta.Replication = slices.Clone(old.Meta.Replication)
	}
	if props, ok := body["properties"].(map[string]any); ok {
		res.Properties = props
	} else if body["properties"] != nil {
		return badRequest("InvalidRequestContent", "properties", "The request content was invalid and could not be deserialized: 'properties must be an object'.")
	}
	tags, e := readTags(body)
	if e != nil {
		return e
	}
	res.Tags = tags
	if e := checkTags(tags); e != nil {
		return e
	}
	if e := s.inFlightConflict(rc, kd, old); e != nil {
		return e
	}
	for k, v := range body {
		if !slices.Contains(readOnlyEnvelope, k) {
			if res.Extra == nil {
				res.Extra = map[string]any{}
			}
			res.Extra[k] = v
		}
	}
	if res.Properties == nil {
		res.Properties = map[string]any{}
	}
	var parent *resource
	if parentID != "" {
		parent = s.get(parentID)
		if parent.Location != "" && parent.Location != res.Location {
			return invalidParameter("location", "The location '%s' of the %s must be the location '%s' of its parent '%s'.",
				loc, kd.shortType(), parent.Location, parent.Name)
		}
	}
	if old != nil && old.Location != res.Location {
		return conflict("InvalidResourceLocation", "location",
			"The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'. Please select a new resource name.",
			name, old.Location, rc.rg, res.Location)
	}
	w := &write{rc: rc, kd: kd, old: old, res: res, parent: parent}
	return s.finishWrite(w)
}

func (s *Service) patch(rc *reqCtx, kd *kindDef, id, parentID string) *apiError {
	old := s.get(id)
	if old == nil {
		return s.notFound(rc, kd, id)
	}
	body, e := readBody(rc.r)
	if e != nil {
		return e
	}
	shapeRequest(apiFamilies[kd.Family].Shapes, kd.Type, rc.apiVersion, body, nil)
	res := clone(old)
	if props, ok := body["properties"].(map[string]any); ok {
		res.Properties = mergePatch(res.Properties, props)
	}
	if _, ok := body["tags"]; ok {
		tags, e := readTags(body)
		if e != nil {
			return e
		}
		if e := checkTags(tags); e != nil {
			return e
		}
		res.Tags = tags
	}
	if loc := str(body, "location"); loc != "" && normalizeRegion(loc) != old.Location {
		return badRequest("InvalidParameter", "location", "The location of an existing resource cannot be changed (from '%s' to '%s').", old.Location, loc)
	}
	var parent *resource
	if parentID != "" {
		parent = s.get(parentID)
	}
	return s.finishWrite(&write{rc: rc, kd: kd, old: old, res: res, parent: parent, patch: true})
}

// storedBody is a stored resource as a request body would carry it (properties and the envelope
// fields kept in Extra), for reading values by path; nil for nil.
func storedBody(r *resource) map[string]any {
	if r == nil {
		return nil
	}
	out := map[string]any{"properties": r.Properties}
	for k, v := range r.Extra {
		out[k] = v
	}
	return out
}

func readTags(body map[string]any) (map[string]string, *apiError) {
	raw, ok := body["tags"].(map[string]any)
	if !ok {
		if body["tags"] != nil {
			return nil, badRequest("InvalidRequestContent", "tags", "The request content was invalid and could not be deserialized: 'tags must be an object of strings'.")
		}
		return nil, nil
	}
	tags := map[string]string{}
	for k, v := range raw {
		sv, ok := v.(string)
		if !ok {
			return nil, badRequest("InvalidRequestContent", "tags."+k, "The request content was invalid and could not be deserialized: 'tag values must be strings'.")
		}
		tags[k] = sv
	}
	return tags, nil
}

// finishWrite validates the candidate (Prepare, quota), then stores it and starts its operation.
// Nothing is mutated before validation has fully passed.
func (s *Service) finishWrite(w *write) *apiError {
	if w.kd.Prepare != nil {
		if e := w.kd.Prepare(s, w); e != nil {
			return e
		}
	}
	if w.old == nil && w.kd.Quota != nil {
		if e := s.checkQuota(w.rc, w.kd, w.res.Location); e != nil {
			return e
		}
	}
	if w.onCommit != nil {
		w.onCommit()
	}
	now := w.rc.now
	res := w.res
	if w.old == nil {
		res.Meta.Created = now
		res.Meta.WriteState = "Creating"
	} else {
		res.Meta.WriteState = "Updating"
	}
	res.Meta.WriteStart = now
	res.Meta.ReadyAt = now.Add(s.opts.OperationDelay)
	res.Meta.Failure = w.opFailure
	s.setRes(res)
	op := s.newOperation(w.rc, w.kd.OpKind, res.Location, key(res.ID), "write", res.Meta.ReadyAt)
	op.Replication, op.Failure, op.Output = w.replication, w.opFailure, w.opOutput
	if e := s.commit(); e != nil {
		return e
	}
	s.setAsyncHeaders(w.rc, op)
	status := http.StatusOK
	if w.old == nil {
		status = w.kd.CreateStatus
	}
	writeJSON(w.rc.w, status, s.render(res, w.rc.apiVersion, now, false))
	return nil
}

func (s *Service) deleteResource(rc *reqCtx, kd *kindDef, id string) *apiError {
	res := s.get(id)
	if res == nil {
		rc.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if kd.CanDelete != nil {
		if e := kd.CanDelete(s, rc, res); e != nil {
			return e
		}
	}
	s.removeTree(res)
	done := rc.now.Add(s.opts.OperationDelay)
	s.markNested(kd, res, done)
	op := s.newOperation(rc, kd.OpKind, res.Location, key(res.ID), "delete", done)
	if e := s.commit(); e != nil {
		return e
	}
	s.setAsyncHeaders(rc, op)
	rc.w.WriteHeader(http.StatusAccepted)
	return nil
}

// markNested makes the parent of a deleted gallery child count it as nested until DeleteLag after the
// delete finished.
func (s *Service) markNested(kd *kindDef, res *resource, done time.Time) {
	if s.opts.DeleteLag <= 0 || kd.Family != familyGallery || len(kd.typeSegs()) < 2 {
		return
	}
	if parent := s.get(parentOf(res.ID)); parent != nil {
		if until := done.Add(s.opts.DeleteLag); until.After(parent.Meta.NestedUntil) {
			s.touch(parent)
			parent.Meta.NestedUntil = until
		}
	}
}

// inFlightConflict is Options.InFlightPutConflict: a PUT over a gallery image version still being
// created answers 409 Conflict.
func (s *Service) inFlightConflict(rc *reqCtx, kd *kindDef, old *resource) *apiError {
	if !s.opts.InFlightPutConflict || old == nil || !eq(kd.Type, versionKind().Type) {
		return nil
	}
	if st := s.versionState(old, rc.now); st == "Creating" {
		return conflict("Conflict", "",
			"Another operation on this or dependent resource is in progress. The gallery image version '%s' is in provisioning state '%s'; retry after it finishes.", old.Name, st)
	}
	return nil
}

// removeTree deletes a resource, its descendants and role assignments scoped at any of them.
func (s *Service) removeTree(res *resource) {
	all := append(s.descendants(res.ID), res)
	for _, r := range all {
		if kd := s.kindByType(r.Type); kd != nil && kd.Deleted != nil {
			kd.Deleted(s, r)
		}
		s.delRes(key(r.ID))
	}
}

func (s *Service) kindByType(t string) *kindDef {
	for _, k := range s.kinds {
		if eq(k.Type, t) {
			return k
		}
	}
	return nil
}

// checkLocation refuses regions the emulator is not configured with, as ARM does for unknown regions.
func (s *Service) checkLocation(typ, loc string) *apiError {
	if slices.Contains(s.opts.Regions, normalizeRegion(loc)) {
		return nil
	}
	return badRequest("LocationNotAvailableForResourceType", "location",
		"The provided location '%s' is not available for resource type '%s'. List of available regions for the resource type is '%s'.",
		loc, typ, strings.Join(s.opts.Regions, ","))
}

// listKind serves a list, by subscription or under a collection id, with $skiptoken paging.
func (s *Service) listKind(rc *reqCtx, kd *kindDef, collectionID string, bySubscription bool) *apiError {
	var items []*resource
	subPrefix := key("/subscriptions/" + rc.sub + "/")
	prefix := key(collectionID) + "/"
	for _, k := range sortedKeys(s.st.Resources) {
		r := s.st.Resources[k]
		if !eq(r.Type, kd.Type) {
			continue
		}
		if bySubscription && strings.HasPrefix(k, subPrefix) ||
			!bySubscription && strings.HasPrefix(k, prefix) && !strings.Contains(k[len(prefix):], "/") {
			items = append(items, r)
		}
	}
	values := make([]map[string]any, 0, len(items))
	for _, r := range items {
		values = append(values, s.render(r, rc.apiVersion, rc.now, false))
	}
	writePage(rc, s.opts.PageSize, values)
	return nil
}

// writePage writes one page of a list with an ARM nextLink carrying $skiptoken.
func writePage(rc *reqCtx, pageSize int, values []map[string]any) {
	start, _ := strconv.Atoi(rc.r.URL.Query().Get("$skiptoken"))
	if start < 0 || start > len(values) {
		start = len(values)
	}
	end := min(start+pageSize, len(values))
	out := map[string]any{"value": values[start:end]}
	if end < len(values) {
		q := url.Values{}
		for k, v := range rc.r.URL.Query() {
			if k != "$skiptoken" {
				q[k] = v
			}
		}
		// ARM writes $skiptoken unescaped; the token itself is an offset.
		out["nextLink"] = rc.base + rc.r.URL.Path + "?" + q.Encode() + "&$skiptoken=" + strconv.Itoa(end)
	}
	writeJSON(rc.w, http.StatusOK, out)
}
