package arm

import (
	"net/http"
	"strings"
)

func definitionKind() *kindDef {
	return &kindDef{
		Type: "Microsoft.Compute/galleries/images", Family: familyGallery, OpKind: opCaps, CreateStatus: http.StatusCreated,
		Prepare: prepareDefinition,
		CanDelete: func(s *Service, rc *reqCtx, r *resource) *apiError {
			return s.nestedRemain(rc, r, "versions")
		},
		Quota: func(q Quotas) int { return q.DefinitionsPerRegion },
	}
}

// oneOf returns the canonical spelling of v among allowed (case-insensitive), or "".
func oneOf(v string, allowed ...string) string {
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a
		}
	}
	return ""
}

func prepareDefinition(s *Service, w *write) *apiError {
	if !validEntityName(w.res.Name, false) {
		return invalidEntityName("galleryImageName", entityNameRule)
	}
	p := w.res.Properties
	delete(p, "provisioningState")
	if e := checkEndOfLifeFuture(p, "properties.endOfLifeDate", w.rc.now); e != nil && (w.old == nil || str(p, "endOfLifeDate") != str(w.old.Properties, "endOfLifeDate")) {
		return e
	}
	if w.old != nil && !w.patch {
		// A PUT that omits a defaulted property keeps the stored value rather than changing it.
		for _, k := range []string{"hyperVGeneration", "features", "architecture"} {
			if _, ok := p[k]; !ok && w.old.Properties[k] != nil {
				p[k] = clone(w.old.Properties[k])
			}
		}
	}
	for _, f := range []string{"osType", "osState"} {
		if str(p, f) == "" {
			return missingProperty("properties." + f)
		}
	}
	if p["osType"] = oneOf(str(p, "osType"), "Windows", "Linux"); p["osType"] == "" {
		return invalidParameter("properties.osType", "The osType must be Windows or Linux.")
	}
	if p["osState"] = oneOf(str(p, "osState"), "Generalized", "Specialized"); p["osState"] == "" {
		return invalidParameter("properties.osState", "The osState must be Generalized or Specialized.")
	}
	id := obj(p, "identifier")
	for _, f := range []string{"publisher", "offer", "sku"} {
		if str(id, f) == "" {
			return missingProperty("properties.identifier." + f)
		}
	}
	if hv := str(p, "hyperVGeneration"); hv != "" {
		if p["hyperVGeneration"] = oneOf(hv, "V1", "V2"); p["hyperVGeneration"] == "" {
			return invalidParameter("properties.hyperVGeneration", "The hyperVGeneration '%s' is invalid; use V1 or V2.", hv)
		}
	} else if w.old == nil {
		p["hyperVGeneration"] = "V1"
		if definitionDefaultsV2(w.rc.apiVersion) {
			p["hyperVGeneration"] = "V2"
		}
	}
	// Trusted launch needs generation 2, so an explicit V1 definition gets no security type feature.
	if w.old == nil && definitionDefaultsV2(w.rc.apiVersion) && !hasFeature(p, "SecurityType") && p["hyperVGeneration"] == "V2" {
		p["features"] = append(list(p, "features"), map[string]any{"name": "SecurityType", "value": "TrustedLaunchSupported"})
	}
	if str(p, "architecture") == "" {
		p["architecture"] = "x64"
	}
	if w.old != nil {
		return immutable(w.old.Properties, p, "properties", "osType", "osState", "hyperVGeneration",
			"identifier.publisher", "identifier.offer", "identifier.sku")
	}
	return s.duplicateIdentifier(w)
}

func hasFeature(p map[string]any, name string) bool {
	for _, f := range list(p, "features") {
		if m, ok := f.(map[string]any); ok && eq(str(m, "name"), name) {
			return true
		}
	}
	return false
}

// immutable refuses a change of any dotted path between old and new properties (case-insensitive for
// strings, as ARM compares enum values).
func immutable(old, cur map[string]any, prefix string, paths ...string) *apiError {
	for _, path := range paths {
		a, b := lookup(old, path), lookup(cur, path)
		as, aok := a.(string)
		bs, bok := b.(string)
		if aok && bok && strings.EqualFold(as, bs) || a == nil && b == nil {
			continue
		}
		if !aok || !bok {
			if jsonEqual(a, b) {
				continue
			}
		}
		return conflict("PropertyChangeNotAllowed", prefix+"."+path, "Changing property '%s' is not allowed.", prefix+"."+path)
	}
	return nil
}

func lookup(m map[string]any, path string) any {
	parts := strings.Split(path, ".")
	cur := m
	for i, p := range parts {
		if cur == nil {
			return nil
		}
		if i == len(parts)-1 {
			return cur[p]
		}
		cur, _ = cur[p].(map[string]any)
	}
	return nil
}

func jsonEqual(a, b any) bool {
	type wrap struct{ V any }
	x, y := clone(wrap{a}), clone(wrap{b})
	return toJSON(x) == toJSON(y)
}
