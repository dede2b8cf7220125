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
	// Adapt, when set, reshapes a rendered resource body for an older api-version.
	Adapt func(apiVersion string, body map[string]any)
}

const (
	familyGallery      = "gallery"
	familyImage        = "image"
	familyDisk         = "disk"
	familyResources    = "resources"
	familySubscription = "subscriptions"
	familyAuthz        = "authorization"
)

// apiFamilies is the api-version table. Older versions render the same shape as the pinned one:
// the properties the emulator models did not change shape between them (only defaults did, see
// definitionDefaultsV2).
var apiFamilies = map[string]apiFamily{
	familyGallery: {Provider: "Microsoft.Compute", Types: []string{"galleries", "galleries/images", "galleries/images/versions", "locations/capsOperations"},
		Versions: []string{"2021-10-01", "2022-01-03", "2022-03-03", "2022-08-03", "2023-07-03", "2024-03-03", "2025-03-03", "2026-03-03"}},
	familyImage: {Provider: "Microsoft.Compute", Types: []string{"images", "locations/operations"},
		Versions: []string{"2022-03-01", "2022-08-01", "2022-11-01", "2023-03-01", "2023-07-01", "2023-09-01", "2024-03-01", "2024-07-01", "2024-11-01", "2025-04-01", "2026-04-01"}},
	familyDisk: {Provider: "Microsoft.Compute", Types: []string{"disks", "snapshots", "locations/DiskOperations"},
		Versions: []string{"2022-03-02", "2022-07-02", "2023-01-02", "2023-04-02", "2023-10-02", "2024-03-02", "2025-01-02", "2026-03-02"}},
	familyResources: {Provider: "Microsoft.Resources", Types: []string{"resourceGroups"},
		Versions: []string{"2019-10-01", "2020-06-01", "2021-04-01"}},
	familySubscription: {Provider: "Microsoft.Resources", Types: []string{"subscriptions", "subscriptions/locations"},
		Versions: []string{"2016-06-01", "2020-01-01", "2021-01-01", "2022-12-01"}},
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
// TrustedLaunchSupported, which GalleryRP does from 2025-03-03 on.
func definitionDefaultsV2(apiVersion string) bool { return apiVersion >= "2025-03-03" }

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
