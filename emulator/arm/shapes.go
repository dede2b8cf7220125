package arm

import "strings"

// shapeChange is one property whose presence depends on the api-version: the REST spec of Since
// introduced it, so requests at older versions cannot set it and responses at older versions do
// not carry it. The lists below come from comparing each api-version's models (GalleryRP, ComputeRP
// images, DiskRP), limited to what the emulator stores or echoes.
type shapeChange struct {
	// Type is the ARM resource type the path belongs to.
	Type string
	// Since is the first api-version whose spec has Path.
	Since string
	// Path is a dotted JSON path from the resource body; a "[]" step enters every array element.
	Path string
	// OlderPath, when set, is where versions before Since carried the same value: the response
	// moves it there instead of dropping it (a rename, such as a VM source in source.id).
	OlderPath string
}

const (
	typeGallery    = "Microsoft.Compute/galleries"
	typeDefinition = "Microsoft.Compute/galleries/images"
	typeVersion    = "Microsoft.Compute/galleries/images/versions"
	typeDisk       = "Microsoft.Compute/disks"
	typeSnapshot   = "Microsoft.Compute/snapshots"
)

// galleryShapes: GalleryRP 2021-10-01 → 2026-03-03.
var galleryShapes = []shapeChange{
	{Type: typeGallery, Since: "2024-03-03", Path: "identity"},
	{Type: typeGallery, Since: "2026-03-03", Path: "properties.softDeletePolicy.gracePeriodInDays"},
	{Type: typeGallery, Since: "2026-03-03", Path: "properties.softDeletePolicy.retentionPeriodInDays"},

	{Type: typeDefinition, Since: "2024-03-03", Path: "properties.allowUpdateImage"},
	{Type: typeDefinition, Since: "2024-03-03", Path: "properties.features[].startsAtVersion"},

	{Type: typeVersion, Since: "2022-03-03", Path: "properties.safetyProfile"},
	{Type: typeVersion, Since: "2022-03-03", Path: "properties.publishingProfile.targetRegions[].excludeFromLatest"},
	{Type: typeVersion, Since: "2022-03-03", Path: "properties.storageProfile.source.communityGalleryImageId"},
	{Type: typeVersion, Since: "2022-03-03", Path: "properties.storageProfile.osDiskImage.source.storageAccountId"},
	{Type: typeVersion, Since: "2022-03-03", Path: "properties.storageProfile.dataDiskImages[].source.storageAccountId"},
	{Type: typeVersion, Since: "2022-08-03", Path: "properties.securityProfile"},
	{Type: typeVersion, Since: "2023-07-03", Path: "properties.storageProfile.source.virtualMachineId",
		OlderPath: "properties.storageProfile.source.id"},
	{Type: typeVersion, Since: "2024-03-03", Path: "properties.safetyProfile.blockDeletionBeforeEndOfLife"},
	{Type: typeVersion, Since: "2024-03-03", Path: "properties.publishingProfile.targetRegions[].additionalReplicaSets"},
	{Type: typeVersion, Since: "2024-03-03", Path: "properties.restore"},
	{Type: typeVersion, Since: "2024-03-03", Path: "properties.validationsProfile"},
	{Type: typeVersion, Since: "2025-03-03", Path: "properties.publishingProfile.storageAccountStrategy"},
	{Type: typeVersion, Since: "2026-03-03", Path: "properties.imageMetadataProfiles"},
	{Type: typeVersion, Since: "2026-03-03", Path: "properties.securityProfile.secretsProvisioningSettings"},
	{Type: typeVersion, Since: "2026-03-03", Path: "properties.publishingProfile.targetRegions[].encryption.dataDiskImages[].securityProfile"},
	{Type: typeVersion, Since: "2026-03-03", Path: "properties.publishingProfile.targetExtendedLocations[].encryption.dataDiskImages[].securityProfile"},
}

// diskShapes: DiskRP 2022-03-02 → 2026-03-02, for disks and snapshots.
var diskShapes = append(diskAndSnapshot([]shapeChange{
	{Since: "2022-07-02", Path: "properties.creationData.performancePlus"},
	{Since: "2022-07-02", Path: "properties.supportedCapabilities.diskControllerTypes"},
	{Since: "2023-04-02", Path: "properties.creationData.elasticSanResourceId"},
	{Since: "2023-10-02", Path: "properties.creationData.provisionedBandwidthCopySpeed"},
	{Since: "2025-01-02", Path: "properties.creationData.instantAccessDurationMinutes"},
	{Since: "2025-01-02", Path: "properties.creationData.securityMetadataUri"},
	{Since: "2025-01-02", Path: "properties.supportedCapabilities.supportedSecurityOption"},
	{Since: "2026-03-02", Path: "properties.securityProfile.confidentialVMVersion"},
}),
	shapeChange{Type: typeDisk, Since: "2022-07-02", Path: "properties.optimizedForFrequentAttach"},
	shapeChange{Type: typeDisk, Since: "2022-07-02", Path: "properties.burstingEnabledTime"},
	shapeChange{Type: typeDisk, Since: "2025-01-02", Path: "properties.availabilityPolicy"},
	shapeChange{Type: typeSnapshot, Since: "2022-07-02", Path: "properties.incrementalSnapshotFamilyId"},
	shapeChange{Type: typeSnapshot, Since: "2025-01-02", Path: "properties.snapshotAccessState"},
	shapeChange{Type: typeSnapshot, Since: "2026-03-02", Path: "properties.immutabilityPolicy"},
)

// imageShapes is empty: from ComputeRP 2022-03-01 to 2026-04-01 the managed image only gained the
// systemData envelope, which the emulator does not produce.
var imageShapes []shapeChange

// diskAndSnapshot applies each change to both disk types.
func diskAndSnapshot(in []shapeChange) []shapeChange {
	var out []shapeChange
	for _, c := range in {
		for _, t := range []string{typeDisk, typeSnapshot} {
			c.Type = t
			out = append(out, c)
		}
	}
	return out
}

// unknownAt reports whether api-version v predates the change.
func (c shapeChange) unknownAt(v string) bool { return v != "" && v < c.Since }

// shapeResponse removes from a rendered body what api-version v does not have, or moves it to
// where v had it.
func shapeResponse(changes []shapeChange, typ, v string, body map[string]any) {
	for _, c := range changes {
		if !eq(c.Type, typ) || !c.unknownAt(v) {
			continue
		}
		if c.OlderPath != "" {
			if val := getPath(body, c.Path); val != nil && getPath(body, c.OlderPath) == nil {
				setPath(body, c.OlderPath, val)
			}
		}
		deletePath(body, c.Path)
	}
}

// shapeRequest drops from a PUT or PATCH body what api-version v does not know, as the resource
// provider deserializes the body into that version's model and so never sees those properties.
// A PUT of an existing resource keeps the stored value of each dropped property (old is its body
// as stored): a client of an older version cannot state it, so its PUT must not erase it.
func shapeRequest(changes []shapeChange, typ, v string, body, old map[string]any) {
	for _, c := range changes {
		if !eq(c.Type, typ) || !c.unknownAt(v) || c.OlderPath != "" {
			continue
		}
		deletePath(body, c.Path)
		if old != nil && !strings.Contains(c.Path, "[]") {
			if val := getPath(old, c.Path); val != nil {
				setPath(body, c.Path, clone(val))
			}
		}
	}
}

// getPath reads a dotted path without "[]" steps.
func getPath(m map[string]any, path string) any {
	parts := strings.Split(path, ".")
	cur := m
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			return nil
		}
		cur = next
	}
	return cur[parts[len(parts)-1]]
}

// setPath writes a dotted path without "[]" steps, creating objects on the way.
func setPath(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	cur := m
	for _, p := range parts[:len(parts)-1] {
		cur = ensureObj(cur, p)
	}
	cur[parts[len(parts)-1]] = v
}

// deletePath removes a dotted path; a "[]" step applies the rest to every element of an array.
func deletePath(m map[string]any, path string) {
	head, rest, more := strings.Cut(path, ".")
	if arr, isArr := strings.CutSuffix(head, "[]"); isArr {
		for _, x := range list(m, arr) {
			if e, ok := x.(map[string]any); ok && more {
				deletePath(e, rest)
			}
		}
		return
	}
	if !more {
		delete(m, head)
		return
	}
	if next, ok := m[head].(map[string]any); ok {
		deletePath(next, rest)
	}
}
