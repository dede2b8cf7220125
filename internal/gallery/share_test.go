package gallery

import (
	"strings"
	"testing"
)

func TestResolveRole(t *testing.T) {
	const sub = "11111111-1111-1111-1111-111111111111"
	const readerGUID = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	full := "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/"
	for _, tc := range []struct {
		role, wantID, wantGUID, wantErr string
	}{
		{role: "", wantID: full + readerGUID, wantGUID: readerGUID},
		{role: "Reader", wantID: full + readerGUID, wantGUID: readerGUID},
		{role: "reader", wantID: full + readerGUID, wantGUID: readerGUID},
		{role: "Virtual Machine Contributor", wantID: full + "9980e02c-c2be-4d73-94e8-173b1dc7cf3c", wantGUID: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c"},
		{role: "B24988AC-6180-42A0-AB88-20F7382DD24C", wantID: full + "b24988ac-6180-42a0-ab88-20f7382dd24c", wantGUID: "b24988ac-6180-42a0-ab88-20f7382dd24c"},
		{role: "/providers/Microsoft.Authorization/roleDefinitions/" + readerGUID, wantID: "/providers/Microsoft.Authorization/roleDefinitions/" + readerGUID, wantGUID: readerGUID},
		{role: "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/" + readerGUID, wantID: "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/" + readerGUID, wantGUID: readerGUID},
		{role: "Gallery Reader", wantErr: "not a built-in role name (Contributor, Owner, Reader"},
		{role: "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/nope", wantErr: "role definition ID"},
	} {
		id, guid, err := ResolveRole(tc.role, sub)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ResolveRole(%q) err = %v, want %q", tc.role, err, tc.wantErr)
			}
			continue
		}
		if err != nil || id != tc.wantID || guid != tc.wantGUID {
			t.Errorf("ResolveRole(%q) = %q, %q, %v; want %q, %q", tc.role, id, guid, err, tc.wantID, tc.wantGUID)
		}
	}
}

func TestRoleAssignmentNameIsStable(t *testing.T) {
	const scope = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g"
	a := RoleAssignmentName(scope, "P1", "R")
	if a != RoleAssignmentName(strings.ToUpper(scope)+"/", "p1", "r") {
		t.Error("the name depends on casing or a trailing slash")
	}
	for _, other := range []string{RoleAssignmentName(scope+"/images/i", "P1", "R"), RoleAssignmentName(scope, "P2", "R"), RoleAssignmentName(scope, "P1", "R2")} {
		if other == a {
			t.Errorf("different scope, principal or role give the same name %s", a)
		}
	}
	if len(a) != 36 || a[14] != '5' {
		t.Errorf("%s is not a UUID v5", a)
	}
}

func TestFindAssignment(t *testing.T) {
	const g = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g"
	existing := []RoleAssignment{
		{Name: "at-gallery", Scope: g, PrincipalID: "p1", RoleGUID: "reader"},
		{Name: "other-role", Scope: g + "/images/i", PrincipalID: "p1", RoleGUID: "owner"},
		{Name: "other-principal", Scope: g + "/images/i", PrincipalID: "p2", RoleGUID: "reader"},
		{Name: "at-image", Scope: strings.ToUpper(g) + "/images/I", PrincipalID: "P3", RoleGUID: "READER"},
	}
	for _, tc := range []struct {
		name, scope, principal, role, want string
	}{
		{"exact match is reused", g, "p1", "reader", "at-gallery"},
		{"inherited from the gallery does not count for the image", g + "/images/i", "p1", "reader", ""},
		{"another role does not count", g + "/images/i", "p1", "contributor", ""},
		{"another principal does not count", g + "/images/i", "p1", "reader", ""},
		{"case-insensitive", g + "/images/i", "p3", "reader", "at-image"},
		{"nothing listed", g + "/images/i/versions/1.0.0", "p9", "reader", ""},
	} {
		got := findAssignment(existing, tc.scope, tc.principal, tc.role)
		name := ""
		if got != nil {
			name = got.Name
		}
		if name != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, name, tc.want)
		}
	}
}

func TestMissingIDs(t *testing.T) {
	for _, tc := range []struct {
		requested, present []string
		want               string
	}{
		{[]string{"a", "b"}, nil, "a,b"},
		{[]string{"a", "B"}, []string{"b"}, "a"},
		{[]string{"a", "a", "A"}, nil, "a"},
		{[]string{"a"}, []string{"A"}, ""},
		{nil, []string{"a"}, ""},
	} {
		if got := strings.Join(missingIDs(tc.requested, tc.present), ","); got != tc.want {
			t.Errorf("missingIDs(%v, %v) = %q, want %q", tc.requested, tc.present, got, tc.want)
		}
	}
}

func TestScopeID(t *testing.T) {
	res := &Result{SubscriptionID: "s", ResourceGroup: "rg", GalleryName: "g", DefinitionName: "d", Version: "1.0.0"}
	g := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g"
	want := map[ShareScope]string{ShareScopeGallery: g, ShareScopeImage: g + "/images/d", ShareScopeVersion: g + "/images/d/versions/1.0.0"}
	for _, s := range ShareScopes() {
		if got, err := scopeID(s, res); err != nil || got != want[s] {
			t.Errorf("scopeID(%s) = %q, %v", s, got, err)
		}
	}
	if _, err := scopeID("subscription", res); err == nil {
		t.Error("an unknown scope is accepted")
	}
}
