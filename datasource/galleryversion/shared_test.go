package galleryversion

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// The producer (the emulator's first client, subscription and tenant) shares its gallery with the
// consumer, a subscription in another tenant read by a client of that tenant only.
const (
	producerSubscription = "00000000-0000-4000-8000-00000000000a"
	producerTenant       = "00000000-0000-4000-8000-0000000000aa"
	consumerSubscription = "00000000-0000-4000-8000-00000000000b"
	consumerTenant       = "00000000-0000-4000-8000-0000000000bb"
	consumerClient       = "00000000-0000-4000-8000-0000000000c2"
	consumerSecret       = "consumer-secret"
)

// newSharingEnv starts an emulator with the producer and the consumer, and gives the producer the
// usual gallery (testGallery, definitions testDef and emptyDef) and source image.
func newSharingEnv(t *testing.T) *galleryEnv {
	t.Helper()
	clearAzureEnv(t)
	srv, ready := emulatortest.Start(t, emulator.Options{
		Tenants: []string{producerTenant, consumerTenant},
		Subscriptions: []emulator.SubscriptionConfig{{ID: producerSubscription, TenantID: producerTenant},
			{ID: consumerSubscription, TenantID: consumerTenant}},
		Clients: []emulator.ClientConfig{{ClientID: "00000000-0000-4000-8000-0000000000c1", ClientSecret: "producer-secret", TenantID: producerTenant},
			{ClientID: consumerClient, ClientSecret: consumerSecret, TenantID: consumerTenant}},
		Replication:    emulator.ReplicationConfig{SecondsPerGiB: 0.01, RegionBaseDelay: emulator.Duration(100 * time.Millisecond)},
		OperationDelay: emulator.Duration(20 * time.Millisecond),
		PageSize:       1, // every version on its own page
	})
	hc, err := ready.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	opts := []azure.SessionOption{azure.WithTransport(hc), azure.WithRetry(policy.RetryOptions{MaxRetries: 2, RetryDelay: 50 * time.Millisecond})}
	ctx := context.Background()
	sess, err := azure.NewSession(ctx, &azure.Config{ClientID: ready.ClientID, ClientSecret: ready.ClientSecret, TenantID: ready.TenantID,
		SubscriptionID: ready.SubscriptionID, MetadataHost: ready.MetadataHost}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := sess.Compute("")
	if err != nil {
		t.Fatal(err)
	}
	rf, err := sess.Resources("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rf.NewResourceGroupsClient().CreateOrUpdate(ctx, testRG, armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		t.Fatal(err)
	}
	e := &galleryEnv{t: t, ctx: ctx, srv: srv, ready: ready, opts: opts, compute: cf}
	e.imageID = e.managedImage()
	gp, err := cf.NewGalleriesClient().BeginCreateOrUpdate(ctx, testRG, testGallery, armcompute.Gallery{Location: to.Ptr("eastus")}, nil)
	done(t, "gallery", gp, err)
	dp, err := cf.NewGalleryImagesClient().BeginCreateOrUpdate(ctx, testRG, testGallery, testDef, armcompute.GalleryImage{Location: to.Ptr("eastus"),
		Properties: &armcompute.GalleryImageProperties{OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2), Identifier: &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("acme"), Offer: to.Ptr("os"), SKU: to.Ptr("1")}}}, nil)
	done(t, "definition", dp, err)
	return e
}

// share adds a group (armcompute.SharingProfileGroupTypesSubscriptions or AADTenants) to the gallery's
// sharing profile, or with remove takes it away.
func (e *galleryEnv) share(typ armcompute.SharingProfileGroupTypes, id string, remove bool) {
	e.t.Helper()
	op := armcompute.SharingUpdateOperationTypesAdd
	if remove {
		op = armcompute.SharingUpdateOperationTypesRemove
	}
	p, err := e.compute.NewGallerySharingProfileClient().BeginUpdate(e.ctx, testRG, testGallery, armcompute.SharingUpdate{OperationType: to.Ptr(op),
		Groups: []*armcompute.SharingProfileGroup{{Type: to.Ptr(typ), IDs: []*string{to.Ptr(id)}}}}, nil)
	done(e.t, "share", p, err)
}

// uniqueName is the producer's gallery's unique name, as its owner reads it.
func (e *galleryEnv) uniqueName() string {
	e.t.Helper()
	g, err := e.compute.NewGalleriesClient().Get(e.ctx, testRG, testGallery, nil)
	if err != nil || g.Properties == nil || g.Properties.Identifier == nil {
		e.t.Fatalf("gallery: %v", err)
	}
	return *g.Properties.Identifier.UniqueName
}

// consumerRead runs the consumer's data source on the shared gallery and returns its error or version and id.
func (e *galleryEnv) consumerRead(extra map[string]interface{}) (version, id string, err error) {
	e.t.Helper()
	cfg := map[string]interface{}{"client_id": consumerClient, "client_secret": consumerSecret, "tenant_id": consumerTenant,
		"subscription_id": consumerSubscription, "metadata_host": e.ready.MetadataHost, "image_name": testDef,
		"shared_gallery_name": e.uniqueName(), "location": "East US"}
	for k, v := range extra {
		cfg[k] = v
	}
	d := &Datasource{sessionOptions: e.opts}
	if err := d.Configure(cfg); err != nil {
		e.t.Fatalf("Configure: %v", err)
	}
	v, err := d.Execute()
	if err != nil {
		return "", "", err
	}
	return attr(v, "version"), attr(v, "id"), nil
}

// TestSharedLatest: the consumer's data source reads the gallery shared with its subscription by its
// unique name through SharedGalleryImageVersionsClient: latest is 1.1.0 with its shared id (1.2.0 is
// past its end of life); after 1.1.0
// is excluded from latest, 1.0.0; unshared, the gallery is not found; shared with the consumer's
// tenant instead, it is found again (sharedTo=tenant).
func TestSharedLatest(t *testing.T) {
	e := newSharingEnv(t)
	past := time.Now().Add(-time.Hour)
	for _, v := range []versionSpec{{name: "1.0.0"}, {name: "1.1.0"}, {name: "1.2.0", endOfLife: &past}} {
		p, err := e.begin(v)
		done(t, "version "+v.name, p, err)
	}
	if _, _, err := e.consumerRead(nil); err == nil || !strings.Contains(err.Error(), "NotFound") || !strings.Contains(err.Error(), "shared gallery") {
		t.Fatalf("before sharing: %v, want a NotFound naming the shared gallery", err)
	}
	e.share(armcompute.SharingProfileGroupTypesSubscriptions, consumerSubscription, false)
	unique := e.uniqueName()
	before := len(e.srv.Requests())
	if v, id, err := e.consumerRead(nil); err != nil || v != "1.1.0" || id != "/SharedGalleries/"+unique+"/Images/"+testDef+"/Versions/1.1.0" {
		t.Fatalf("latest shared = %s %s %v, want 1.1.0 and its shared id", v, id, err)
	}
	if pages := sharedListCalls(e.srv.Requests()[before:]); pages != 3 {
		t.Errorf("the read took %d pages of the shared versions list, want 3 (page size 1)", pages)
	}
	p, err := e.compute.NewGalleryImageVersionsClient().BeginUpdate(e.ctx, testRG, testGallery, testDef, "1.1.0", armcompute.GalleryImageVersionUpdate{
		Properties: &armcompute.GalleryImageVersionProperties{PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{ExcludeFromLatest: to.Ptr(true)}}}, nil)
	done(t, "exclude 1.1.0", p, err)
	if v, _, err := e.consumerRead(nil); err != nil || v != "1.0.0" {
		t.Fatalf("latest shared after excluding 1.1.0 = %s %v, want 1.0.0", v, err)
	}
	if v, _, err := e.consumerRead(map[string]interface{}{"version_constraint": "~> 1.0", "include_excluded": true}); err != nil || v != "1.1.0" {
		t.Fatalf("~> 1.0 with include_excluded = %s %v, want 1.1.0", v, err)
	}
	e.share(armcompute.SharingProfileGroupTypesSubscriptions, consumerSubscription, true)
	if _, _, err := e.consumerRead(nil); err == nil || !strings.Contains(err.Error(), "NotFound") {
		t.Fatalf("after unsharing: %v, want NotFound", err)
	}
	e.share(armcompute.SharingProfileGroupTypesAADTenants, consumerTenant, false)
	if v, _, err := e.consumerRead(nil); err != nil || v != "1.0.0" {
		t.Fatalf("shared with the tenant: %s %v, want 1.0.0", v, err)
	}
	// The consumer still cannot read the producer's gallery itself: its token is for another tenant.
	_, _, err = e.consumerRead(map[string]interface{}{"shared_gallery_name": "", "location": "", "subscription_id": producerSubscription,
		"resource_group": testRG, "gallery_name": testGallery})
	if err == nil || !strings.Contains(err.Error(), "InvalidAuthenticationTokenTenant") {
		t.Fatalf("the consumer reading the producer's own gallery: %v, want InvalidAuthenticationTokenTenant", err)
	}
}

// sharedListCalls counts the consumer's GETs of the shared versions list (each page is one).
func sharedListCalls(reqs []emulator.RequestLogEntry) int {
	n := 0
	for _, r := range reqs {
		p := strings.ToLower(r.Path)
		if r.Method == "GET" && strings.HasPrefix(p, "/subscriptions/"+consumerSubscription+"/") && strings.Contains(p, "/sharedgalleries/") && strings.HasSuffix(p, "/versions") {
			n++
		}
	}
	return n
}

// TestSharedConfigErrors: shared_gallery_name needs a location, a unique name and no other gallery;
// naming two views is refused with both field names; location alone is refused.
func TestSharedConfigErrors(t *testing.T) {
	clearAzureEnv(t)
	base := func() map[string]interface{} {
		return map[string]interface{}{"client_id": "c", "client_secret": "s", "tenant_id": "00000000-0000-0000-0000-000000000002",
			"subscription_id": "00000000-0000-0000-0000-000000000001", "image_name": "ubuntu"}
	}
	cases := []struct {
		set  map[string]interface{}
		want []string
	}{
		{map[string]interface{}{"shared_gallery_name": "golden", "gallery_name": "golden"},
			[]string{"location is required with shared_gallery_name", `shared_gallery_name "golden" is not a shared gallery's unique name`, "remove resource_group and gallery_name"}},
		{map[string]interface{}{"shared_gallery_name": "00000000-0000-0000-0000-000000000009-GOLDEN", "community_gallery_name": "acme-os-1", "location": "eastus"},
			[]string{"set exactly one of gallery_name (with resource_group), community_gallery_name or shared_gallery_name: community_gallery_name and shared_gallery_name are both set"}},
		{map[string]interface{}{"location": "eastus"},
			[]string{"location is only for community_gallery_name or shared_gallery_name", "resource_group is required", "gallery_name is required", "shared_gallery_name, with location, instead"}},
	}
	for _, c := range cases {
		cfg := base()
		for k, v := range c.set {
			cfg[k] = v
		}
		err := (&Datasource{}).Configure(cfg)
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %v, want it to contain %q", c.set, err, w)
			}
		}
	}
	ok := base()
	ok["shared_gallery_name"], ok["location"] = "00000000-0000-0000-0000-000000000009-GOLDEN", "West Europe"
	d := &Datasource{}
	if err := d.Configure(ok); err != nil || d.config.Location != "westeurope" {
		t.Fatalf("valid shared config: %v, location %q", err, d.config.Location)
	}
}

// TestSharedSkipsSoftDeleted: in a shared gallery with soft delete, the newest version deleted is still
// in the consumer's view (imageState SoftDeleted, usable by number) but never its latest.
func TestSharedSkipsSoftDeleted(t *testing.T) {
	e := newSharingEnv(t)
	gp, err := e.compute.NewGalleriesClient().BeginCreateOrUpdate(e.ctx, testRG, testGallery, armcompute.Gallery{Location: to.Ptr("eastus"),
		Properties: &armcompute.GalleryProperties{SoftDeletePolicy: &armcompute.SoftDeletePolicy{IsSoftDeleteEnabled: to.Ptr(true), RetentionPeriodInDays: to.Ptr[int32](7)}}}, nil)
	done(t, "soft delete on", gp, err)
	for _, v := range []string{"1.0.0", "1.1.0"} {
		p, err := e.begin(versionSpec{name: v})
		done(t, "version "+v, p, err)
	}
	e.share(armcompute.SharingProfileGroupTypesSubscriptions, consumerSubscription, false)
	dp, err := e.compute.NewGalleryImageVersionsClient().BeginDelete(e.ctx, testRG, testGallery, testDef, "1.1.0", nil)
	done(t, "delete 1.1.0", dp, err)
	if v, _, err := e.consumerRead(nil); err != nil || v != "1.0.0" {
		t.Fatalf("latest shared with 1.1.0 soft-deleted = %s %v, want 1.0.0", v, err)
	}
	if v, _, err := e.consumerRead(map[string]interface{}{"version_constraint": "= 1.1.0", "include_excluded": true}); err != nil || v != "1.1.0" {
		t.Fatalf("1.1.0 asked for by number = %s %v, want 1.1.0 (still consumable)", v, err)
	}
}
