package gallery

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// ShareScope is the level at which a role is granted. The seed's access matrix: the gallery gives every
// definition and version in it, a definition gives its versions, a version only itself.
type ShareScope string

// The share scopes.
const (
	ShareScopeGallery ShareScope = "gallery"
	ShareScopeImage   ShareScope = "image"
	ShareScopeVersion ShareScope = "version"
)

// ShareScopes lists the scopes in the order of the matrix, widest first.
func ShareScopes() []ShareScope {
	return []ShareScope{ShareScopeGallery, ShareScopeImage, ShareScopeVersion}
}

// DefaultRole is the role a grant gives when it names none: read access, enough to create VMs from the
// image in the principal's own subscription.
const DefaultRole = "Reader"

// RoleGrant grants one Azure RBAC role to principals (users, groups, service principals) at one scope.
type RoleGrant struct {
	Scope        ShareScope
	PrincipalIDs []string
	// Role is a built-in role name (see BuiltinRoles), a role definition GUID, or a full role
	// definition ID; "" means DefaultRole.
	Role string
}

// ShareRequest is what to share once a version has replicated.
type ShareRequest struct {
	Grants []RoleGrant
	// Subscriptions and Tenants are added to the gallery's direct sharing profile.
	Subscriptions []string
	Tenants       []string
}

// Empty reports whether the request asks for nothing.
func (s ShareRequest) Empty() bool {
	return len(s.Grants) == 0 && len(s.Subscriptions) == 0 && len(s.Tenants) == 0
}

// Direct reports whether the request shares the gallery with subscriptions or tenants, which needs a
// gallery whose sharing permissions are Groups.
func (s ShareRequest) Direct() bool { return len(s.Subscriptions) > 0 || len(s.Tenants) > 0 }

// builtinRoles maps the lower-cased names of the Azure built-in roles that make sense for an image
// to their role definition GUIDs, which are the same in every tenant.
func builtinRoles() map[string]string {
	return map[string]string{
		"reader":                      "acdd72a7-3385-48ef-bd42-f606fba81ae7",
		"contributor":                 "b24988ac-6180-42a0-ab88-20f7382dd24c",
		"owner":                       "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
		"virtual machine contributor": "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
		"user access administrator":   "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
	}
}

// BuiltinRoles lists the role names ResolveRole accepts, sorted, for error messages and docs.
func BuiltinRoles() []string {
	names := []string{"Contributor", "Owner", "Reader", "User Access Administrator", "Virtual Machine Contributor"}
	sort.Strings(names)
	return names
}

// roleDefinitionPrefix is the path segment before a role definition's GUID.
const roleDefinitionPrefix = "/providers/Microsoft.Authorization/roleDefinitions/"

// ResolveRole turns a role name, GUID or role definition ID into a full role definition ID in
// subscriptionID, and returns its GUID. Names are matched case-insensitively.
func ResolveRole(role, subscriptionID string) (id, guid string, err error) {
	r := strings.TrimSpace(role)
	if r == "" {
		r = DefaultRole
	}
	if g, ok := builtinRoles()[strings.ToLower(r)]; ok {
		return "/subscriptions/" + subscriptionID + roleDefinitionPrefix + g, g, nil
	}
	if _, err := uuid.Parse(r); err == nil {
		return "/subscriptions/" + subscriptionID + roleDefinitionPrefix + strings.ToLower(r), strings.ToLower(r), nil
	}
	if i := strings.Index(strings.ToLower(r), strings.ToLower(roleDefinitionPrefix)); i >= 0 {
		g := r[i+len(roleDefinitionPrefix):]
		if _, err := uuid.Parse(g); err == nil && !strings.Contains(g, "/") {
			return r, strings.ToLower(g), nil
		}
	}
	return "", "", fmt.Errorf("role %q is not a built-in role name (%s), a role definition GUID, or a role definition ID such as /subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}",
		role, strings.Join(BuiltinRoles(), ", "))
}

// shareNamespace is the UUID v5 namespace of role assignment names; fixed, so names are stable.
func shareNamespace() uuid.UUID { return uuid.MustParse("5b0a8f0e-1c3e-5d2a-9f41-6a7c2d9e0b13") }

// RoleAssignmentName is the deterministic name of the assignment of roleGUID to principalID at scope:
// a UUID v5, so a re-run PUTs the same name instead of adding a duplicate.
func RoleAssignmentName(scope, principalID, roleGUID string) string {
	key := strings.ToLower(strings.TrimSuffix(scope, "/")) + "|" + strings.ToLower(principalID) + "|" + strings.ToLower(roleGUID)
	return uuid.NewSHA1(shareNamespace(), []byte(key)).String()
}

// RoleAssignment is an existing role assignment, flattened.
type RoleAssignment struct {
	ID, Name, Scope, PrincipalID, RoleGUID string
}

// findAssignment returns the existing assignment of roleGUID to principalID made exactly at scope, or
// nil. Assignments inherited from a wider scope do not count: the user asked for this scope, and an
// inherited one can be removed by someone else.
func findAssignment(existing []RoleAssignment, scope, principalID, roleGUID string) *RoleAssignment {
	want := strings.ToLower(strings.TrimSuffix(scope, "/"))
	for i, a := range existing {
		if strings.ToLower(strings.TrimSuffix(a.Scope, "/")) == want &&
			strings.EqualFold(a.PrincipalID, principalID) && strings.EqualFold(a.RoleGUID, roleGUID) {
			return &existing[i]
		}
	}
	return nil
}

// missingIDs returns the requested IDs that are not in present, case-insensitively, without duplicates.
func missingIDs(requested, present []string) []string {
	have := map[string]bool{}
	for _, p := range present {
		have[strings.ToLower(p)] = true
	}
	var out []string
	for _, r := range requested {
		if k := strings.ToLower(r); !have[k] {
			have[k] = true
			out = append(out, r)
		}
	}
	return out
}

// scopeID is the resource ID of a share scope for a published version.
func scopeID(scope ShareScope, res *Result) (string, error) {
	gallery := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/galleries/%s", res.SubscriptionID, res.ResourceGroup, res.GalleryName)
	switch scope {
	case ShareScopeGallery:
		return gallery, nil
	case ShareScopeImage:
		return gallery + "/images/" + res.DefinitionName, nil
	case ShareScopeVersion:
		return gallery + "/images/" + res.DefinitionName + "/versions/" + res.Version, nil
	}
	return "", fmt.Errorf("share scope %q is not gallery, image or version", scope)
}
