package reliability

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// Two tenants, one subscription each, and a multi-tenant app whose home is the first and which is
// consented in the second.
const (
	homeTenant    = "11111111-1111-1111-1111-111111111111"
	galleryTenant = "22222222-2222-2222-2222-222222222222"
	homeSub       = "33333333-3333-3333-3333-333333333333"
	gallerySub    = "44444444-4444-4444-4444-444444444444"
	crossClient   = "55555555-5555-5555-5555-555555555555"
)

// TestR10CrossTenant: the gallery's subscription is in another tenant than the credential's. Without
// auxiliary_tenant_ids the publish fails naming the tenant problem and the option, and creates nothing;
// with ARM_AUXILIARY_TENANT_IDS (auxiliary_tenant_ids) the plugin sends x-ms-authorization-auxiliary,
// which the emulator enforces, and the publish succeeds.
func TestR10CrossTenant(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	row := scenario(t, "R10 cross-tenant gallery", "gallery subscription in a second tenant; run without, then with auxiliary_tenant_ids")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cfg := emulatorConfig("1s", 1, map[string]any{
		"tenants": []string{homeTenant, galleryTenant},
		"subscriptions": []map[string]any{
			{"id": homeSub, "tenant_id": homeTenant, "display_name": "build"},
			{"id": gallerySub, "tenant_id": galleryTenant, "display_name": "images"},
		},
		"clients": []map[string]any{
			{"client_id": crossClient, "client_secret": "cross-tenant-app-secret", "tenant_id": homeTenant, "tenants": []string{galleryTenant}},
		},
	})
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: cfg})
	if emu.SubscriptionID != homeSub || emu.TenantID != homeTenant {
		t.Fatalf("ready line: subscription %s tenant %s", emu.SubscriptionID, emu.TenantID)
	}
	src := emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: sourceRG, Location: location, Name: "ubuntu-base"})
	galleryResourceGroup(ctx, t, emu)

	env := tools.PackerEnv(t, emu.Env()...)
	env = append(env, "PKR_VAR_source_image_id="+src, "PKR_VAR_subscription_id="+gallerySub)
	dir := tools.Root + "/example/publish-from-image"
	before := inventoryOf(ctx, t, emu)
	row.Before = len(before.Versions())

	without := tools.RunPacker(ctx, t, dir, env, "build", "-color=false", ".")
	if without.ExitCode == 0 {
		t.Fatalf("a cross-tenant publish succeeded without auxiliary_tenant_ids:\n%s", without.Output)
	}
	for _, want := range []string{"tenant", "auxiliary_tenant_ids"} {
		if !strings.Contains(without.Output, want) {
			t.Errorf("the error without auxiliary tenants does not mention %q:\n%s", want, without.Output)
		}
	}
	if mid := inventoryOf(ctx, t, emu); len(mid) != len(before) {
		t.Errorf("the refused run changed the inventory: %d → %d resources", len(before), len(mid))
	}

	with := tools.RunPacker(ctx, t, dir, append(env, "ARM_AUXILIARY_TENANT_IDS="+galleryTenant), "build", "-color=false", ".")
	if with.ExitCode != 0 {
		t.Fatalf("the cross-tenant publish failed with auxiliary_tenant_ids (%d):\n%s", with.ExitCode, with.Output)
	}
	after := inventoryOf(ctx, t, emu)
	row.After = len(after.Versions())
	v := assertPublished(t, after, "1.0.0", threeRegions)
	if !strings.Contains(strings.ToLower(v.ID()), "/subscriptions/"+gallerySub+"/") {
		t.Errorf("the version %s is not in the gallery tenant's subscription", v.ID())
	}
	row.Result = "refused without the tenant (InvalidAuthenticationTokenTenant, hint names auxiliary_tenant_ids); published with it"
}

// galleryResourceGroup creates images-rg in the gallery tenant's subscription with a token of that
// tenant (the app is consented there).
func galleryResourceGroup(ctx context.Context, t *testing.T, emu *acctest.Emulator) {
	t.Helper()
	_, opts, err := emu.ARM()
	if err != nil {
		t.Fatal(err)
	}
	cred, err := azidentity.NewClientSecretCredential(galleryTenant, emu.ClientID, emu.ClientSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: opts.ClientOptions, DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	rf, err := armresources.NewClientFactory(gallerySub, cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rf.NewResourceGroupsClient().CreateOrUpdate(ctx, galleryRG, armresources.ResourceGroup{Location: to.Ptr(location)}, nil); err != nil {
		t.Fatal(err)
	}
}
