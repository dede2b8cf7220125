package arm

import (
	"net/http"
	"regexp"
	"strings"
)

var rgNameRE = regexp.MustCompile(`^[-\w._()]{1,90}$`)

const rgType = "Microsoft.Resources/resourceGroups"

// resourceGroups serves /subscriptions/{s}/resourcegroups[/{rg}].
func (s *Service) resourceGroups(rc *reqCtx, rest []string) *apiError {
	if e := s.useAPIVersion(rc, familyResources, "resourceGroups", ""); e != nil {
		return e
	}
	if len(rest) == 0 {
		if rc.r.Method != http.MethodGet {
			return methodNotAllowed(rc.r.Method)
		}
		var values []map[string]any
		prefix := key("/subscriptions/"+rc.sub+"/resourceGroups") + "/"
		for _, k := range sortedKeys(s.st.Resources) {
			if r := s.st.Resources[k]; eq(r.Type, rgType) && strings.HasPrefix(k, prefix) {
				values = append(values, renderRG(r))
			}
		}
		if values == nil {
			values = []map[string]any{}
		}
		writePage(rc, s.opts.PageSize, values)
		return nil
	}
	name := rest[0]
	id := "/subscriptions/" + rc.sub + "/resourceGroups/" + name
	res := s.get(id)
	switch rc.r.Method {
	case http.MethodHead:
		if res == nil {
			rc.w.WriteHeader(http.StatusNotFound)
		} else {
			rc.w.WriteHeader(http.StatusNoContent)
		}
		return nil
	case http.MethodGet:
		if res == nil {
			return rgNotFound(name)
		}
		writeJSON(rc.w, http.StatusOK, renderRG(res))
		return nil
	case http.MethodPut, http.MethodPatch:
		return s.putRG(rc, id, name, res)
	case http.MethodDelete:
		if res == nil {
			return rgNotFound(name)
		}
		return s.deleteRG(rc, res)
	}
	return methodNotAllowed(rc.r.Method)
}

func (s *Service) putRG(rc *reqCtx, id, name string, old *resource) *apiError {
	if !rgNameRE.MatchString(name) || strings.HasSuffix(name, ".") {
		return badRequest("InvalidResourceGroup", "", "The provided resource group name '%s' has these invalid characters or is too long. The name can only be a letter, digit, '-', '.', '(', ')' or '_', up to 90 characters, and cannot end with '.'.", name)
	}
	body, e := readBody(rc.r)
	if e != nil {
		return e
	}
	if rc.r.Method == http.MethodPatch {
		if old == nil {
			return rgNotFound(name)
		}
	}
	loc := str(body, "location")
	if loc == "" && old == nil {
		return badRequest("LocationRequired", "location", "The location property is required for this definition.")
	}
	if loc == "" {
		loc = old.Location
	}
	if e := s.checkLocation(rgType, loc); e != nil {
		return e
	}
	if old != nil && normalizeRegion(loc) != old.Location {
		return badRequest("InvalidResourceGroupLocation", "",
			"Invalid resource group location '%s'. The Resource group already exists in location '%s'.", normalizeRegion(loc), old.Location)
	}
	tags, e := readTags(body)
	if e != nil {
		return e
	}
	if e := checkTags(tags); e != nil {
		return e
	}
	res := &resource{ID: id, Type: rgType, Name: name, Location: normalizeRegion(loc), Tags: tags, Meta: meta{Created: rc.now}}
	status := http.StatusCreated
	if old != nil {
		res.ID, res.Name, res.Meta = old.ID, old.Name, old.Meta
		if _, ok := body["tags"]; !ok {
			res.Tags = old.Tags
		}
		status = http.StatusOK
	}
	s.setRes(res)
	if e := s.commit(); e != nil {
		return e
	}
	writeJSON(rc.w, status, renderRG(res))
	return nil
}

// deleteRG cascades, as ARM does: every resource in the group goes, then the group.
func (s *Service) deleteRG(rc *reqCtx, res *resource) *apiError {
	for _, r := range s.descendants(res.ID) {
		if kd := s.kindByType(r.Type); kd != nil && kd.CanDelete != nil && eq(kd.Type, "Microsoft.Compute/disks") {
			if e := kd.CanDelete(s, rc, r); e != nil {
				return e
			}
		}
	}
	s.removeTree(res)
	op := s.newOperation(rc, "operationresults", "", key(res.ID), "delete", rc.now.Add(s.opts.OperationDelay))
	if e := s.commit(); e != nil {
		return e
	}
	rc.w.Header().Set("Location", rc.base+"/subscriptions/"+rc.sub+"/operationresults/"+op.ID+"?api-version="+rc.apiVersion)
	rc.w.Header().Set("Retry-After", "1")
	rc.w.WriteHeader(http.StatusAccepted)
	return nil
}

// operationResults serves the Location of a resource group delete: 202 until done, then 200.
func (s *Service) operationResults(rc *reqCtx, id string) *apiError {
	if e := s.useAPIVersion(rc, familyResources, "operationresults", ""); e != nil {
		return e
	}
	op := s.st.Operations[id]
	if op == nil || op.Kind != "operationresults" {
		return newError(http.StatusNotFound, "NotFound", "", "The operation '%s' was not found.", id)
	}
	if rc.now.Before(op.ReadyAt) {
		rc.w.Header().Set("Location", rc.base+rc.r.URL.Path+"?"+rc.r.URL.RawQuery)
		rc.w.Header().Set("Retry-After", "1")
		rc.w.WriteHeader(http.StatusAccepted)
		return nil
	}
	rc.w.WriteHeader(http.StatusOK)
	return nil
}

func renderRG(r *resource) map[string]any {
	body := map[string]any{"id": r.ID, "name": r.Name, "type": rgType, "location": r.Location,
		"properties": map[string]any{"provisioningState": "Succeeded"}}
	if r.Tags != nil {
		body["tags"] = r.Tags
	}
	return body
}
