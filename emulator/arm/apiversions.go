package arm

import (
	"net/http"
	"sort"
	"strings"
)

// apiFamily groups resource types that share api-versions: one row per family, so adding an older
// api-version (and, where its shape differs, an adapter) is one edit.
type apiFamily struct {
	// Provider is the ARM namespace, e.g. "Microsoft.Compute".
	Provider string
	// Types are the resource types (as ARM names them in errors) that the family serves.
	Types []string
	// Versions served, oldest first; the last is the pinned one.
	Versions []string
	// Shapes are the properties that older versions of the family do not have (shapes.go): the
	// request and response adapters for every version the family serves.
	Shapes []shapeChange
	// Gates are behaviours that start at an api-version, keyed by gate name.
	Gates map[string]string
}

// gateDefinitionV2Defaults: a new gallery image definition defaults to HyperV V2 and the feature
// SecurityType TrustedLaunchSupported (GalleryRP 2025-03-03 and later); before, to V1 and no feature.
const gateDefinitionV2Defaults = "definitionV2Defaults"

const (
	familyGallery      = "gallery"
	familyImage        = "image"
	familyDisk         = "disk"
	familyResources    = "resources"
	familySubscription = "subscriptions"
	familyAuthz        = "authorization"
)

// apiFamilies is the api-version table. Every version listed is served; where older versions lack
// properties, Shapes drops them from requests and responses, and Gates key the defaults that changed.
// The versions that az CLI 2.45 and packer-plugin-azure 2.6 use are among them (see README.md).
var apiFamilies = map[string]apiFamily{
	familyGallery: {Provider: "Microsoft.Compute", Types: []string{"galleries", "galleries/images", "galleries/images/versions", "locations/capsOperations"},
		Versions: []string{"2021-10-01", "2022-01-03", "2022-03-03", "2022-08-03", "2023-07-03", "2024-03-03", "2025-03-03", "2025-12-03", "2026-03-03"},
		Shapes:   galleryShapes, Gates: map[string]string{gateDefinitionV2Defaults: "2025-03-03"}},
	familyImage: {Provider: "Microsoft.Compute", Types: []string{"images", "locations/operations"},
		Versions: []string{"2022-03-01", "2022-08-01", "2022-11-01", "2023-03-01", "2023-07-01", "2023-09-01", "2024-03-01", "2024-07-01", "2024-11-01", "2025-04-01", "2026-04-01"},
		Shapes:   imageShapes},
	familyDisk: {Provider: "Microsoft.Compute", Types: []string{"disks", "snapshots", "locations/DiskOperations"},
		Versions: []string{"2022-03-02", "2022-07-02", "2023-01-02", "2023-04-02", "2023-10-02", "2024-03-02", "2025-01-02", "2026-03-02"},
		Shapes:   diskShapes},
	familyResources: {Provider: "Microsoft.Resources", Types: []string{"resourceGroups"},
		Versions: []string{"2019-10-01", "2020-06-01", "2021-04-01", "2025-04-01"}},
	familySubscription: {Provider: "Microsoft.Resources", Types: []string{"subscriptions", "subscriptions/locations"},
		Versions: []string{"2016-06-01", "2019-11-01", "2020-01-01", "2021-01-01", "2022-12-01"}},
	familyAuthz: {Provider: "Microsoft.Authorization", Types: []string{"roleAssignments"},
		Versions: []string{"2020-04-01-preview", "2022-04-01"}},
}

// checkAPIVersion returns ARM's error for a missing or unsupported api-version of a family.
func checkAPIVersion(r *http.Request, family, typeName, location string, regions []string) (string, *apiError) {
	v := r.URL.Query().Get("api-version")
	f := apiFamilies[family]
	if v == "" {
		return "", badRequest("MissingApiVersionParameter", "",
			"The api-version query parameter (?api-version=) is required for all requests.")
	}
	for _, have := range f.Versions {
		if have == v {
			return v, nil
		}
	}
	if location == "" {
		location = "global"
	}
	return "", badRequest("NoRegisteredProviderFound", "",
		"No registered resource provider found for location '%s' and API version '%s' for type '%s'. The supported api-versions are '%s'. The supported locations are '%s'.",
		location, v, typeName, strings.Join(f.Versions, ", "), strings.Join(regions, ", "))
}

// definitionDefaultsV2 says whether a new gallery image definition defaults to HyperV V2 and
// TrustedLaunchSupported at this api-version (gateDefinitionV2Defaults).
func definitionDefaultsV2(apiVersion string) bool {
	return gateOpen(familyGallery, gateDefinitionV2Defaults, apiVersion)
}

// gateOpen reports whether a family's gated behaviour applies at apiVersion.
func gateOpen(family, gate, apiVersion string) bool {
	since, ok := apiFamilies[family].Gates[gate]
	return ok && apiVersion >= since
}

// SupportedAPIVersions maps "Provider/resourceType" to the api-versions served, for docs.
func (s *Service) SupportedAPIVersions() map[string][]string {
	out := map[string][]string{}
	for _, f := range apiFamilies {
		for _, t := range f.Types {
			out[f.Provider+"/"+t] = append([]string(nil), f.Versions...)
		}
	}
	return out
}

// sortedKeys is used where output must be stable.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
