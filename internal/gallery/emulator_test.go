package gallery

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/arm"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// recorder is a Reporter that keeps every line, and can run a hook on each.
type recorder struct {
	mu    sync.Mutex
	lines []string
	hook  func(string)
}

func (r *recorder) add(kind, s string) {
	r.mu.Lock()
	r.lines = append(r.lines, kind+": "+s)
	hook := r.hook
	r.mu.Unlock()
	if hook != nil {
		hook(s)
	}
}
func (r *recorder) Say(s string)     { r.add("say", s) }
func (r *recorder) Message(s string) { r.add("msg", s) }
func (r *recorder) Error(s string)   { r.add("err", s) }
func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

// countingTransport counts requests by method, to check what a publish sent.
type countingTransport struct {
	next  policy.Transporter
	total atomic.Int64
	puts  atomic.Int64
}

func (c *countingTransport) Do(req *http.Request) (*http.Response, error) {
	c.total.Add(1)
	if req.Method == http.MethodPut {
		c.puts.Add(1)
	}
	return c.next.Do(req)
}

// env is an in-process emulator with a resource group, a session built the way the post-processor
// builds one (metadata_host + client secret + a transport trusting the emulator's CA), and a
// separate client for setting up and inspecting state.
type env struct {
	t       testing.TB
	srv     *emulator.Server
	ready   emulator.Ready
	sess    *azure.Session
	count   *countingTransport
	compute *armcompute.ClientFactory
	ctx     context.Context
}

const (
	testRG      = "rg-images"
	testGallery = "gal"
	testDef     = "ubuntu"
)

func newEnv(t testing.TB, opts emulator.Options) *env {
	t.Helper()
	if opts.Replication.SecondsPerGiB == 0 {
		opts.Replication = emulator.ReplicationConfig{SecondsPerGiB: 0.25, RegionBaseDelay: emulator.Duration(500 * time.Millisecond)}
	}
	if opts.OperationDelay == 0 {
		opts.OperationDelay = emulator.Duration(50 * time.Millisecond)
	}
	srv, ready := emulatortest.Start(t, opts)
	hc, err := ready.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	count := &countingTransport{next: hc}
	cfg := &azure.Config{ClientID: ready.ClientID, ClientSecret: ready.ClientSecret, TenantID: ready.TenantID, SubscriptionID: ready.SubscriptionID, MetadataHost: ready.MetadataHost}
	ctx := context.Background()
	sess, err := azure.NewSession(ctx, cfg, azure.WithTransport(count), azure.WithRetry(policy.RetryOptions{MaxRetries: 3, RetryDelay: 50 * time.Millisecond, MaxRetryDelay: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	setup, err := azure.NewSession(ctx, cfg, azure.WithTransport(hc))
	if err != nil {
		t.Fatal(err)
	}
	cf, err := setup.Compute("")
	if err != nil {
		t.Fatal(err)
	}
	rf, _ := setup.Resources("")
	if _, err := rf.NewResourceGroupsClient().CreateOrUpdate(ctx, testRG, armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: srv, ready: ready, sess: sess, count: count, compute: cf, ctx: ctx}
}

func done[T any](t testing.TB, what string, p *runtime.Poller[T], err error) T {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	// Poll briskly, ignoring Retry-After: this is test setup, not the code under test.
	for !p.Done() {
		if _, err := p.Poll(context.Background()); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	res, err := p.Result(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return res
}

// image creates a Linux managed image of sizeGB from an empty disk in loc.
func (e *env) image(name, loc string, sizeGB int32, hv armcompute.HyperVGenerationTypes) string {
	e.t.Helper()
	p, err := e.compute.NewDisksClient().BeginCreateOrUpdate(e.ctx, testRG, name+"-disk", armcompute.Disk{Location: to.Ptr(loc),
		Properties: &armcompute.DiskProperties{CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)},
			DiskSizeGB: to.Ptr(sizeGB), OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), HyperVGeneration: to.Ptr(armcompute.HyperVGeneration(hv))}}, nil)
	disk := done(e.t, "disk", p, err)
	ip, err := e.compute.NewImagesClient().BeginCreateOrUpdate(e.ctx, testRG, name, armcompute.Image{Location: to.Ptr(loc),
		Properties: &armcompute.ImageProperties{HyperVGeneration: to.Ptr(hv), StorageProfile: &armcompute.ImageStorageProfile{OSDisk: &armcompute.ImageOSDisk{
			OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			ManagedDisk: &armcompute.SubResource{ID: disk.ID}}}}}, nil)
	img := done(e.t, "image", ip, err)
	return *img.ID
}

func (e *env) request(src, version string, regions ...string) Request {
	req := Request{
		SourceID: src, ResourceGroup: testRG, GalleryName: testGallery, CreateGallery: true,
		Definition: DefinitionSpec{Name: testDef, Create: true, Publisher: "acme", Offer: "ubuntu", Sku: "24_04"},
		Version:    VersionSpec{Version: version},
		Timeout:    2 * time.Minute,
	}
	for _, r := range regions {
		req.TargetRegions = append(req.TargetRegions, TargetRegion{Name: r})
	}
	return req
}

func (e *env) publisher(r Reporter) *Publisher {
	p := NewPublisher(e.sess, r)
	p.SetWaitOptions(WaitOptions{MinInterval: 50 * time.Millisecond, FirstInterval: 100 * time.Millisecond, MaxInterval: 2 * time.Second})
	return p
}

func (e *env) version(name string) (*armcompute.GalleryImageVersion, error) {
	v, err := e.compute.NewGalleryImageVersionsClient().Get(e.ctx, testRG, testGallery, testDef, name,
		&armcompute.GalleryImageVersionsClientGetOptions{Expand: to.Ptr(armcompute.ReplicationStatusTypesReplicationStatus)})
	if err != nil {
		return nil, err
	}
	return &v.GalleryImageVersion, nil
}

func regionNames(v *armcompute.GalleryImageVersion) string {
	var names []string
	for _, tr := range v.Properties.PublishingProfile.TargetRegions {
		names = append(names, NormalizeRegion(*tr.Name))
	}
	return strings.Join(names, ",")
}

func TestPublishFirstThenReuse(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	rec := &recorder{}
	req := e.request(src, "1.0.0", "West US", "eastus", "North Europe")
	res, err := e.publisher(rec).Publish(e.ctx, req)
	if err != nil {
		t.Fatalf("publish: %v\n%s", err, rec.text())
	}
	if res.Outcome != OutcomeCreated || res.Version != "1.0.0" || len(res.Regions) != 3 || res.Location != "eastus" || !strings.EqualFold(res.SourceID, src) {
		t.Fatalf("result: %+v", res)
	}
	v, err := e.version("1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if *v.Properties.ProvisioningState != armcompute.GalleryProvisioningStateSucceeded || regionNames(v) != "eastus,westus,northeurope" {
		t.Fatalf("emulator state: %s regions %s", *v.Properties.ProvisioningState, regionNames(v))
	}
	if v.Tags[ManagedTagKey] == nil || *v.Tags[ManagedTagKey] != ManagedTagValue {
		t.Errorf("version lacks the managed tag: %v", v.Tags)
	}
	def, err := e.compute.NewGalleryImagesClient().Get(e.ctx, testRG, testGallery, testDef, nil)
	if err != nil || *def.Properties.HyperVGeneration != armcompute.HyperVGenerationV2 || *def.Properties.OSType != armcompute.OperatingSystemTypesLinux {
		t.Fatalf("definition not made from the source: %+v %v", def.Properties, err)
	}
	out := rec.text()
	t.Log("\n" + out)
	for _, want := range []string{"creating it in eastus", "Storage footprint: 12 GiB (4 GiB × 3 replicas", "westus Completed 100%", "Published"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// The same build again: nothing is written, and the version is reused.
	putsBefore := e.count.puts.Load()
	rec2 := &recorder{}
	res2, err := e.publisher(rec2).Publish(e.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Outcome != OutcomeReused || res2.VersionID != res.VersionID || len(res2.Regions) != 3 {
		t.Fatalf("re-run: %+v", res2)
	}
	if puts := e.count.puts.Load() - putsBefore; puts != 0 {
		t.Errorf("re-run sent %d PUTs", puts)
	}
	if !strings.Contains(rec2.text(), "reusing it") {
		t.Errorf("re-run does not say it reuses:\n%s", rec2.text())
	}

	// Another source under the same version number is refused, and the version is untouched.
	other := e.image("img2", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	_, err = e.publisher(&recorder{}).Publish(e.ctx, e.request(other, "1.0.0", "westus"))
	if err == nil || !strings.Contains(err.Error(), "already exists from a different source") || !strings.Contains(err.Error(), "choose another image_version") {
		t.Fatalf("different source: %v", err)
	}
	v2, _ := e.version("1.0.0")
	if !strings.EqualFold(*v2.Properties.StorageProfile.Source.ID, src) || regionNames(v2) != "eastus,westus,northeurope" {
		t.Errorf("refused publish changed the version: %s %s", *v2.Properties.StorageProfile.Source.ID, regionNames(v2))
	}
}

func TestPublishIncompatibleDefinition(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV1)
	gp, err := e.compute.NewGalleriesClient().BeginCreateOrUpdate(e.ctx, testRG, testGallery, armcompute.Gallery{Location: to.Ptr("eastus")}, nil)
	done(t, "gallery", gp, err)
	dp, err := e.compute.NewGalleryImagesClient().BeginCreateOrUpdate(e.ctx, testRG, testGallery, testDef, armcompute.GalleryImage{Location: to.Ptr("eastus"),
		Properties: &armcompute.GalleryImageProperties{OSType: to.Ptr(armcompute.OperatingSystemTypesWindows), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2), Identifier: &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("acme"), Offer: to.Ptr("ubuntu"), SKU: to.Ptr("24_04")}}}, nil)
	done(t, "definition", dp, err)
	before, _ := e.srv.ARM().Inventory()
	_, err = e.publisher(&recorder{}).Publish(e.ctx, e.request(src, "1.0.0"))
	if err == nil {
		t.Fatal("incompatible definition accepted")
	}
	for _, want := range []string{"os_type: definition has Windows, image has Linux", "hyper_v_generation: definition has V2, image has V1", "publish to a new image_name"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	after, _ := e.srv.ARM().Inventory()
	if string(before) != string(after) {
		t.Error("a refused publish changed the emulator's state")
	}
}

func TestPublishRegionFailureAndCleanup(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	// 1.0.0 publishes fine and creates the gallery and definition.
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, e.request(src, "1.0.0")); err != nil {
		t.Fatal(err)
	}
	e.srv.ARM().AddReplicationFailure(arm.ReplicationFailure{Region: "westus", Details: "Disk copy failed: storage account throttled", Count: 2})
	rec := &recorder{}
	req := e.request(src, "1.0.1", "westus", "northeurope")
	req.CleanupOnFailure = true
	_, err := e.publisher(rec).Publish(e.ctx, req)
	if err == nil || !strings.Contains(err.Error(), "westus: Disk copy failed: storage account throttled") {
		t.Fatalf("region failure: %v\n%s", err, rec.text())
	}
	// This run created only 1.0.1: it is deleted; 1.0.0, the definition and the gallery stay.
	if _, err := e.version("1.0.1"); !azure.IsNotFound(err) {
		t.Errorf("1.0.1 not deleted: %v", err)
	}
	if _, err := e.version("1.0.0"); err != nil {
		t.Errorf("1.0.0 (not created by this run) was touched: %v", err)
	}
	if _, err := e.compute.NewGalleryImagesClient().Get(e.ctx, testRG, testGallery, testDef, nil); err != nil {
		t.Errorf("definition (not created by this run) was deleted: %v", err)
	}

	// Without cleanup the failed version stays, and a re-run refuses it with the fix.
	req.Version.Version = "1.0.2"
	req.CleanupOnFailure = false
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, req); err == nil {
		t.Fatal("second failure expected")
	}
	_, err = e.publisher(&recorder{}).Publish(e.ctx, req)
	if err == nil || !strings.Contains(err.Error(), "is Failed") || !strings.Contains(err.Error(), "az sig image-version delete") {
		t.Fatalf("re-run over a failed version: %v", err)
	}
	if _, err := e.version("1.0.2"); err != nil {
		t.Errorf("failed version (not created by the re-run) was deleted: %v", err)
	}
}

func TestPublishCleanupDeletesWhatItCreated(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	e.srv.ARM().AddReplicationFailure(arm.ReplicationFailure{Region: "eastus", Details: "boom", Count: 1})
	req := e.request(src, "1.0.0")
	req.CleanupOnFailure = true
	rec := &recorder{}
	if _, err := e.publisher(rec).Publish(e.ctx, req); err == nil {
		t.Fatal("failure expected")
	}
	// The run created gallery, definition and version: all gone.
	if _, err := e.compute.NewGalleriesClient().Get(e.ctx, testRG, testGallery, nil); !azure.IsNotFound(err) {
		t.Errorf("gallery created by the failed run remains: %v\n%s", err, rec.text())
	}
	if _, err := e.compute.NewImagesClient().Get(e.ctx, testRG, "img1", nil); err != nil {
		t.Errorf("the source image was touched: %v", err)
	}
}

func TestPublishCancelThenResume(t *testing.T) {
	// 4 GiB at 2 s/GiB: 8 s of replication, far longer than the cancel takes.
	e := newEnv(t, emulator.Options{Replication: emulator.ReplicationConfig{SecondsPerGiB: 2, RegionBaseDelay: emulator.Duration(100 * time.Millisecond)}})
	src := e.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	var cancelledAt atomic.Int64
	rec := &recorder{hook: func(s string) {
		if strings.Contains(s, " Replicating ") && cancelledAt.Load() == 0 {
			cancelledAt.Store(time.Now().UnixNano())
			cancel()
		}
	}}
	req := e.request(src, "1.0.0", "westus")
	_, err := e.publisher(rec).Publish(ctx, req)
	returned := time.Now()
	if err == nil || !strings.Contains(err.Error(), "interrupted") || !strings.Contains(err.Error(), "re-run the same build") {
		t.Fatalf("cancel: %v\n%s", err, rec.text())
	}
	if cancelledAt.Load() == 0 {
		t.Fatal("never saw replication progress")
	}
	// Behaviour, not performance: the wait must not run on to the end of the 8 s replication.
	if took := returned.Sub(time.Unix(0, cancelledAt.Load())); took > 5*time.Second {
		t.Errorf("cancel took %s", took)
	}
	v, err := e.version("1.0.0")
	if err != nil || *v.Properties.ProvisioningState == armcompute.GalleryProvisioningStateSucceeded {
		t.Fatalf("version after cancel: %v", err)
	}

	// The same build again resumes the wait instead of creating anything.
	putsBefore := e.count.puts.Load()
	rec2 := &recorder{}
	res, err := e.publisher(rec2).Publish(e.ctx, req)
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, rec2.text())
	}
	if res.Outcome != OutcomeResumed || e.count.puts.Load() != putsBefore {
		t.Fatalf("resume: outcome %s, %d PUTs", res.Outcome, e.count.puts.Load()-putsBefore)
	}
	if v, _ := e.version("1.0.0"); *v.Properties.ProvisioningState != armcompute.GalleryProvisioningStateSucceeded {
		t.Errorf("resumed version is %s", *v.Properties.ProvisioningState)
	}
	if !strings.Contains(rec2.text(), "resuming the wait") {
		t.Errorf("resume not announced:\n%s", rec2.text())
	}
}

func TestPublishTimeoutSaysHowToResume(t *testing.T) {
	e := newEnv(t, emulator.Options{Replication: emulator.ReplicationConfig{SecondsPerGiB: 5, RegionBaseDelay: emulator.Duration(100 * time.Millisecond)}})
	src := e.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	req := e.request(src, "1.0.0")
	req.Timeout = 3 * time.Second
	_, err := e.publisher(&recorder{}).Publish(e.ctx, req)
	if err == nil || !strings.Contains(err.Error(), "timed out after 3s (timeout)") || !strings.Contains(err.Error(), "re-run the same build") {
		t.Fatalf("timeout: %v", err)
	}
}

func TestPublishUpdatesDefinitionAndReadsSourceInAnotherSubscription(t *testing.T) {
	const imageSub = "22222222-2222-2222-2222-222222222222"
	e := newEnv(t, emulator.Options{Subscriptions: []emulator.SubscriptionConfig{{ID: "11111111-1111-1111-1111-111111111111"}, {ID: imageSub}}})
	// The image lives in the second subscription; the gallery in the session's (first) one.
	setup := e.setupIn(imageSub)
	src := setup.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	if !strings.Contains(src, imageSub) {
		t.Fatalf("image not in the second subscription: %s", src)
	}
	req := e.request(src, "1.0.0")
	req.Definition.Description = "first"
	if _, err := e.publisher(&recorder{}).Publish(e.ctx, req); err != nil {
		t.Fatal(err)
	}
	req.Version.Version = "1.0.1"
	req.Definition.Description = "second"
	req.Definition.MaxVCPUs = 8
	rec := &recorder{}
	if _, err := e.publisher(rec).Publish(e.ctx, req); err != nil {
		t.Fatalf("%v\n%s", err, rec.text())
	}
	def, err := e.compute.NewGalleryImagesClient().Get(e.ctx, testRG, testGallery, testDef, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := def.Properties; *d.Description != "second" || d.Recommended == nil || *d.Recommended.VCPUs.Max != 8 || *d.Identifier.Publisher != "acme" {
		t.Errorf("definition not updated: %+v", d)
	}
	if !strings.Contains(rec.text(), "updating description, recommended_vcpus_max") {
		t.Errorf("update not announced:\n%s", rec.text())
	}
}

// setupIn returns an env whose setup client works in another subscription (same emulator).
func (e *env) setupIn(sub string) *env {
	e.t.Helper()
	hc, _ := e.ready.HTTPClient()
	cfg := &azure.Config{ClientID: e.ready.ClientID, ClientSecret: e.ready.ClientSecret, TenantID: e.ready.TenantID, SubscriptionID: sub, MetadataHost: e.ready.MetadataHost}
	s, err := azure.NewSession(e.ctx, cfg, azure.WithTransport(hc))
	if err != nil {
		e.t.Fatal(err)
	}
	cf, _ := s.Compute("")
	rf, _ := s.Resources("")
	if _, err := rf.NewResourceGroupsClient().CreateOrUpdate(e.ctx, testRG, armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		e.t.Fatal(err)
	}
	c := *e
	c.compute = cf
	return &c
}

func TestPublishPromotesAGalleryVersion(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	dev, err := e.publisher(&recorder{}).Publish(e.ctx, e.request(src, "1.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	// Promote dev's version into a second gallery: the source is now a gallery image version.
	req := e.request(dev.VersionID, "1.0.0", "westus")
	req.GalleryName = "prod"
	rec := &recorder{}
	res, err := e.publisher(rec).Publish(e.ctx, req)
	if err != nil {
		t.Fatalf("promotion: %v\n%s", err, rec.text())
	}
	if res.Outcome != OutcomeCreated || !strings.Contains(res.VersionID, "/galleries/prod/") || !strings.EqualFold(res.SourceID, dev.VersionID) {
		t.Fatalf("result: %+v", res)
	}
	def, err := e.compute.NewGalleryImagesClient().Get(e.ctx, testRG, "prod", testDef, nil)
	if err != nil || *def.Properties.HyperVGeneration != armcompute.HyperVGenerationV2 {
		t.Fatalf("prod definition not made from the dev definition: %v", err)
	}
	if !strings.Contains(rec.text(), "Linux gallery image version in eastus, 4 GiB") {
		t.Errorf("source not read as a gallery version:\n%s", rec.text())
	}
}
