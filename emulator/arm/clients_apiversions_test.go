package arm

import (
	"net/http/httptest"
	"testing"
)

// clientPins are the api-versions that the clients named in docs/emulator.md pin, per resource type.
// Where each was read: the Go modules' generated clients (armcompute v8.4.0, armresources v1.2.0,
// armsubscriptions v1.3.0, armauthorization v2.2.0), the JavaScript packages' dist/commonjs/api
// operations (@azure/arm-compute 25.1.1, @azure/arm-resources 8.0.0) or dist/commonjs/models/parameters.js
// (@azure/arm-compute 23.3.0), and Debian's azure-cli 2.45
// profile 'latest' (azure/cli/core/profiles/_shared.py, AZURE_API_PROFILES).
var clientPins = []struct {
	client, family, typ, version string
}{
	{"plugin (armcompute v8.4.0)", familyGallery, "galleries", "2026-03-03"},
	{"plugin (armcompute v8.4.0)", familyImage, "images", "2026-04-01"},
	{"plugin (armcompute v8.4.0)", familyDisk, "disks", "2026-03-02"},
	{"plugin (armresources v1.2.0)", familyResources, "resourceGroups", "2021-04-01"},
	{"plugin (armsubscriptions v1.3.0)", familySubscription, "subscriptions", "2022-12-01"},
	{"plugin (armauthorization v2.2.0)", familyAuthz, "roleAssignments", "2022-04-01"},
	{"@azure/arm-compute 25.1.1", familyGallery, "galleries", "2025-12-03"},
	{"@azure/arm-compute 25.1.1", familyImage, "images", "2026-04-01"},
	{"@azure/arm-compute 25.1.1", familyDisk, "disks", "2026-03-02"},
	{"@azure/arm-compute 23.3.0", familyGallery, "galleries", "2025-03-03"},
	{"@azure/arm-compute 23.3.0", familyImage, "images", "2025-04-01"},
	{"@azure/arm-compute 23.3.0", familyDisk, "disks", "2025-01-02"},
	{"@azure/arm-resources 8.0.0", familyResources, "resourceGroups", "2025-04-01"},
	{"azure-cli 2.45", familyGallery, "galleries", "2021-10-01"},
	{"azure-cli 2.45", familyGallery, "galleries/images/versions", "2022-03-03"},
	{"azure-cli 2.45", familyImage, "images", "2022-11-01"},
	{"azure-cli 2.45", familyDisk, "disks", "2022-07-02"},
	{"azure-cli 2.45", familySubscription, "subscriptions", "2019-11-01"},
	{"azure-cli 2.45", familyResources, "resourceGroups", "2021-04-01"},
	{"azure-cli 2.45", familyDisk, "snapshots", "2022-03-02"},
	{"azure-cli 2.45", familyAuthz, "roleAssignments", "2020-04-01-preview"},
	{"hashicorp/packer-plugin-azure 2.6", familyGallery, "galleries", "2023-07-03"},
	{"hashicorp/packer-plugin-azure 2.6", familyImage, "images", "2022-03-01"},
	{"hashicorp/packer-plugin-azure 2.6", familyDisk, "snapshots", "2022-03-02"},
}

// TestClientPinnedAPIVersionsServed: every api-version a named client pins is served.
func TestClientPinnedAPIVersionsServed(t *testing.T) {
	for _, p := range clientPins {
		r := httptest.NewRequest("GET", "/x?api-version="+p.version, nil)
		if _, e := checkAPIVersion(r, p.family, p.typ, "", nil); e != nil {
			t.Errorf("%s pins %s %s, which is refused: %s", p.client, p.typ, p.version, e.Message)
		}
	}
}
