package arm

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestShapeTableConsistent: every change and gate starts at a version its family serves, on a type
// of that family, so no row can silently never apply.
func TestShapeTableConsistent(t *testing.T) {
	types := map[string]string{}
	for _, k := range allKinds() {
		types[k.Type] = k.Family
	}
	for name, f := range apiFamilies {
		for _, c := range f.Shapes {
			if !slices.Contains(f.Versions, c.Since) {
				t.Errorf("%s: %s %s starts at %s, which the family does not serve", name, c.Type, c.Path, c.Since)
			}
			if types[c.Type] != name {
				t.Errorf("%s: %s is not a type of this family", name, c.Type)
			}
		}
		for g, since := range f.Gates {
			if !slices.Contains(f.Versions, since) {
				t.Errorf("%s: gate %s starts at %s, which the family does not serve", name, g, since)
			}
		}
	}
}

func TestShapeResponse(t *testing.T) {
	body := func() map[string]any {
		return map[string]any{"properties": map[string]any{
			"safetyProfile": map[string]any{"allowDeletionOfReplicatedLocations": false, "blockDeletionBeforeEndOfLife": true},
			"publishingProfile": map[string]any{"targetRegions": []any{
				map[string]any{"name": "East US", "excludeFromLatest": false, "additionalReplicaSets": []any{}},
			}},
			"storageProfile": map[string]any{"source": map[string]any{"virtualMachineId": "/vm"}},
		}}
	}
	for _, tc := range []struct {
		v          string
		want, gone []string
	}{
		{"2026-03-03", []string{"safetyProfile.blockDeletionBeforeEndOfLife", "storageProfile.source.virtualMachineId"}, []string{"storageProfile.source.id"}},
		{"2024-03-03", []string{"safetyProfile.blockDeletionBeforeEndOfLife"}, nil},
		{"2023-07-03", []string{"safetyProfile.allowDeletionOfReplicatedLocations", "storageProfile.source.virtualMachineId"},
			[]string{"safetyProfile.blockDeletionBeforeEndOfLife", "storageProfile.source.id"}},
		{"2022-08-03", []string{"storageProfile.source.id"}, []string{"storageProfile.source.virtualMachineId"}},
		{"2021-10-01", []string{"storageProfile.source.id"}, []string{"safetyProfile"}},
	} {
		b := body()
		shapeResponse(galleryShapes, typeVersion, tc.v, b)
		p := obj(b, "properties")
		for _, path := range tc.want {
			if getPath(p, path) == nil {
				t.Errorf("%s: %s missing", tc.v, path)
			}
		}
		for _, path := range tc.gone {
			if getPath(p, path) != nil {
				t.Errorf("%s: %s present", tc.v, path)
			}
		}
		tr := list(obj(p, "publishingProfile"), "targetRegions")[0].(map[string]any)
		_, hasExcl := tr["excludeFromLatest"]
		_, hasSets := tr["additionalReplicaSets"]
		if hasExcl != (tc.v >= "2022-03-03") || hasSets != (tc.v >= "2024-03-03") {
			t.Errorf("%s: targetRegions[0] = %v", tc.v, tr)
		}
	}
}

// TestShapeRequestKeepsStored: a PUT at an older version drops what it cannot know and keeps the
// stored value; a create at that version gets nothing from the dropped field.
func TestShapeRequestKeepsStored(t *testing.T) {
	req := func() map[string]any {
		return map[string]any{"properties": map[string]any{"safetyProfile": map[string]any{"blockDeletionBeforeEndOfLife": true}}}
	}
	b := req()
	shapeRequest(galleryShapes, typeVersion, "2023-07-03", b, nil)
	if getPath(b, "properties.safetyProfile.blockDeletionBeforeEndOfLife") != nil {
		t.Error("create at 2023-07-03 kept blockDeletionBeforeEndOfLife")
	}
	b = req()
	b["properties"].(map[string]any)["safetyProfile"].(map[string]any)["blockDeletionBeforeEndOfLife"] = false
	stored := map[string]any{"properties": map[string]any{"safetyProfile": map[string]any{"blockDeletionBeforeEndOfLife": true}}}
	shapeRequest(galleryShapes, typeVersion, "2023-07-03", b, stored)
	if v := getPath(b, "properties.safetyProfile.blockDeletionBeforeEndOfLife"); v != true {
		t.Errorf("update at 2023-07-03: blockDeletionBeforeEndOfLife = %v, want the stored true", v)
	}
	b = req()
	shapeRequest(galleryShapes, typeVersion, "2024-03-03", b, stored)
	if v := getPath(b, "properties.safetyProfile.blockDeletionBeforeEndOfLife"); v != true {
		t.Errorf("2024-03-03 knows the field; got %v", v)
	}
}

// TestAPIVersionErrorListsServedVersions: the error lists every version of the table, including the
// ones other clients use.
func TestAPIVersionErrorListsServedVersions(t *testing.T) {
	r := httptest.NewRequest("GET", "/x?api-version=2019-01-01", nil)
	_, e := checkAPIVersion(r, familyGallery, "galleries", "eastus", []string{"eastus"})
	if e == nil || e.Code != "NoRegisteredProviderFound" {
		t.Fatalf("got %v", e)
	}
	for _, v := range []string{"2021-10-01", "2022-03-03", "2023-07-03", "2026-03-03"} {
		if !strings.Contains(e.Message, v) {
			t.Errorf("message %q lacks %s", e.Message, v)
		}
	}
}
