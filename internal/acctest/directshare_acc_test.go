package acctest_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// The producer (the emulator's first client, in producerTenantID) publishes; the consumer is a
// subscription of another tenant, read with a client of that tenant only.
const (
	producerSubID    = "44444444-4444-4444-8444-444444444444"
	producerTenantID = "44444444-4444-4444-8444-4444444444aa"
	consumerSubID    = "55555555-5555-4555-8555-555555555555"
	consumerTenantID = "55555555-5555-4555-8555-5555555555bb"
	consumerClientID = "55555555-5555-4555-8555-5555555555cc"
	consumerSecret   = "consumer-secret"
)

// consumerOwnGalleryTemplate reads the producer's gallery itself, in the producer's subscription, with
// the consumer's credentials (from the environment).
const consumerOwnGalleryTemplate = `
data "azure-gallery-version" "base" {
  subscription_id = "` + producerSubID + `"
  resource_group  = "images-rg"
  gallery_name    = "shared"
  image_name      = "ubuntu-server"
}
build {
  sources = ["source.null.publish"]
  post-processor "manifest" {
    output      = "${path.root}/manifest.json"
    custom_data = { base = data.azure-gallery-version.base.version }
  }
}
`

// directShareEmulatorConfig serves the producer's and the consumer's tenants, subscriptions and clients.
func directShareEmulatorConfig() map[string]any {
	cfg := replicationConfig(0.5)
	cfg["tenants"] = []string{producerTenantID, consumerTenantID}
	cfg["subscriptions"] = []map[string]any{{"id": producerSubID, "tenant_id": producerTenantID}, {"id": consumerSubID, "tenant_id": consumerTenantID}}
	cfg["clients"] = []map[string]any{{"client_id": "44444444-4444-4444-8444-4444444444cc", "client_secret": "producer-secret", "tenant_id": producerTenantID},
		{"client_id": consumerClientID, "client_secret": consumerSecret, "tenant_id": consumerTenantID}}
	return cfg
}

// consumerEnv is env with the consumer's credentials and subscription instead of the producer's.
func consumerEnv(env []string) []string {
	return append(append([]string{}, env...), "ARM_CLIENT_ID="+consumerClientID, "ARM_CLIENT_SECRET="+consumerSecret,
		"ARM_TENANT_ID="+consumerTenantID, "ARM_SUBSCRIPTION_ID="+consumerSubID)
}

// consumerReads runs example/direct-shared/consumer as the consumer on sharedName and returns the packer
// run and the manifest's custom data (nil when the build failed).
func consumerReads(ctx context.Context, t *testing.T, env []string, sharedName string) (acctest.Run, map[string]string) {
	t.Helper()
	manifest := filepath.Join(t.TempDir(), "manifest.json")
	dir := filepath.Join(tools.Root, "example", "direct-shared", "consumer")
	run := tools.RunPacker(ctx, t, dir, append(consumerEnv(env), "PKR_VAR_shared_gallery_name="+sharedName, "PKR_VAR_manifest_path="+manifest), "build", "-color=false", ".")
	if run.ExitCode != 0 {
		return run, nil
	}
	var m struct {
		Builds []struct {
			CustomData map[string]string `json:"custom_data"`
		} `json:"builds"`
	}
	data, err := os.ReadFile(manifest)
	if err != nil || json.Unmarshal(data, &m) != nil || len(m.Builds) != 1 {
		t.Fatalf("manifest: %v\n%s", err, data)
	}
	return run, m.Builds[0].CustomData
}

// TestDirectSharedPipeline (issue 14) runs example/direct-shared under real Packer: a producer
// publishes 1.0.0 and 1.1.0 to a gallery shared with another tenant's subscription by
// share_with_subscriptions; the consumer's template reads it with shared_gallery_name and location, with its own credentials, and gets 1.1.0
// with its /SharedGalleries/ id; after the producer excludes 1.1.0 from latest, 1.0.0. A gallery of the
// producer's that is not shared is not found by the consumer, and the producer's own gallery cannot be
// read with the consumer's credentials.
func TestDirectSharedPipeline(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: directShareEmulatorConfig()})
	src := emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: sourceRG, Location: sourceLocation, Name: "ubuntu-base"})
	if err := emu.CreateResourceGroup(ctx, t, galleryRG, sourceLocation); err != nil {
		t.Fatal(err)
	}
	env := append(tools.PackerEnv(t, emu.Env()...), "PKR_VAR_source_image_id="+src)
	producer := filepath.Join(tools.Root, "example", "direct-shared", "producer")
	penv := append(append([]string{}, env...), `PKR_VAR_share_with_subscriptions=["`+consumerSubID+`"]`)
	for _, v := range []string{"1.0.0", "1.1.0"} {
		if run := tools.RunPacker(ctx, t, producer, append(append([]string{}, penv...), "PKR_VAR_image_version="+v), "build", "-color=false", "."); run.ExitCode != 0 {
			t.Fatalf("producer build %s failed (%d):\n%s", v, run.ExitCode, run.Output)
		}
	}
	inv, err := emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gallery := inv.Find("/subscriptions/" + producerSubID + "/resourceGroups/images-rg/providers/Microsoft.Compute/galleries/shared")
	if gallery == nil || gallery.Prop("sharingProfile", "permissions") != "Groups" {
		t.Fatalf("shared gallery: %v", gallery)
	}
	unique := producerSubID + "-SHARED" // Azure's identifier.uniqueName: {subscription}-{GALLERY}

	run, got := consumerReads(ctx, t, env, unique)
	if want := "/SharedGalleries/" + unique + "/Images/ubuntu-server/Versions/1.1.0"; got == nil || got["base"] != "1.1.0" || got["base_id"] != want {
		t.Fatalf("consumer read %v, want 1.1.0 and %s:\n%s", got, want, run.Output)
	}
	if run := tools.RunPacker(ctx, t, producer, append(append([]string{}, penv...), "PKR_VAR_image_version=1.1.0", "PKR_VAR_exclude_from_latest=true"), "build", "-color=false", "."); run.ExitCode != 0 {
		t.Fatalf("producer's exclude of 1.1.0 failed (%d):\n%s", run.ExitCode, run.Output)
	}
	if inv, err = emu.Inventory(ctx); err != nil || inv.Find(gallery.ID()+"/images/ubuntu-server/versions/1.1.0").Prop("publishingProfile", "excludeFromLatest") != true {
		t.Fatalf("1.1.0 is not excluded from latest after the re-run: %v", err)
	}
	if run, got := consumerReads(ctx, t, env, unique); got == nil || got["base"] != "1.0.0" {
		t.Fatalf("consumer read after excluding 1.1.0: %v, want 1.0.0:\n%s", got, run.Output)
	}
	checkConsumerSeesNoPrivate(ctx, t, emu, env)
}

// checkConsumerSeesNoPrivate: a producer gallery that is not shared is NotFound for the consumer, and
// the consumer's credentials cannot read the producer's subscription at all.
func checkConsumerSeesNoPrivate(ctx context.Context, t *testing.T, emu *acctest.Emulator, env []string) {
	t.Helper()
	cred, opts, err := emu.ARM()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := armcompute.NewClientFactory(producerSubID, cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := cf.NewGalleriesClient().BeginCreateOrUpdate(ctx, galleryRG, "private", armcompute.Gallery{Location: to.Ptr(sourceLocation)}, nil)
	if err == nil {
		_, err = p.PollUntilDone(ctx, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	if run, got := consumerReads(ctx, t, env, producerSubID+"-PRIVATE"); got != nil || !strings.Contains(run.Output, "NotFound") {
		t.Errorf("consumer read of the private gallery: %v, want a NotFound failure:\n%s", got, run.Output)
	}
	dir := writeTemplate(t, consumerOwnGalleryTemplate)
	run := tools.RunPacker(ctx, t, dir, consumerEnv(env), "build", "-color=false", ".")
	if run.ExitCode == 0 || !strings.Contains(run.Output, "InvalidAuthenticationTokenTenant") {
		t.Errorf("consumer read of the producer's own gallery: exit %d, want InvalidAuthenticationTokenTenant:\n%s", run.ExitCode, run.Output)
	}
}
