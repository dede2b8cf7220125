package acctest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

const (
	devSubscription  = "11111111-1111-1111-1111-111111111111"
	prodSubscription = "22222222-2222-2222-2222-222222222222"
	readerRoleGUID   = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	sharePrincipal1  = "aaaaaaaa-1111-4111-8111-000000000001"
	sharePrincipal2  = "aaaaaaaa-1111-4111-8111-000000000002"
	shareSubscriber  = "33333333-3333-4333-8333-333333333333"
)

// templateHead declares the plugin and a null source; credentials come from the ARM_* environment.
const templateHead = `
packer {
  required_plugins {
    azure-gallery = {
      source  = "github.com/azure-gallery/azure-gallery"
      version = ">= 0.1.0"
    }
  }
}
variable "source_image_id" {
  type = string
}
source "null" "publish" {
  communicator = "none"
}
`

// writeTemplate writes an HCL template into a fresh directory and returns the directory.
func writeTemplate(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "build.pkr.hcl"), []byte(templateHead+body), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// resourceGroupIn creates a resource group in a subscription other than the emulator's default.
func resourceGroupIn(ctx context.Context, t *testing.T, emu *acctest.Emulator, sub, name string) {
	t.Helper()
	cred, opts, err := emu.ARM()
	if err != nil {
		t.Fatal(err)
	}
	rf, err := armresources.NewClientFactory(sub, cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rf.NewResourceGroupsClient().CreateOrUpdate(ctx, name, armresources.ResourceGroup{Location: to.Ptr(sourceLocation)}, nil); err != nil {
		t.Fatal(err)
	}
}

// promoteDefinition is the resource group and definition both promote templates use.
const promoteDefinition = `
    resource_group = "images-rg"
    create_gallery = true
    image_name     = "ubuntu-server"
    publisher      = "acme"
    offer          = "ubuntu"
    sku            = "24_04"
`

// promoteTemplate publishes to the dev gallery, then promotes that version to prod in prodSubscription.
const promoteTemplate = `
variable "version_id" {
  type    = string
  default = ""
}
build {
  sources = ["source.null.publish"]
  post-processors {
    post-processor "azure-gallery" {
      source_image_id = var.source_image_id
      gallery_name    = "dev"
      image_version   = "1.0.0"
` + promoteDefinition + `
    }
    post-processor "azure-gallery" {
      subscription_id = "` + prodSubscription + `"
      gallery_name    = "prod"
      image_version   = "1.0.0"
` + promoteDefinition + `
      target_region {
        name = "eastus"
      }
      target_region {
        name = "westus2"
      }
    }
  }
}
`

// promoteByIDTemplate promotes the dev version again, named by source_image_version_id.
const promoteByIDTemplate = `
variable "version_id" {
  type = string
}
build {
  sources = ["source.null.publish"]
  post-processor "azure-gallery" {
    subscription_id         = "` + prodSubscription + `"
    source_image_version_id = var.version_id
    gallery_name            = "prod"
    image_version           = "1.0.1"
` + promoteDefinition + `
  }
}
`

// TestPromoteToAnotherSubscription publishes to a dev gallery in subscription A, then the next
// post-processor in the chain promotes that version (its input artifact) to a prod gallery in
// subscription B; a second build promotes it again with source_image_version_id.
func TestPromoteToAnotherSubscription(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg := replicationConfig(1)
	cfg["subscriptions"] = []map[string]any{{"id": devSubscription}, {"id": prodSubscription}}
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: cfg})
	src := emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: sourceRG, Location: sourceLocation, Name: "ubuntu-base"})
	if err := emu.CreateResourceGroup(ctx, t, galleryRG, sourceLocation); err != nil {
		t.Fatal(err)
	}
	resourceGroupIn(ctx, t, emu, prodSubscription, galleryRG)
	dir := writeTemplate(t, promoteTemplate)
	env := tools.PackerEnv(t, emu.Env()...)
	env = append(env, "PKR_VAR_source_image_id="+src)
	run := tools.RunPacker(ctx, t, dir, env, "build", "-color=false", ".")
	if run.ExitCode != 0 {
		t.Fatalf("packer build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	inv, err := emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	devID := "/subscriptions/" + devSubscription + "/resourceGroups/images-rg/providers/Microsoft.Compute/galleries/dev/images/ubuntu-server/versions/1.0.0"
	prodID := "/subscriptions/" + prodSubscription + "/resourceGroups/images-rg/providers/Microsoft.Compute/galleries/prod/images/ubuntu-server/versions/1.0.0"
	dev, prod := inv.Find(devID), inv.Find(prodID)
	if dev == nil || prod == nil {
		t.Fatalf("dev %v or prod %v version missing; versions: %d\n%s", dev != nil, prod != nil, len(inv.Versions()), run.Output)
	}
	if got, _ := prod.Prop("storageProfile", "source", "id").(string); !strings.EqualFold(got, devID) {
		t.Errorf("prod storageProfile.source.id = %q, want the dev version %s", got, devID)
	}
	if st := prod.Prop("provisioningState"); st != "Succeeded" {
		t.Errorf("prod provisioningState = %v", st)
	}
	if d := inv.Find("/subscriptions/" + prodSubscription + "/resourceGroups/images-rg/providers/Microsoft.Compute/galleries/prod/images/ubuntu-server"); d == nil || d.Prop("hyperVGeneration") != "V2" {
		t.Errorf("prod definition not made from the dev definition: %v", d)
	}

	t.Run("source_image_version_id", func(t *testing.T) {
		dir := writeTemplate(t, promoteByIDTemplate)
		run := tools.RunPacker(ctx, t, dir, append(env, "PKR_VAR_version_id="+devID), "build", "-color=false", ".")
		if run.ExitCode != 0 {
			t.Fatalf("packer build failed (%d):\n%s", run.ExitCode, run.Output)
		}
		inv, err := emu.Inventory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v := inv.Find(strings.Replace(prodID, "1.0.0", "1.0.1", 1))
		if v == nil {
			t.Fatal("prod 1.0.1 missing")
		}
		if got, _ := v.Prop("storageProfile", "source", "id").(string); !strings.EqualFold(got, devID) {
			t.Errorf("prod 1.0.1 source = %q, want %s", got, devID)
		}
	})
}

// shareEveryScopeTemplate shares at the gallery, image and version scopes and with shareSubscriber.
const shareEveryScopeTemplate = `
build {
  sources = ["source.null.publish"]
  post-processor "azure-gallery" {
    source_image_id = var.source_image_id
    resource_group  = "images-rg"
    gallery_name    = "shared"
    create_gallery  = true
    image_name      = "ubuntu-server"
    publisher       = "acme"
    offer           = "ubuntu"
    sku             = "24_04"
    image_version   = "1.0.0"

    share {
      scope         = "gallery"
      principal_ids = ["` + sharePrincipal1 + `"]
    }
    share {
      scope         = "image"
      principal_ids = ["` + sharePrincipal1 + `", "` + sharePrincipal2 + `"]
      role          = "Reader"
    }
    share {
      scope         = "version"
      principal_ids = ["` + sharePrincipal2 + `"]
      role          = "Virtual Machine Contributor"
    }
    share_with_subscriptions = ["` + shareSubscriber + `"]
  }
}
`

// TestShareAtEveryScopeTwice shares at the gallery, definition and version scopes and with a
// subscription, runs the same build twice, and checks each role assignment and sharing entry exists once.
func TestShareAtEveryScopeTwice(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 1, "publish-from-image")
	dir := writeTemplate(t, shareEveryScopeTemplate)
	gallery := "/subscriptions/" + f.emu.SubscriptionID + "/resourceGroups/images-rg/providers/Microsoft.Compute/galleries/shared"
	want := map[string]bool{
		gallery + "|" + sharePrincipal1 + "|" + readerRoleGUID:                                                        true,
		gallery + "/images/ubuntu-server|" + sharePrincipal1 + "|" + readerRoleGUID:                                   true,
		gallery + "/images/ubuntu-server|" + sharePrincipal2 + "|" + readerRoleGUID:                                   true,
		gallery + "/images/ubuntu-server/versions/1.0.0|" + sharePrincipal2 + "|9980e02c-c2be-4d73-94e8-173b1dc7cf3c": true,
	}
	for run := 1; run <= 2; run++ {
		out := tools.RunPacker(ctx, t, dir, f.env, "build", "-color=false", ".")
		if out.ExitCode != 0 {
			t.Fatalf("run %d: packer build failed (%d):\n%s", run, out.ExitCode, out.Output)
		}
		checkSharedOnce(t, f.inventory(ctx, t), gallery, want, run)
		if run == 2 && (!strings.Contains(out.Output, "already has") || !strings.Contains(out.Output, "already shared")) {
			t.Errorf("the re-run does not say it reused the grants and sharing:\n%s", out.Output)
		}
	}
}

// checkSharedOnce checks that after build run each wanted role assignment exists exactly once and the
// gallery is shared with shareSubscriber once.
func checkSharedOnce(t *testing.T, inv acctest.Inventory, gallery string, want map[string]bool, run int) {
	t.Helper()
	got := map[string]int{}
	for _, ra := range inv.OfType("Microsoft.Authorization/roleAssignments") {
		scope, _ := ra.Prop("scope").(string)
		principal, _ := ra.Prop("principalId").(string)
		role, _ := ra.Prop("roleDefinitionId").(string)
		got[strings.ToLower(scope)+"|"+principal+"|"+role[strings.LastIndex(role, "/")+1:]]++
	}
	if len(got) != len(want) {
		t.Errorf("run %d: %d distinct role assignments, want %d: %v", run, len(got), len(want), got)
	}
	for k := range want {
		scope, rest, _ := strings.Cut(k, "|")
		if n := got[strings.ToLower(scope)+"|"+rest]; n != 1 {
			t.Errorf("run %d: assignment %s exists %d times, want once", run, k, n)
		}
	}
	g := inv.Find(gallery)
	if g == nil || g.Prop("sharingProfile", "permissions") != "Groups" {
		t.Fatalf("run %d: gallery sharing profile: %v", run, g.Prop("sharingProfile"))
	}
	groups, _ := g.Prop("sharingProfile", "groups").([]any)
	if len(groups) != 1 {
		t.Fatalf("run %d: sharing groups = %v, want one Subscriptions group", run, groups)
	}
	grp, _ := groups[0].(map[string]any)
	if ids, _ := grp["ids"].([]any); len(ids) != 1 || ids[0] != shareSubscriber {
		t.Errorf("run %d: shared subscriptions = %v, want [%s] once", run, grp["ids"], shareSubscriber)
	}
}
