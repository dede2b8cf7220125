package arm

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
)

const roleAssignmentType = "Microsoft.Authorization/roleAssignments"

// roleAssignments serves /{scope}/providers/Microsoft.Authorization/roleAssignments[/{name}] at any
// scope that exists. Only RoleAssignmentExists is enforced; nothing is authorized by them.
func (s *Service) roleAssignments(rc *reqCtx, scopeSeg, rest []string) *apiError {
	if e := s.useAPIVersion(rc, familyAuthz, "roleAssignments", ""); e != nil {
		return e
	}
	scope := "/" + strings.Join(scopeSeg, "/")
	if e := s.checkScope(rc, scopeSeg); e != nil {
		return e
	}
	if len(rest) == 0 {
		if rc.r.Method != http.MethodGet {
			return methodNotAllowed(rc.r.Method)
		}
		return s.listRoleAssignments(rc, scope)
	}
	if len(rest) != 1 {
		return unknownType("roleAssignments/" + strings.Join(rest, "/"))
	}
	name := rest[0]
	id := strings.TrimSuffix(scope, "/") + "/providers/Microsoft.Authorization/roleAssignments/" + name
	if scope == "/" {
		id = "/providers/Microsoft.Authorization/roleAssignments/" + name
	}
	existing := s.get(id)
	switch rc.r.Method {
	case http.MethodGet:
		if existing == nil {
			return newError(http.StatusNotFound, "RoleAssignmentNotFound", "", "The role assignment '%s' is not found.", name)
		}
		writeJSON(rc.w, http.StatusOK, renderRoleAssignment(existing))
		return nil
	case http.MethodDelete:
		if existing == nil {
			rc.w.WriteHeader(http.StatusNoContent)
			return nil
		}
		s.delRes(key(id))
		if e := s.commit(); e != nil {
			return e
		}
		writeJSON(rc.w, http.StatusOK, renderRoleAssignment(existing))
		return nil
	case http.MethodPut:
		return s.putRoleAssignment(rc, scope, id, name, existing)
	}
	return methodNotAllowed(rc.r.Method)
}

// checkScope requires the scope's subscription, resource group and resource to exist.
func (s *Service) checkScope(rc *reqCtx, seg []string) *apiError {
	if len(seg) == 0 {
		return nil
	}
	if len(seg) < 2 || !eq(seg[0], "subscriptions") || s.subscription(seg[1]) == nil {
		return newError(http.StatusNotFound, "SubscriptionNotFound", "", "The scope '/%s' is not in a subscription the emulator serves.", strings.Join(seg, "/"))
	}
	if len(seg) >= 4 {
		if s.get("/"+strings.Join(seg[:4], "/")) == nil {
			return rgNotFound(seg[3])
		}
	}
	if len(seg) > 4 && s.get("/"+strings.Join(seg, "/")) == nil {
		return newError(http.StatusNotFound, "ResourceNotFound", "", "The Resource '/%s' was not found.", strings.Join(seg, "/"))
	}
	return nil
}

func (s *Service) putRoleAssignment(rc *reqCtx, scope, id, name string, existing *resource) *apiError {
	if _, err := uuid.Parse(name); err != nil {
		return badRequest("InvalidRoleAssignmentId", "", "The role assignment ID '%s' is not valid. The role assignment ID must be a GUID.", name)
	}
	body, e := readBody(rc.r)
	if e != nil {
		return e
	}
	p := obj(body, "properties")
	for _, f := range []string{"roleDefinitionId", "principalId"} {
		if str(p, f) == "" {
			return missingProperty("properties." + f)
		}
	}
	if existing != nil {
		if !eq(str(existing.Properties, "roleDefinitionId"), str(p, "roleDefinitionId")) || !eq(str(existing.Properties, "principalId"), str(p, "principalId")) {
			return conflict("RoleAssignmentUpdateNotPermitted", "", "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.")
		}
		writeJSON(rc.w, http.StatusCreated, renderRoleAssignment(existing))
		return nil
	}
	for _, r := range s.st.Resources {
		if eq(r.Type, roleAssignmentType) && eq(str(r.Properties, "scope"), scope) &&
			eq(roleDefGUID(str(r.Properties, "roleDefinitionId")), roleDefGUID(str(p, "roleDefinitionId"))) &&
			eq(str(r.Properties, "principalId"), str(p, "principalId")) {
			return conflict("RoleAssignmentExists", "", "The role assignment already exists. The ID of the existing role assignment is %s.", strings.ReplaceAll(r.Name, "-", ""))
		}
	}
	props := clone(p)
	props["scope"] = scope
	if str(props, "principalType") == "" {
		props["principalType"] = "User"
	}
	props["createdOn"], props["updatedOn"] = timeString(rc.now), timeString(rc.now)
	s.setRes(&resource{ID: id, Type: roleAssignmentType, Name: name, Properties: props, Meta: meta{Created: rc.now}})
	if e := s.commit(); e != nil {
		return e
	}
	writeJSON(rc.w, http.StatusCreated, renderRoleAssignment(s.get(id)))
	return nil
}

func roleDefGUID(id string) string { return id[strings.LastIndex(id, "/")+1:] }

// listRoleAssignments lists assignments at, above and (without atScope()) below the scope;
// $filter principalId eq '...' narrows by principal.
func (s *Service) listRoleAssignments(rc *reqCtx, scope string) *apiError {
	filter := rc.r.URL.Query().Get("$filter")
	atScope := strings.Contains(filter, "atScope()")
	principal := ""
	if i := strings.Index(filter, "principalId eq '"); i >= 0 {
		rest := filter[i+len("principalId eq '"):]
		principal = rest[:max(0, strings.Index(rest, "'"))]
	}
	ks := key(scope)
	values := []map[string]any{}
	for _, k := range sortedKeys(s.st.Resources) {
		r := s.st.Resources[k]
		if !eq(r.Type, roleAssignmentType) {
			continue
		}
		rs := key(str(r.Properties, "scope"))
		above := rs == "/" || ks == rs || strings.HasPrefix(ks, rs+"/")
		below := strings.HasPrefix(rs, ks+"/")
		if !(above || below && !atScope) || principal != "" && !eq(principal, str(r.Properties, "principalId")) {
			continue
		}
		values = append(values, renderRoleAssignment(r))
	}
	writePage(rc, s.opts.PageSize, values)
	return nil
}

func renderRoleAssignment(r *resource) map[string]any {
	return map[string]any{"id": r.ID, "name": r.Name, "type": roleAssignmentType, "properties": clone(r.Properties)}
}
