package arm

import (
	"net/http"
	"slices"
	"strings"
)

func galleryKind() *kindDef {
	return &kindDef{
		Type: "Microsoft.Compute/galleries", Family: familyGallery, OpKind: opCaps, CreateStatus: http.StatusCreated,
		Prepare: prepareGallery,
		CanDelete: func(s *Service, rc *reqCtx, r *resource) *apiError {
			return s.nestedRemain(rc, r, "images")
		},
		Render: func(s *Service, r *resource, rc *renderCtx, body map[string]any) {
			props := obj(body, "properties")
			ensureObj(props, "identifier")["uniqueName"] = uniqueGalleryName(r)
		},
		Actions: map[string]func(*Service, *reqCtx, *resource) *apiError{"share": shareGallery},
		Quota:   func(q Quotas) int { return q.GalleriesPerRegion },
	}
}

func uniqueGalleryName(r *resource) string {
	seg := segments(r.ID)
	return seg[1] + "-" + strings.ToUpper(r.Name)
}

// nestedRemain is the 409 for deleting a parent that still has children, or whose last child's delete
// finished less than Options.DeleteLag ago (GalleryRP still counts it then).
func (s *Service) nestedRemain(rc *reqCtx, r *resource, childType string) *apiError {
	if len(s.children(r.ID, childType)) > 0 || rc.now.Before(r.Meta.NestedUntil) {
		return conflict("CannotDeleteResource", "", "Can not delete resource before nested resources are deleted.")
	}
	return nil
}

func prepareGallery(s *Service, w *write) *apiError {
	if !validEntityName(w.res.Name, true) {
		return invalidEntityName("galleryName", galleryNameRule)
	}
	props := w.res.Properties
	delete(props, "provisioningState")
	delete(props, "identifier")
	// The sharing profile is changed only by the share action; a PUT keeps it.
	if w.old != nil {
		if sp, ok := w.old.Properties["sharingProfile"]; ok {
			props["sharingProfile"] = sp
		}
	}
	return nil
}

// shareGallery serves POST .../galleries/{g}/share: Add or Remove subscriptions and tenants, or Reset.
func shareGallery(s *Service, rc *reqCtx, g *resource) *apiError {
	body, e := readBody(rc.r)
	if e != nil {
		return e
	}
	opType := str(body, "operationType")
	groups := list(body, "groups")
	valid := []string{"Add", "Remove", "Reset", "EnableCommunity"}
	if !slices.ContainsFunc(valid, func(v string) bool { return eq(v, opType) }) {
		return invalidParameter("sharingUpdate.operationType", "The operationType '%s' is invalid; use one of %s.", opType, strings.Join(valid, ", "))
	}
	current := map[string][]string{}
	sp := obj(g.Properties, "sharingProfile")
	for _, gr := range list(sp, "groups") {
		m, _ := gr.(map[string]any)
		for _, id := range list(m, "ids") {
			if sid, ok := id.(string); ok {
				current[str(m, "type")] = append(current[str(m, "type")], sid)
			}
		}
	}
	for i, gr := range groups {
		m, ok := gr.(map[string]any)
		typ := str(m, "type")
		if !ok || (typ != "Subscriptions" && typ != "AADTenants") {
			return invalidParameter("sharingUpdate.groups["+itoa(i)+"].type", "The group type '%s' is invalid; use Subscriptions or AADTenants.", typ)
		}
		for _, id := range list(m, "ids") {
			sid, _ := id.(string)
			switch {
			case eq(opType, "Add") && !slices.Contains(current[typ], sid):
				current[typ] = append(current[typ], sid)
			case eq(opType, "Remove"):
				current[typ] = slices.DeleteFunc(current[typ], func(x string) bool { return eq(x, sid) })
			}
		}
	}
	newSP := map[string]any{"permissions": "Private"}
	switch {
	case eq(opType, "Reset"):
	case eq(opType, "EnableCommunity"):
		newSP["permissions"] = "Community"
		enableCommunity(g, sp, newSP) // community.go
	default:
		var out []any
		for _, typ := range []string{"Subscriptions", "AADTenants"} {
			if len(current[typ]) > 0 {
				ids := make([]any, 0, len(current[typ]))
				for _, id := range current[typ] {
					ids = append(ids, id)
				}
				out = append(out, map[string]any{"type": typ, "ids": ids})
			}
		}
		if len(out) > 0 {
			newSP["permissions"] = "Groups"
			newSP["groups"] = out
		}
	}
	g.Properties["sharingProfile"] = newSP
	g.Meta.WriteStart, g.Meta.ReadyAt, g.Meta.WriteState = rc.now, rc.now.Add(s.opts.OperationDelay), "Updating"
	op := s.newOperation(rc, opCaps, g.Location, key(g.ID), "share", g.Meta.ReadyAt)
	op.Output = body
	if e := s.commit(); e != nil {
		return e
	}
	s.setAsyncHeaders(rc, op)
	writeJSON(rc.w, http.StatusAccepted, body)
	return nil
}
