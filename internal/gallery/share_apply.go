package gallery

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// ShareResult says what Share did.
type ShareResult struct {
	// Created and Reused are the role assignments by outcome.
	Created, Reused []RoleAssignment
	// AddedSubscriptions and AddedTenants were added to the gallery's sharing profile by this run.
	AddedSubscriptions, AddedTenants []string
}

// errGalleryPrivate is the cause when direct sharing meets a gallery whose permissions are not Groups.
var errGalleryPrivate = errors.New("gallery sharing permissions are not Groups")

// CheckShare runs before a publish, so a share that cannot succeed fails before a long replication: an
// existing gallery must allow direct sharing when subscriptions or tenants are asked for. A missing
// gallery is fine: the publish creates it with Groups permissions (Request.DirectSharing).
func (p *Publisher) CheckShare(ctx context.Context, req Request, s ShareRequest) error {
	if !s.Direct() {
		return nil
	}
	cf, err := p.sess.Compute(req.SubscriptionID)
	if err != nil {
		return err
	}
	_, err = p.galleryGroups(ctx, cf, req.ResourceGroup, req.GalleryName)
	if azure.IsNotFound(err) {
		return nil
	}
	return err
}

// Share grants the roles and adds the subscriptions and tenants for a published version. Call it only
// after Publish returned, that is once the version has fully replicated. Every step is idempotent:
// existing assignments and sharing entries are reused, never duplicated.
func (p *Publisher) Share(ctx context.Context, res *Result, s ShareRequest) (*ShareResult, error) {
	out := &ShareResult{}
	if s.Empty() {
		return out, nil
	}
	if len(s.Grants) > 0 {
		af, err := p.sess.Authorization(res.SubscriptionID)
		if err != nil {
			return out, err
		}
		client := af.NewRoleAssignmentsClient()
		for _, g := range s.Grants {
			if err := p.grant(ctx, client, res, g, out); err != nil {
				return out, err
			}
		}
	}
	if s.Direct() {
		if err := p.shareDirect(ctx, res, s, out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// grant assigns one role to each principal at one scope, reusing an existing assignment.
func (p *Publisher) grant(ctx context.Context, client *armauthorization.RoleAssignmentsClient, res *Result, g RoleGrant, out *ShareResult) error {
	scope, err := scopeID(g.Scope, res)
	if err != nil {
		return err
	}
	roleID, roleGUID, err := ResolveRole(g.Role, res.SubscriptionID)
	if err != nil {
		return err
	}
	role := orDefault(g.Role, DefaultRole)
	for _, principal := range g.PrincipalIDs {
		fail := func(err error) error {
			return fmt.Errorf("granting %s to principal %s at %s scope %s: %w", role, principal, g.Scope, scope, azure.Explain(err))
		}
		existing, err := listAssignments(ctx, client, scope, principal)
		if err != nil {
			return fail(err)
		}
		if a := findAssignment(existing, scope, principal, roleGUID); a != nil {
			out.Reused = append(out.Reused, *a)
			p.ui.Message(fmt.Sprintf("%s already has %s on the %s (%s).", principal, role, g.Scope, a.Name))
			continue
		}
		name := RoleAssignmentName(scope, principal, roleGUID)
		resp, err := client.Create(ctx, scope, name, armauthorization.RoleAssignmentCreateParameters{
			Properties: &armauthorization.RoleAssignmentProperties{PrincipalID: to.Ptr(principal), RoleDefinitionID: to.Ptr(roleID)},
		}, nil)
		a := RoleAssignment{Name: name, Scope: scope, PrincipalID: principal, RoleGUID: roleGUID}
		switch {
		case azure.HasCode(err, "RoleAssignmentExists"):
			// Made between our list and our PUT (another build, or Azure's list lagging): the goal holds.
			out.Reused = append(out.Reused, a)
			p.ui.Message(fmt.Sprintf("%s already has %s on the %s.", principal, role, g.Scope))
			continue
		case err != nil:
			return fail(err)
		}
		a.ID = deref(resp.ID)
		out.Created = append(out.Created, a)
		p.ui.Say(fmt.Sprintf("Granted %s to %s on the %s.", role, principal, g.Scope))
	}
	return nil
}

// listAssignments lists the principal's assignments at, above and below scope.
func listAssignments(ctx context.Context, client *armauthorization.RoleAssignmentsClient, scope, principal string) ([]RoleAssignment, error) {
	// The SDK puts $filter into the query unencoded, and a raw space breaks the request line.
	filter := url.PathEscape(fmt.Sprintf("principalId eq '%s'", principal))
	pager := client.NewListForScopePager(scope, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: to.Ptr(filter)})
	var out []RoleAssignment
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, ra := range page.Value {
			if ra == nil || ra.Properties == nil {
				continue
			}
			rid := deref(ra.Properties.RoleDefinitionID)
			out = append(out, RoleAssignment{
				ID: deref(ra.ID), Name: deref(ra.Name), Scope: deref(ra.Properties.Scope),
				PrincipalID: deref(ra.Properties.PrincipalID), RoleGUID: rid[strings.LastIndex(rid, "/")+1:],
			})
		}
	}
	return out, nil
}

// galleryGroups reads the gallery's direct sharing groups; it fails with errGalleryPrivate when the
// gallery's permissions are not Groups, since Azure refuses to share such a gallery.
func (p *Publisher) galleryGroups(ctx context.Context, cf *armcompute.ClientFactory, rg, gallery string) (map[armcompute.SharingProfileGroupTypes][]string, error) {
	g, err := cf.NewGalleriesClient().Get(ctx, rg, gallery, nil)
	if err != nil {
		return nil, err
	}
	perm := "Private"
	groups := map[armcompute.SharingProfileGroupTypes][]string{}
	if pr := g.Properties; pr != nil && pr.SharingProfile != nil {
		perm = orDefault(enumString(pr.SharingProfile.Permissions), perm)
		for _, gr := range pr.SharingProfile.Groups {
			if gr == nil || gr.Type == nil {
				continue
			}
			for _, id := range gr.IDs {
				groups[*gr.Type] = append(groups[*gr.Type], deref(id))
			}
		}
	}
	if !strings.EqualFold(perm, string(armcompute.GallerySharingPermissionTypesGroups)) {
		return nil, fmt.Errorf("gallery %s has sharing permissions %s, and only a gallery with permissions Groups can be shared with subscriptions or tenants; run `az sig update --resource-group %s --gallery-name %s --permissions groups`, or publish to a new gallery (this plugin creates it with Groups when share_with_subscriptions or share_with_tenants is set): %w",
			gallery, perm, rg, gallery, errGalleryPrivate)
	}
	return groups, nil
}

// shareDirect adds the missing subscriptions and tenants to the gallery's sharing profile.
func (p *Publisher) shareDirect(ctx context.Context, res *Result, s ShareRequest, out *ShareResult) error {
	cf, err := p.sess.Compute(res.SubscriptionID)
	if err != nil {
		return err
	}
	present, err := p.galleryGroups(ctx, cf, res.ResourceGroup, res.GalleryName)
	if err != nil {
		if errors.Is(err, errGalleryPrivate) {
			return err
		}
		return fmt.Errorf("reading gallery %s's sharing profile: %w", res.GalleryName, azure.Explain(err))
	}
	subs := missingIDs(s.Subscriptions, present[armcompute.SharingProfileGroupTypesSubscriptions])
	tenants := missingIDs(s.Tenants, present[armcompute.SharingProfileGroupTypesAADTenants])
	if len(subs) == 0 && len(tenants) == 0 {
		p.ui.Message(fmt.Sprintf("Gallery %s is already shared with every listed subscription and tenant.", res.GalleryName))
		return nil
	}
	update := armcompute.SharingUpdate{OperationType: to.Ptr(armcompute.SharingUpdateOperationTypesAdd)}
	if len(subs) > 0 {
		update.Groups = append(update.Groups, &armcompute.SharingProfileGroup{Type: to.Ptr(armcompute.SharingProfileGroupTypesSubscriptions), IDs: to.SliceOfPtrs(subs...)})
	}
	if len(tenants) > 0 {
		update.Groups = append(update.Groups, &armcompute.SharingProfileGroup{Type: to.Ptr(armcompute.SharingProfileGroupTypesAADTenants), IDs: to.SliceOfPtrs(tenants...)})
	}
	p.ui.Say(fmt.Sprintf("Sharing gallery %s with %s...", res.GalleryName, strings.Join(append(append([]string{}, subs...), tenants...), ", ")))
	poller, err := cf.NewGallerySharingProfileClient().BeginUpdate(ctx, res.ResourceGroup, res.GalleryName, update, nil)
	if err == nil {
		_, err = azure.Await(ctx, poller, azure.PollQuick)
	}
	if err != nil {
		return fmt.Errorf("sharing gallery %s with subscriptions %v and tenants %v: %w", res.GalleryName, subs, tenants, azure.Explain(err))
	}
	out.AddedSubscriptions, out.AddedTenants = subs, tenants
	return nil
}
