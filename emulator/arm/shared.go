package arm

import (
	"net/http"
	"slices"
)

// This file is the consumer's side of direct sharing (sources in docs/emulator.md, "Direct-shared
// galleries"): the read APIs SharedGalleries, SharedGalleryImages and SharedGalleryImageVersions,
// GET /subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/sharedGalleries[/{galleryUniqueName}[/images[/{image}[/versions[/{version}]]]]].
// The caller is the path's subscription, which the bearer check has tied to the token's tenant, and that
// subscription's tenant. A caller sees a gallery only when its sharingProfile (permissions Groups)
// names the caller's subscription, or, with ?sharedTo=tenant (and for the single reads), its tenant;
// anything else is 404, as for a gallery that does not exist. Ids are /SharedGalleries/{unique name}/….

// sharedCaller is who reads a shared view: a subscription, its tenant, and which of them the sharing
// must name (sharedTo: "" the subscription, "tenant" the tenant, "any" either, for the single reads).
type sharedCaller struct {
	sub, tenant, sharedTo string
}

// sharedRoute serves the shared views; handled is false for any other path.
func (s *Service) sharedRoute(rc *reqCtx, rest []string) (handled bool, e *apiError) {
	if len(rest) < 3 || len(rest) > 8 || !eq(rest[0], "locations") || !eq(rest[2], "sharedGalleries") ||
		len(rest) >= 5 && !eq(rest[4], "images") || len(rest) >= 7 && !eq(rest[6], "versions") {
		return false, nil
	}
	if e := s.useAPIVersion(rc, familyGallery, "locations/sharedGalleries", ""); e != nil {
		return true, e
	}
	if rc.r.Method != http.MethodGet {
		return true, methodNotAllowed(rc.r.Method)
	}
	caller, e := s.sharedCallerOf(rc, len(rest)%2 == 1)
	if e != nil {
		return true, e
	}
	loc := normalizeRegion(rest[1])
	if len(rest) == 3 {
		writePage(rc, s.opts.PageSize, s.sharedGalleryList(caller, loc))
		return true, nil
	}
	g := s.sharedGallery(rest[3], caller)
	if g == nil {
		return true, newError(http.StatusNotFound, "NotFound", "", "The shared gallery '%s' was not found in location '%s'.", rest[3], loc)
	}
	unique := uniqueGalleryName(g)
	switch len(rest) {
	case 4:
		writeJSON(rc.w, http.StatusOK, sharedGalleryBody(unique, loc))
		return true, nil
	case 5:
		values := []map[string]any{}
		for _, d := range s.children(g.ID, "images") {
			values = append(values, sharedImageBody(d, unique, loc))
		}
		writePage(rc, s.opts.PageSize, values)
		return true, nil
	}
	d := s.get(g.ID + "/images/" + rest[5])
	if d == nil {
		return true, newError(http.StatusNotFound, "NotFound", "", "The shared gallery image '%s/%s' was not found in location '%s'.", rest[3], rest[5], loc)
	}
	if len(rest) == 6 {
		writeJSON(rc.w, http.StatusOK, sharedImageBody(d, unique, loc))
		return true, nil
	}
	return true, s.sharedVersions(rc, d, unique, loc, rest[7:])
}

// sharedCallerOf reads the caller from the path's subscription and the list's sharedTo, whose only
// value in GalleryRP's SharedToValues is "tenant".
func (s *Service) sharedCallerOf(rc *reqCtx, isList bool) (sharedCaller, *apiError) {
	c := sharedCaller{sub: rc.sub, sharedTo: "any"}
	if sub := s.subscription(rc.sub); sub != nil {
		c.tenant = sub.TenantID
	}
	if !isList {
		return c, nil
	}
	switch to := rc.r.URL.Query().Get("sharedTo"); {
	case to == "":
		c.sharedTo = ""
	case eq(to, "tenant"):
		c.sharedTo = "tenant"
	default:
		return c, invalidParameter("sharedTo", "The value '%s' of sharedTo is invalid; the only value is 'tenant'.", to)
	}
	return c, nil
}

// sharedWith reports whether gallery g's sharing profile names the caller.
func sharedWith(g *resource, c sharedCaller) bool {
	sp := obj(g.Properties, "sharingProfile")
	if !eq(str(sp, "permissions"), "Groups") {
		return false
	}
	for _, x := range list(sp, "groups") {
		m, _ := x.(map[string]any)
		ids := list(m, "ids")
		has := func(id string) bool {
			return id != "" && slices.ContainsFunc(ids, func(v any) bool { s, _ := v.(string); return eq(s, id) })
		}
		switch typ := str(m, "type"); {
		case eq(typ, "Subscriptions") && c.sharedTo != "tenant" && has(c.sub):
			return true
		case eq(typ, "AADTenants") && c.sharedTo != "" && has(c.tenant):
			return true
		}
	}
	return false
}

// sharedGallery finds the gallery with this unique name that is shared with the caller.
func (s *Service) sharedGallery(unique string, c sharedCaller) *resource {
	for _, k := range sortedKeys(s.st.Resources) {
		r := s.st.Resources[k]
		if eq(r.Type, galleryKind().Type) && eq(uniqueGalleryName(r), unique) && sharedWith(r, c) {
			return r
		}
	}
	return nil
}

// sharedGalleryList lists the galleries shared with the caller that are in loc or hold a version
// replicated there.
func (s *Service) sharedGalleryList(c sharedCaller, loc string) []map[string]any {
	values := []map[string]any{}
	for _, k := range sortedKeys(s.st.Resources) {
		g := s.st.Resources[k]
		if !eq(g.Type, galleryKind().Type) || !sharedWith(g, c) {
			continue
		}
		here := normalizeRegion(g.Location) == loc
		for _, d := range s.children(g.ID, "images") {
			for _, v := range s.children(d.ID, "versions") {
				here = here || replicatedTo(v, loc)
			}
		}
		if here {
			values = append(values, sharedGalleryBody(uniqueGalleryName(g), loc))
		}
	}
	return values
}

// replicatedTo reports whether version v has loc among its target regions.
func replicatedTo(v *resource, loc string) bool {
	return slices.ContainsFunc(list(obj(v.Properties, "publishingProfile"), "targetRegions"), func(x any) bool {
		m, _ := x.(map[string]any)
		return normalizeRegion(str(m, "name")) == loc
	})
}
