package publish

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

const (
	rgName      = "bench-rg"
	galleryName = "bench_gallery"
)

// armCounter counts ARM requests (every request under /subscriptions/: PUTs, LRO polls and reads
// alike; not token or metadata requests), the same way for every column of the table.
type armCounter struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	n atomic.Int64
}

func (c *armCounter) Do(req *http.Request) (*http.Response, error) {
	if strings.HasPrefix(req.URL.Path, "/subscriptions/") {
		c.n.Add(1)
	}
	return c.next.Do(req)
}

// fixture is an in-process emulator with a resource group.
type fixture struct {
	tb    testing.TB
	ready emulator.Ready
	ctx   context.Context
	setup *armcompute.ClientFactory
}

func newFixture(tb testing.TB, repl emulator.ReplicationConfig) *fixture {
	tb.Helper()
	_, ready := emulatortest.Start(tb, emulator.Options{Replication: repl})
	f := &fixture{tb: tb, ready: ready, ctx: context.Background()}
	sess := f.session(nil)
	var err error
	if f.setup, err = sess.Compute(""); err != nil {
		tb.Fatal(err)
	}
	rf, err := sess.Resources("")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := rf.NewResourceGroupsClient().CreateOrUpdate(f.ctx, rgName, armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		tb.Fatal(err)
	}
	return f
}

// session is a session as the plugin builds it (default retry policy), counting through counter when
// it is not nil.
func (f *fixture) session(counter *armCounter) *azure.Session {
	f.tb.Helper()
	hc, err := f.ready.HTTPClient()
	if err != nil {
		f.tb.Fatal(err)
	}
	var tr interface {
		Do(*http.Request) (*http.Response, error)
	} = hc
	if counter != nil {
		counter.next = hc
		tr = counter
	}
	cfg := &azure.Config{ClientID: f.ready.ClientID, ClientSecret: f.ready.ClientSecret, TenantID: f.ready.TenantID,
		SubscriptionID: f.ready.SubscriptionID, MetadataHost: f.ready.MetadataHost}
	sess, err := azure.NewSession(f.ctx, cfg, azure.WithTransport(tr))
	if err != nil {
		f.tb.Fatal(err)
	}
	return sess
}

// image creates a managed image of sizeGB from an empty disk and returns its ID.
func (f *fixture) image(name string, sizeGB int32) string {
	f.tb.Helper()
	dp, err := f.setup.NewDisksClient().BeginCreateOrUpdate(f.ctx, rgName, name+"-disk", armcompute.Disk{Location: to.Ptr("eastus"),
		Properties: &armcompute.DiskProperties{CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)},
			DiskSizeGB: to.Ptr(sizeGB), OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2)}}, nil)
	disk := wait(f, "disk", dp, err)
	ip, err := f.setup.NewImagesClient().BeginCreateOrUpdate(f.ctx, rgName, name, armcompute.Image{Location: to.Ptr("eastus"),
		Properties: &armcompute.ImageProperties{HyperVGeneration: to.Ptr(armcompute.HyperVGenerationTypesV2), StorageProfile: &armcompute.ImageStorageProfile{
			OSDisk: &armcompute.ImageOSDisk{OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
				ManagedDisk: &armcompute.SubResource{ID: disk.ID}}}}}, nil)
	return *wait(f, "image", ip, err).ID
}

func wait[T any](f *fixture, what string, p *runtime.Poller[T], err error) T {
	f.tb.Helper()
	if err != nil {
		f.tb.Fatalf("%s: %v", what, err)
	}
	res, err := p.PollUntilDone(f.ctx, &runtime.PollUntilDoneOptions{Frequency: 200 * time.Millisecond})
	if err != nil {
		f.tb.Fatalf("%s: %v", what, err)
	}
	return res
}

// request is a publish of src into definition def (created on first use) with the given version and
// regions, as the post-processor builds it.
func request(src, def, version string, regions []string) gallery.Request {
	req := gallery.Request{
		SourceID: src, ResourceGroup: rgName, GalleryName: galleryName, CreateGallery: true,
		Definition: gallery.DefinitionSpec{Name: def, Create: true, Publisher: "acme", Offer: "bench", Sku: def},
		Version:    gallery.VersionSpec{Version: version},
		Timeout:    30 * time.Minute,
	}
	for _, r := range regions {
		req.TargetRegions = append(req.TargetRegions, gallery.TargetRegion{Name: r})
	}
	return req
}

// definition creates the gallery (once) and the definition def with the setup client, so the timed
// publishes only read them.
func (f *fixture) definition(def string) {
	f.tb.Helper()
	gp, err := f.setup.NewGalleriesClient().BeginCreateOrUpdate(f.ctx, rgName, galleryName, armcompute.Gallery{Location: to.Ptr("eastus")}, nil)
	wait(f, "gallery", gp, err)
	dp, err := f.setup.NewGalleryImagesClient().BeginCreateOrUpdate(f.ctx, rgName, galleryName, def, armcompute.GalleryImage{Location: to.Ptr("eastus"),
		Properties: &armcompute.GalleryImageProperties{OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2), Identifier: &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("acme"), Offer: to.Ptr("bench"), SKU: to.Ptr(def)}}}, nil)
	wait(f, "definition", dp, err)
}
