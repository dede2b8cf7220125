package arm

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func versionKind() *kindDef {
	return &kindDef{
		Type: "Microsoft.Compute/galleries/images/versions", Family: familyGallery, OpKind: opCaps, CreateStatus: http.StatusCreated,
		Prepare:   prepareVersion,
		CanDelete: canDeleteVersion,
		Deleted:   softDeleteVersion, // softdelete.go
		Render:    renderVersion,
		Quota:     func(q Quotas) int { return q.VersionsPerRegion },
	}
}

// validVersionName is Major.Minor.Patch, each a non-negative int32.
func validVersionName(n string) bool {
	parts := strings.Split(n, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.TrimLeft(p, "0123456789") != "" {
			return false
		}
		if _, err := strconv.ParseInt(p, 10, 32); err != nil {
			return false
		}
	}
	return true
}

// targetRegion is one normalized entry of publishingProfile.targetRegions.
type targetRegion struct {
	Name     string
	Replicas int
	Raw      map[string]any
}

func prepareVersion(s *Service, w *write) *apiError {
	if !validVersionName(w.res.Name) {
		return invalidParameter("galleryImageVersionName",
			"The image version name '%s' is invalid. The image version name should follow Major(int32).Minor(int32).Patch(int32) format, for e.g: 1.0.0, 2018.12.1 etc.", w.res.Name)
	}
	p := w.res.Properties
	for _, k := range []string{"provisioningState", "replicationStatus", "restore"} {
		delete(p, k)
	}
	if w.old != nil && !w.patch {
		for _, k := range []string{"storageProfile", "safetyProfile"} {
			if _, ok := p[k]; !ok && w.old.Properties[k] != nil {
				p[k] = clone(w.old.Properties[k])
			}
		}
		// az sig image-version update PUTs the version back without storageProfile.source: an omitted
		// immutable field keeps its stored value.
		keepStoredSource(w.old.Properties, p)
	}
	def := w.parent
	src, e := s.versionSource(w, def)
	if e != nil {
		return e
	}
	if e := s.checkVersionSources(w, def); e != nil { // version_sources.go
		return e
	}
	pp := ensureObj(p, "publishingProfile")
	delete(pp, "publishedDate")
	if w.old != nil {
		// Omitting an immutable property on update keeps it rather than resetting it to its default.
		carryOver(w.old.Properties, p, "publishingProfile.storageAccountType", "publishingProfile.replicationMode",
			"safetyProfile.blockDeletionBeforeEndOfLife")
	}
	regions, e := s.targetRegions(w, pp)
	if e != nil {
		return e
	}
	sp := ensureObj(p, "safetyProfile")
	if _, ok := sp["allowDeletionOfReplicatedLocations"]; !ok {
		sp["allowDeletionOfReplicatedLocations"] = false
	}
	if _, ok := sp["blockDeletionBeforeEndOfLife"]; !ok {
		sp["blockDeletionBeforeEndOfLife"] = false
	}
	if eol := str(pp, "endOfLifeDate"); eol != "" {
		if _, err := time.Parse(time.RFC3339, eol); err != nil {
			return invalidParameter("properties.publishingProfile.endOfLifeDate", "The endOfLifeDate '%s' is not an RFC 3339 date-time.", eol)
		}
	}
	if w.old != nil {
		if e := versionUpdateAllowed(w.old.Properties, p, regions); e != nil {
			return e
		}
	}
	// Checks that fail the PUT are done; a Hyper-V generation mismatch fails the operation instead,
	// as GalleryRP only finds it once the copy starts.
	if src.HyperV != "" && !eq(src.HyperV, str(def.Properties, "hyperVGeneration")) {
		w.opFailure = conflict("Conflict", "",
			"The source '%s' has hyperVGeneration '%s', but the gallery image definition '%s' has hyperVGeneration '%s'. Use a source of the definition's generation, or a definition of the source's generation.",
			src.ID, src.HyperV, def.Name, str(def.Properties, "hyperVGeneration"))
	}
	if w.old == nil || w.res.Meta.SizeBytes == 0 {
		w.res.Meta.SizeBytes = src.SizeBytes
	}
	w.replication = true
	plan := planReplication(w.old, regions, w.rc.now)
	w.onCommit = func() {
		for i := range plan {
			if plan[i].Start.Equal(w.rc.now) {
				plan[i].FailDetails = s.injectFailure(plan[i].Region)
				plan[i].Profile = s.profileFor(plan[i].Region)
			}
		}
		w.res.Meta.Replication = plan
	}
	return nil
}

// planReplication keeps regions that are unchanged from the old plan and starts the others now.
func planReplication(old *resource, regions []targetRegion, now time.Time) []regionReplication {
	var plan []regionReplication
	for _, tr := range regions {
		rr := regionReplication{Region: tr.Name, Start: now, Replicas: tr.Replicas}
		if old != nil {
			for _, o := range old.Meta.Replication {
				// A region that failed replicates again, as a re-PUT retries it in Azure.
				if o.Region == tr.Name && o.Replicas == tr.Replicas && o.FailDetails == "" {
					rr = o
				}
			}
		}
		plan = append(plan, rr)
	}
	return plan
}

// versionSource validates the source of a version and returns what it knows about it.
func (s *Service) versionSource(w *write, def *resource) (*sourceInfo, *apiError) {
	st := obj(w.res.Properties, "storageProfile")
	if w.old != nil {
		if e := immutable(w.old.Properties, w.res.Properties, "properties",
			"storageProfile.source.id", "storageProfile.source.virtualMachineId", "storageProfile.source.communityGalleryImageId",
			"storageProfile.osDiskImage.source.id", "storageProfile.osDiskImage.source.uri"); e != nil {
			return nil, e
		}
	}
	var src *sourceInfo
	var e *apiError
	switch {
	case str(obj(st, "source"), "id") != "":
		src, e = s.resolveSource(str(obj(st, "source"), "id"), "properties.storageProfile.source.id")
	case str(obj(st, "source"), "communityGalleryImageId") != "":
		src, e = s.resolveCommunitySource(str(obj(st, "source"), "communityGalleryImageId"), w.res.Location, w.rc.now) // community_source.go
	case str(obj(st, "source"), "virtualMachineId") != "":
		src, e = s.resolveSource(str(obj(st, "source"), "virtualMachineId"), "properties.storageProfile.source.virtualMachineId")
	case str(obj(st, "osDiskImage", "source"), "id") != "":
		src, e = s.resolveSource(str(obj(st, "osDiskImage", "source"), "id"), "properties.storageProfile.osDiskImage.source.id")
	case str(obj(st, "osDiskImage", "source"), "uri") != "":
		uri := str(obj(st, "osDiskImage", "source"), "uri")
		src = &sourceInfo{ID: uri, Location: w.res.Location, SizeBytes: s.blobSize(uri)}
	default:
		return nil, missingProperty("properties.storageProfile.source.id")
	}
	if e != nil {
		return nil, e
	}
	for i, dd := range list(st, "dataDiskImages") {
		m, _ := dd.(map[string]any)
		if id := str(obj(m, "source"), "id"); id != "" {
			ds, e := s.resolveSource(id, "properties.storageProfile.dataDiskImages["+itoa(i)+"].source.id")
			if e != nil {
				return nil, e
			}
			if ds.Location != w.res.Location {
				return nil, sourceRegionError(id, ds.Location, w.res.Location, "properties.storageProfile.dataDiskImages["+itoa(i)+"].source.id")
			}
		}
	}
	if src.Location != w.res.Location {
		return nil, sourceRegionError(src.ID, src.Location, w.res.Location, "properties.storageProfile.source.id")
	}
	if defState := str(def.Properties, "osState"); src.OSState != "" && !eq(src.OSState, defState) {
		return nil, osStateMismatch(src.ID, src.OSState, defState)
	}
	if e := checkSecurityType(def, src); e != nil {
		return nil, e
	}
	return src, nil
}

// sourceRegionError: GalleryRP looks for the source in the version's region, so a source elsewhere is
// "not found".
func sourceRegionError(id, _, _, target string) *apiError {
	return sourceNotFound(id, target)
}

// keepStoredSource restores the stored source of a version whose PUT carries a storageProfile without
// one (neither source nor osDiskImage.source).
func keepStoredSource(old, cur map[string]any) {
	st := obj(cur, "storageProfile")
	if st == nil || st["source"] != nil || obj(st, "osDiskImage", "source") != nil {
		return
	}
	carryOver(old, cur, "storageProfile.source", "storageProfile.osDiskImage.source")
}

// targetRegions validates and normalizes publishingProfile, filling Azure's defaults.
func (s *Service) targetRegions(w *write, pp map[string]any) ([]targetRegion, *apiError) {
	const field = "properties.publishingProfile.targetRegions"
	replicaCount := int64(1)
	if v, ok := pp["replicaCount"]; ok {
		n, isInt := num(pp, "replicaCount")
		if !isInt || n < 1 || n > 100 {
			return nil, invalidParameter("properties.publishingProfile.replicaCount", "The replicaCount '%v' is out of range; it must be between 1 and 100.", v)
		}
		replicaCount = n
	}
	pp["replicaCount"] = replicaCount
	strategy, sat, e := versionStorage(w, pp) // storage.go
	if e != nil {
		return nil, e
	}
	raw := list(pp, "targetRegions")
	if len(raw) == 0 {
		raw = []any{map[string]any{"name": regionDisplayName(w.res.Location)}}
	}
	var out []targetRegion
	seen := map[string]string{}
	for i, x := range raw {
		m, ok := x.(map[string]any)
		if !ok || str(m, "name") == "" {
			return nil, missingProperty(field + "[" + itoa(i) + "].name")
		}
		name := normalizeRegion(str(m, "name"))
		if prev, dup := seen[name]; dup {
			return nil, invalidParameter(field, "The target region '%s' is listed more than once (also as '%s'). List each region once.", str(m, "name"), prev)
		}
		seen[name] = str(m, "name")
		if !slices.Contains(s.opts.Regions, name) {
			return nil, invalidParameter(field+"["+itoa(i)+"].name", "The target region '%s' is not available. Available regions are '%s'.", str(m, "name"), strings.Join(s.opts.Regions, ","))
		}
		n := replicaCount
		if v, ok := m["regionalReplicaCount"]; ok {
			rn, isInt := num(m, "regionalReplicaCount")
			if !isInt || rn < 1 || rn > 100 {
				return nil, invalidParameter(field+"["+itoa(i)+"].regionalReplicaCount", "The regionalReplicaCount '%v' of region '%s' is out of range; it must be between 1 and 100.", v, str(m, "name"))
			}
			n = rn
		}
		m["regionalReplicaCount"] = n
		// A replicated region keeps its encryption and storage type when an update does not restate them.
		for _, k := range []string{"encryption", "storageAccountType"} {
			if _, ok := m[k]; !ok && w.old != nil {
				if v := oldRegionField(w.old.Properties, name, k); v != nil {
					m[k] = clone(v)
				}
			}
		}
		if str(m, "storageAccountType") == "" {
			m["storageAccountType"] = sat
			if strategy != "" {
				m["storageAccountType"] = strategyStorage(strategy, name)
			}
		}
		if e := checkReplicaSets(field+"["+itoa(i)+"]", m); e != nil {
			return nil, e
		}
		if _, ok := m["excludeFromLatest"]; !ok {
			m["excludeFromLatest"] = false
		}
		out = append(out, targetRegion{Name: name, Replicas: int(n), Raw: m})
	}
	pp["targetRegions"] = raw
	if _, ok := seen[w.res.Location]; !ok {
		return nil, invalidParameter(field, "The target regions must include the location of the gallery image version ('%s').", w.res.Location)
	}
	if _, ok := pp["excludeFromLatest"]; !ok {
		pp["excludeFromLatest"] = false
	}
	if eq(str(pp, "replicationMode"), "Shallow") {
		if len(out) != 1 || out[0].Replicas != 1 {
			return nil, invalidParameter(field,
				"Shallow replication supports only the source region ('%s') with one replica. Remove the other regions or use replicationMode Full.", w.res.Location)
		}
	}
	return out, nil
}

// versionUpdateAllowed allows changing only target regions, replica counts, excludeFromLatest,
// endOfLifeDate, tags and safetyProfile.allowDeletionOfReplicatedLocations.
func versionUpdateAllowed(old, cur map[string]any, regions []targetRegion) *apiError {
	if e := immutable(old, cur, "properties", "publishingProfile.replicationMode", "publishingProfile.storageAccountType",
		"safetyProfile.blockDeletionBeforeEndOfLife"); e != nil {
		return e
	}
	newRegions := map[string]map[string]any{}
	for _, tr := range regions {
		newRegions[tr.Name] = tr.Raw
	}
	var removed []string
	for _, x := range list(obj(old, "publishingProfile"), "targetRegions") {
		m, _ := x.(map[string]any)
		name := normalizeRegion(str(m, "name"))
		nr, kept := newRegions[name]
		if !kept {
			removed = append(removed, name)
			continue
		}
		if !eq(str(m, "storageAccountType"), str(nr, "storageAccountType")) {
			return conflict("PropertyChangeNotAllowed", "properties.publishingProfile.targetRegions.storageAccountType",
				"Changing property 'storageAccountType' of the replicated region '%s' is not allowed.", name)
		}
	}
	if len(removed) > 0 && !boolean(obj(cur, "safetyProfile"), "allowDeletionOfReplicatedLocations") {
		return conflict("OperationNotAllowed", "properties.publishingProfile.targetRegions",
			"Removing the replicated regions '%s' is not allowed because safetyProfile.allowDeletionOfReplicatedLocations is false. Set it to true to remove replicated regions.",
			strings.Join(removed, ", "))
	}
	return nil
}

func canDeleteVersion(s *Service, rc *reqCtx, r *resource) *apiError {
	if !boolean(obj(r.Properties, "safetyProfile"), "blockDeletionBeforeEndOfLife") {
		return nil
	}
	eol, err := time.Parse(time.RFC3339, str(obj(r.Properties, "publishingProfile"), "endOfLifeDate"))
	if err == nil && rc.now.Before(eol) {
		return conflict("DeleteGalleryImageVersionBlockedBeforeEndOfLife", "",
			"The gallery image version '%s' cannot be deleted before its end of life date %s because safetyProfile.blockDeletionBeforeEndOfLife is true.",
			r.Name, eol.Format(time.RFC3339))
	}
	return nil
}

func renderVersion(s *Service, r *resource, rc *renderCtx, body map[string]any) {
	props := obj(body, "properties")
	props["provisioningState"] = s.versionState(r, rc.now)
	pp := ensureObj(props, "publishingProfile")
	pp["publishedDate"] = timeString(r.Meta.Created)
	// GalleryRP answers with region display names whatever spelling the client sent.
	for _, x := range list(pp, "targetRegions") {
		if m, ok := x.(map[string]any); ok {
			m["name"] = regionDisplayName(normalizeRegion(str(m, "name")))
		}
	}
	st := ensureObj(props, "storageProfile")
	od := ensureObj(st, "osDiskImage")
	od["sizeInGB"] = (r.Meta.SizeBytes + gib - 1) / gib
	if str(od, "hostCaching") == "" {
		od["hostCaching"] = "ReadOnly"
	}
	s.renderDataDiskImages(st) // version_sources.go
	if rc.expand {
		props["replicationStatus"] = s.replicationStatusBody(r, rc.now)
	}
}

// oldRegionField reads a field of a stored version's target region.
func oldRegionField(old map[string]any, region, field string) any {
	for _, x := range list(obj(old, "publishingProfile"), "targetRegions") {
		if m, ok := x.(map[string]any); ok && normalizeRegion(str(m, "name")) == region {
			return m[field]
		}
	}
	return nil
}

// carryOver copies dotted paths from old to cur where cur lacks them.
func carryOver(old, cur map[string]any, paths ...string) {
	for _, path := range paths {
		v := lookup(old, path)
		if v == nil || lookup(cur, path) != nil {
			continue
		}
		parts := strings.Split(path, ".")
		m := cur
		for _, p := range parts[:len(parts)-1] {
			m = ensureObj(m, p)
		}
		m[parts[len(parts)-1]] = clone(v)
	}
}
