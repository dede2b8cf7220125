package gallery

import (
	"errors"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

const (
	principalA = "aaaaaaaa-0000-0000-0000-000000000001"
	principalB = "bbbbbbbb-0000-0000-0000-000000000002"
)

// assignmentsAt lists the role assignments made exactly at scope, as "principal/roleGUID".
func (e *env) assignmentsAt(scope string) []string {
	e.t.Helper()
	af, err := e.sess.Authorization("")
	if err != nil {
		e.t.Fatal(err)
	}
	pager := af.NewRoleAssignmentsClient().NewListForScopePager(scope, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: to.Ptr("atScope()")})
	var out []string
	for pager.More() {
		page, err := pager.NextPage(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, ra := range page.Value {
			if strings.EqualFold(*ra.Properties.Scope, scope) {
				rid := *ra.Properties.RoleDefinitionID
				out = append(out, *ra.Properties.PrincipalID+"/"+rid[strings.LastIndex(rid, "/")+1:])
			}
		}
	}
	return out
}

func TestShareAtEveryScopeIsIdempotent(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 1, armcompute.HyperVGenerationTypesV2)
	req := e.request(src, "1.0.0")
	req.DirectSharing = true
	res, err := e.publisher(&recorder{}).Publish(e.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	share := ShareRequest{
		Grants: []RoleGrant{
			{Scope: ShareScopeGallery, PrincipalIDs: []string{principalA}},
			{Scope: ShareScopeImage, PrincipalIDs: []string{principalA, principalB}, Role: "Contributor"},
			{Scope: ShareScopeVersion, PrincipalIDs: []string{principalB}, Role: "acdd72a7-3385-48ef-bd42-f606fba81ae7"},
		},
		Subscriptions: []string{"33333333-3333-3333-3333-333333333333"},
		Tenants:       []string{"44444444-4444-4444-4444-444444444444"},
	}
	first, err := e.publisher(&recorder{}).Share(e.ctx, res, share)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Created) != 4 || len(first.Reused) != 0 || len(first.AddedSubscriptions) != 1 || len(first.AddedTenants) != 1 {
		t.Fatalf("first share: %+v", first)
	}
	rec := &recorder{}
	second, err := e.publisher(rec).Share(e.ctx, res, share)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Created) != 0 || len(second.Reused) != 4 || len(second.AddedSubscriptions)+len(second.AddedTenants) != 0 {
		t.Fatalf("second share did not reuse everything: %+v\n%s", second, rec.text())
	}
	g, _ := scopeID(ShareScopeGallery, res)
	const reader, contributor = "acdd72a7-3385-48ef-bd42-f606fba81ae7", "b24988ac-6180-42a0-ab88-20f7382dd24c"
	for scope, want := range map[string]string{
		g:                        principalA + "/" + reader,
		g + "/images/" + testDef: principalA + "/" + contributor + "," + principalB + "/" + contributor,
		g + "/images/" + testDef + "/versions/1.0.0": principalB + "/" + reader,
	} {
		got := e.assignmentsAt(scope)
		if strings.Join(sortedCopy(got), ",") != want {
			t.Errorf("assignments at %s = %v, want %s", scope, got, want)
		}
	}
	gal, err := e.compute.NewGalleriesClient().Get(e.ctx, testRG, testGallery, nil)
	if err != nil {
		t.Fatal(err)
	}
	sp := gal.Properties.SharingProfile
	if sp == nil || *sp.Permissions != armcompute.GallerySharingPermissionTypesGroups || len(sp.Groups) != 2 {
		t.Fatalf("sharing profile: %+v", sp)
	}
	for _, gr := range sp.Groups {
		if len(gr.IDs) != 1 {
			t.Errorf("group %s has %d IDs after two shares, want 1", *gr.Type, len(gr.IDs))
		}
	}
}

func TestShareRefusesAPrivateGalleryBeforePublishing(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 1, armcompute.HyperVGenerationTypesV2)
	// A gallery created without sharing is Private.
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, e.request(src, "1.0.0")); err != nil {
		t.Fatal(err)
	}
	share := ShareRequest{Subscriptions: []string{"33333333-3333-3333-3333-333333333333"}}
	err := e.publisher(&recorder{}).CheckShare(e.ctx, e.request(src, "1.0.1"), share)
	if !errors.Is(err, errGalleryPrivate) || !strings.Contains(err.Error(), "--permissions groups") {
		t.Fatalf("CheckShare on a Private gallery: %v", err)
	}
	// A gallery that does not exist yet passes: the publish creates it with Groups.
	req := e.request(src, "1.0.0")
	req.GalleryName = "newgal"
	if err := e.publisher(&recorder{}).CheckShare(e.ctx, req, share); err != nil {
		t.Fatalf("CheckShare on a missing gallery: %v", err)
	}
}

func TestShareNamesPrincipalAndScopeOnFailure(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 1, armcompute.HyperVGenerationTypesV2)
	res, err := e.publisher(&recorder{}).Publish(e.ctx, e.request(src, "1.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	// A version that does not exist is a scope Azure cannot find.
	missing := *res
	missing.Version = "9.9.9"
	_, err = e.publisher(&recorder{}).Share(e.ctx, &missing, ShareRequest{Grants: []RoleGrant{{Scope: ShareScopeVersion, PrincipalIDs: []string{principalA}}}})
	if err == nil || !strings.Contains(err.Error(), principalA) || !strings.Contains(err.Error(), "versions/9.9.9") {
		t.Fatalf("error does not name the principal and the scope: %v", err)
	}
}

func sortedCopy(s []string) []string {
	c := append([]string{}, s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}
