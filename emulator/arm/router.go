package arm

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// ServeHTTP serves one ARM request. Ids never carry a host; links (nextLink, operation URLs) use the
// request's Host and TLS state.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := uuid.NewString()
	corr := r.Header.Get("x-ms-correlation-request-id")
	if corr == "" {
		corr = reqID
	}
	w.Header().Set("x-ms-request-id", reqID)
	w.Header().Set("x-ms-correlation-request-id", corr)
	if crid := r.Header.Get("x-ms-client-request-id"); crid != "" {
		w.Header().Set("x-ms-client-request-id", crid)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	// A bug must not take the emulator down or leave a half-written reply: answer 500 in ARM's shape.
	// Validation runs before any mutation, so a panic cannot leave state half-changed by a valid request.
	defer func() {
		if p := recover(); p != nil {
			writeError(w, internalError(fmt.Errorf("panic: %v", p)))
		}
	}()
	rc := newReqCtx(s, w, r)
	if e := s.route(rc); e != nil {
		writeError(w, e)
	}
}

// segments splits an ARM path, dropping empty parts (ARM tolerates doubled slashes).
func segments(p string) []string {
	var out []string
	for _, x := range strings.Split(p, "/") {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func eq(a, b string) bool { return strings.EqualFold(a, b) }

// route dispatches on the path shape. Each branch checks the api-version of its resource family.
func (s *Service) route(rc *reqCtx) *apiError {
	seg := segments(rc.r.URL.Path)
	if i := indexProvider(seg, "Microsoft.Authorization"); i >= 0 && len(seg) > i+2 && eq(seg[i+2], "roleAssignments") {
		return s.roleAssignments(rc, seg[:i], seg[i+3:])
	}
	if len(seg) == 1 && eq(seg[0], "subscriptions") {
		return s.listSubscriptions(rc)
	}
	if len(seg) < 2 || !eq(seg[0], "subscriptions") {
		return newError(http.StatusNotFound, "InvalidResourceType", "", "The resource path '%s' is not served by this emulator.", rc.r.URL.Path)
	}
	rc.sub = seg[1]
	if s.subscription(rc.sub) == nil {
		return newError(http.StatusNotFound, "SubscriptionNotFound", "", "The subscription '%s' could not be found.", rc.sub)
	}
	rest := seg[2:]
	switch {
	case len(rest) == 0:
		return s.getSubscription(rc)
	case len(rest) == 1 && eq(rest[0], "locations"):
		return s.listLocations(rc)
	case len(rest) == 2 && eq(rest[0], "operationresults"):
		return s.operationResults(rc, rest[1])
	case eq(rest[0], "resourcegroups"):
		if len(rest) <= 2 {
			return s.resourceGroups(rc, rest[1:])
		}
		rc.rg = rest[1]
		if len(rest) >= 4 && eq(rest[2], "providers") && eq(rest[3], "Microsoft.Compute") {
			return s.compute(rc, rest[4:])
		}
	case eq(rest[0], "providers") && len(rest) >= 2 && eq(rest[1], "Microsoft.Compute"):
		return s.computeSubscriptionScope(rc, rest[2:])
	}
	return newError(http.StatusNotFound, "InvalidResourceType", "", "The resource path '%s' is not served by this emulator.", rc.r.URL.Path)
}

func indexProvider(seg []string, ns string) int {
	for i := 0; i+1 < len(seg); i++ {
		if eq(seg[i], "providers") && eq(seg[i+1], ns) {
			return i
		}
	}
	return -1
}

// computeSubscriptionScope serves operation status and list-by-subscription.
func (s *Service) computeSubscriptionScope(rc *reqCtx, rest []string) *apiError {
	if handled, e := s.communityRoute(rc, rest); handled { // community.go
		return e
	}
	if handled, e := s.sharedRoute(rc, rest); handled { // shared.go
		return e
	}
	if len(rest) == 4 && eq(rest[0], "locations") {
		return s.operationStatus(rc, rest[1], rest[2], rest[3])
	}
	if len(rest) == 1 {
		kd := s.kindByPath([]string{rest[0]})
		if kd == nil {
			return unknownType(rest[0])
		}
		if rc.r.Method != http.MethodGet {
			return methodNotAllowed(rc.r.Method)
		}
		if e := s.useAPIVersion(rc, kd.Family, kd.shortType(), ""); e != nil {
			return e
		}
		return s.listKind(rc, kd, "", true)
	}
	return unknownType(strings.Join(rest, "/"))
}

// compute serves resource-group-scoped Microsoft.Compute paths: type/name pairs, an optional action.
func (s *Service) compute(rc *reqCtx, rest []string) *apiError {
	if len(rest) == 0 {
		return unknownType("")
	}
	var types, names []string
	for i := 0; i < len(rest); i += 2 {
		types = append(types, rest[i])
		if i+1 < len(rest) {
			names = append(names, rest[i+1])
		}
	}
	if handled, e := s.softDeletedList(rc, types, names); handled { // softdelete.go
		return e
	}
	action := ""
	kd := s.kindByPath(types)
	if kd == nil && len(types) > 1 && len(types) > len(names) {
		// A trailing segment that is not a child type is an action (share, beginGetAccess...).
		if k := s.kindByPath(types[:len(types)-1]); k != nil && k.Actions[strings.ToLower(types[len(types)-1])] != nil {
			kd, action, types = k, strings.ToLower(types[len(types)-1]), types[:len(types)-1]
		}
	}
	if kd == nil {
		return unknownType(strings.Join(types, "/"))
	}
	if e := s.useAPIVersion(rc, kd.Family, kd.shortType(), ""); e != nil {
		return e
	}
	rgID := "/subscriptions/" + rc.sub + "/resourceGroups/" + rc.rg
	rg := s.get(rgID)
	if rg == nil {
		return rgNotFound(rc.rg)
	}
	// Build the id with the resource group's stored casing and the client's casing for the rest.
	id := rg.ID + "/providers/Microsoft.Compute"
	for i, t := range types {
		id += "/" + kd.typeSegs()[i]
		_ = t
		if i < len(names) {
			id += "/" + names[i]
		}
	}
	if len(names) < len(types) { // collection
		if rc.r.Method != http.MethodGet {
			return methodNotAllowed(rc.r.Method)
		}
		parent := id[:strings.LastIndex(id, "/")]
		if len(types) > 1 && s.get(parent) == nil {
			return parentNotFound(s.missingAncestor(parent, len(names)))
		}
		return s.listKind(rc, kd, id, false)
	}
	// Every ancestor must exist.
	parentID := ""
	if len(types) > 1 {
		parentID = id[:strings.LastIndex(id[:strings.LastIndex(id, "/")], "/")]
		if s.get(parentID) == nil {
			return parentNotFound(s.missingAncestor(parentID, len(names)-1))
		}
	}
	if action != "" {
		if rc.r.Method != http.MethodPost {
			return methodNotAllowed(rc.r.Method)
		}
		res := s.get(id)
		if res == nil {
			return s.notFound(rc, kd, id)
		}
		s.touch(res) // actions change the resource in place (sharing, disk access)
		return kd.Actions[action](s, rc, res)
	}
	return s.resourceVerb(rc, kd, id, names[len(names)-1], parentID)
}

// useAPIVersion checks the api-version and records it on the request.
func (s *Service) useAPIVersion(rc *reqCtx, family, typ, loc string) *apiError {
	v, e := checkAPIVersion(rc.r, family, typ, loc, s.opts.Regions)
	if e != nil {
		return e
	}
	rc.apiVersion = v
	return nil
}

func unknownType(t string) *apiError {
	return newError(http.StatusBadRequest, "InvalidResourceType", "", "The resource type '%s' could not be found in the namespace 'Microsoft.Compute' for this emulator.", t)
}

func methodNotAllowed(m string) *apiError {
	return newError(http.StatusMethodNotAllowed, "MethodNotAllowed", "", "The HTTP method '%s' is not supported for this path.", m)
}
