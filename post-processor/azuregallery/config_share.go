//go:generate go tool packer-sdc mapstructure-to-hcl2 -type ShareBlock
//go:generate go tool packer-sdc struct-markdown

package azuregallery

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// ShareConfig shares the published image, once it has fully replicated: Azure RBAC roles for principals
// of your own tenant, and direct sharing with other subscriptions and tenants. Every step is idempotent,
// so re-running a build never duplicates a role assignment or a sharing entry.
type ShareConfig struct {
	// Grants an Azure RBAC role to users, groups or service principals. Repeat the block for several
	// scopes or roles. The scope follows Azure's access matrix: `gallery` gives every definition and
	// version in the gallery, `image` the definition and its versions, `version` only the version
	// published by this build.
	Share []ShareBlock `mapstructure:"share" required:"false"`
	// Subscription IDs to share the gallery with directly (Azure's direct shared gallery). A gallery this
	// plugin creates gets sharing permissions `Groups`; an existing gallery must already have them
	// (`az sig update --permissions groups`). Subscriptions already shared are skipped.
	ShareWithSubscriptions []string `mapstructure:"share_with_subscriptions" required:"false"`
	// Microsoft Entra tenant IDs to share the gallery with directly, like `share_with_subscriptions`.
	ShareWithTenants []string `mapstructure:"share_with_tenants" required:"false"`
}

// ShareBlock is one `share` block: a role for some principals at one scope.
type ShareBlock struct {
	// Where the role applies: `gallery`, `image` (the definition) or `version`.
	Scope string `mapstructure:"scope" required:"true"`
	// The object IDs (GUIDs) of the users, groups or service principals that get the role.
	PrincipalIDs []string `mapstructure:"principal_ids" required:"true"`
	// The role: `Reader` (the default), another built-in role name (`Contributor`, `Owner`,
	// `Virtual Machine Contributor`, `User Access Administrator`), a role definition GUID, or a full
	// role definition ID such as `/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}`.
	Role string `mapstructure:"role" required:"false"`
}

// prepareShare validates the sharing settings; every error names the field and the fix.
func (c *ShareConfig) prepareShare(errs **packersdk.MultiError) {
	add := func(format string, args ...interface{}) {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf(format, args...))
	}
	scopes := gallery.ShareScopes()
	for i := range c.Share {
		b := &c.Share[i]
		field := fmt.Sprintf("share[%d]", i)
		b.Scope = strings.ToLower(strings.TrimSpace(b.Scope))
		known := false
		for _, s := range scopes {
			known = known || string(s) == b.Scope
		}
		if !known {
			add("%s.scope %q is not a share scope: use gallery, image or version", field, b.Scope)
		}
		if len(b.PrincipalIDs) == 0 {
			add("%s.principal_ids is empty: list the object IDs of the users, groups or service principals to share with", field)
		}
		checkGUIDs(errs, field+".principal_ids", b.PrincipalIDs, "an object ID of a user, group or service principal")
		if _, _, err := gallery.ResolveRole(b.Role, "00000000-0000-0000-0000-000000000000"); err != nil {
			add("%s.role: %v", field, err)
		}
	}
	checkGUIDs(errs, "share_with_subscriptions", c.ShareWithSubscriptions, "a subscription ID")
	checkGUIDs(errs, "share_with_tenants", c.ShareWithTenants, "a tenant ID")
}

// checkGUIDs requires each value to be a GUID, listed once.
func checkGUIDs(errs **packersdk.MultiError, field string, values []string, what string) {
	seen := map[string]bool{}
	for i, v := range values {
		if _, err := uuid.Parse(strings.TrimSpace(v)); err != nil {
			*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf("%s[%d] %q is not a GUID: give %s", field, i, v, what))
			continue
		}
		k := strings.ToLower(strings.TrimSpace(v))
		if seen[k] {
			*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf("%s lists %q twice: list each once", field, v))
		}
		seen[k] = true
	}
}

// shareRequest maps the validated settings onto the core's ShareRequest.
func (c *ShareConfig) shareRequest() gallery.ShareRequest {
	var s gallery.ShareRequest
	trim := func(in []string) []string {
		var out []string
		for _, v := range in {
			out = append(out, strings.TrimSpace(v))
		}
		return out
	}
	for _, b := range c.Share {
		s.Grants = append(s.Grants, gallery.RoleGrant{Scope: gallery.ShareScope(b.Scope), PrincipalIDs: trim(b.PrincipalIDs), Role: b.Role})
	}
	s.Subscriptions = trim(c.ShareWithSubscriptions)
	s.Tenants = trim(c.ShareWithTenants)
	return s
}
