package safety

import (
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
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
	rg         = "rg-safety"
	galleryNm  = "gal"
	location   = "eastus"
	otherRegin = "westus"
)

// world is one emulator shared by the sequences (each works on its own definition), the plugin's
// session (short retries, as azcore's policy but faster) and a separate setup session for the hand-made
// changes and the inventory reads, which faults never touch (they are scoped to the sequence's
// definition and the plugin's requests carry no marker, so setup reads retry generously instead).
type world struct {
	srv     *emulator.Server
	sess    *azure.Session
	setup   *armcompute.ClientFactory
	sources [2]string
	ctx     context.Context
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv, ready := emulatortest.Start(t, emulator.Options{
		Replication:    emulator.ReplicationConfig{SecondsPerGiB: 0.05, RegionBaseDelay: emulator.Duration(30 * time.Millisecond)},
		OperationDelay: emulator.Duration(10 * time.Millisecond),
	})
	hc, err := ready.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &azure.Config{ClientID: ready.ClientID, ClientSecret: ready.ClientSecret, TenantID: ready.TenantID, SubscriptionID: ready.SubscriptionID, MetadataHost: ready.MetadataHost}
	ctx := context.Background()
	sess, err := azure.NewSession(ctx, cfg, azure.WithTransport(hc), azure.WithRetry(policy.RetryOptions{MaxRetries: 3, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 2 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	setupSess, err := azure.NewSession(ctx, cfg, azure.WithTransport(hc), azure.WithRetry(policy.RetryOptions{MaxRetries: 10, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 2 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	cf, err := setupSess.Compute("")
	if err != nil {
		t.Fatal(err)
	}
	rf, _ := setupSess.Resources("")
	if _, err := rf.NewResourceGroupsClient().CreateOrUpdate(ctx, rg, armresources.ResourceGroup{Location: to.Ptr(location)}, nil); err != nil {
		t.Fatal(err)
	}
	w := &world{srv: srv, sess: sess, setup: cf, ctx: ctx}
	gp, err := cf.NewGalleriesClient().BeginCreateOrUpdate(ctx, rg, galleryNm, armcompute.Gallery{Location: to.Ptr(location)}, nil)
	done(t, "gallery", gp, err)
	w.sources[0] = w.image(t, "img-a")
	w.sources[1] = w.image(t, "img-b")
	return w
}

func done[T any](t testing.TB, what string, p *runtime.Poller[T], err error) T {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for !p.Done() {
		if _, err := p.Poll(context.Background()); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	res, err := p.Result(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return res
}

// image creates a 1 GiB Linux managed image.
func (w *world) image(t *testing.T, name string) string {
	p, err := w.setup.NewDisksClient().BeginCreateOrUpdate(w.ctx, rg, name+"-disk", armcompute.Disk{Location: to.Ptr(location),
		Properties: &armcompute.DiskProperties{CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)},
			DiskSizeGB: to.Ptr[int32](1), OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2)}}, nil)
	disk := done(t, "disk", p, err)
	ip, err := w.setup.NewImagesClient().BeginCreateOrUpdate(w.ctx, rg, name, armcompute.Image{Location: to.Ptr(location),
		Properties: &armcompute.ImageProperties{HyperVGeneration: to.Ptr(armcompute.HyperVGenerationTypesV2), StorageProfile: &armcompute.ImageStorageProfile{OSDisk: &armcompute.ImageOSDisk{
			OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			ManagedDisk: &armcompute.SubResource{ID: disk.ID}}}}}, nil)
	return *done(t, "image", ip, err).ID
}

// publisher is a Publisher with brisk polling.
func (w *world) publisher(r gallery.Reporter) *gallery.Publisher {
	p := gallery.NewPublisher(w.sess, r)
	p.SetWaitOptions(gallery.WaitOptions{MinInterval: 10 * time.Millisecond, FirstInterval: 20 * time.Millisecond, MaxInterval: 200 * time.Millisecond})
	return p
}
