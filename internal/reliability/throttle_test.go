package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// armFaults are R1's faults on every ARM path (the identity routes are left alone): 10% 429 with
// Retry-After, 5% 503 and 2% connection resets. Rules are checked in order, so the probabilities are
// applied one after the other (the effective shares are 10%, 4.5% and 1.7%).
func armFaults() []emulator.FaultRule {
	return []emulator.FaultRule{
		{Path: "/subscriptions/*", Probability: 0.10, Action: emulator.FaultStatus, Status: 429, RetryAfter: 1},
		{Path: "/subscriptions/*", Probability: 0.05, Action: emulator.FaultStatus, Status: 503},
		{Path: "/subscriptions/*", Probability: 0.02, Action: emulator.FaultReset},
	}
}

const r1Injected = "10% 429 (Retry-After 1s), 5% 503, 2% connection resets on ARM paths"

// quiet is a gallery.Reporter that drops everything.
type quiet struct{}

func (quiet) Say(string)     {}
func (quiet) Message(string) {}
func (quiet) Error(string)   {}

// TestR1ThrottlingInProcess publishes 100 versions under R1's faults through the publishing core the
// plugin runs (internal/gallery over internal/azure's session, so azcore's retry policy with the plugin's
// MaxRetries), in four streams of 25 publishes in a row. Every publish must succeed and create its own
// version; at the end exactly 100 versions exist, each still as it was right after its publish.
func TestR1ThrottlingInProcess(t *testing.T) {
	if testing.Short() || os.Getenv(acctest.EnvSkip) != "" {
		t.Skip("the 100-publish soak (about a minute) runs with the acceptance tests, not in quick unit runs")
	}
	t.Parallel()
	const streams, perStream = 4, 25
	row := scenario(t, "R1 throttling, 100 publishes (in-process core)", r1Injected)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv, sess := r1Session(ctx, t)
	src := sourceImageInProcess(ctx, t, sess)
	row.Before = len(versionsInProcess(t, srv))

	if _, err := srv.AddFaults(armFaults()...); err != nil {
		t.Fatal(err)
	}
	pub := func(def, version string) (*gallery.Result, error) {
		p := gallery.NewPublisher(sess, quiet{})
		p.SetWaitOptions(gallery.WaitOptions{MinInterval: 50 * time.Millisecond, FirstInterval: 100 * time.Millisecond, MaxInterval: time.Second})
		return p.Publish(ctx, gallery.Request{
			SourceID: src, ResourceGroup: galleryRG, GalleryName: "golden", CreateGallery: true,
			Definition:    gallery.DefinitionSpec{Name: def, Create: true, Publisher: "contoso", Offer: def, Sku: "1"},
			Version:       gallery.VersionSpec{Version: version},
			TargetRegions: []gallery.TargetRegion{{Name: location}, {Name: "westus2"}},
			Timeout:       2 * time.Minute,
		})
	}
	start := time.Now()
	done := r1PublishStreams(t, srv, pub, streams, perStream)
	elapsed := time.Since(start)
	fired, faulted := r1FaultsFired(t, srv)
	row.After = r1CheckVersions(t, srv, done, src, streams*perStream)
	row.Result = fmt.Sprintf("%d/%d publishes ok in %s; azcore retried %d faulted responses (429: %d, 503: %d, reset: %d)",
		len(done), streams*perStream, elapsed.Round(time.Second), faulted, fired["429status"], fired["503status"], fired["0reset"])
	t.Log(row.Result)
}

// r1Published is one successful publish: the version's ID and its publishedDate right after it.
type r1Published struct{ id, date string }

// r1Session starts the emulator and opens the plugin's session to it with the plugin's retry count.
func r1Session(ctx context.Context, t *testing.T) (*emulator.Server, *azure.Session) {
	srv, ready := emulatortest.Start(t, emulator.Options{
		Replication:    emulator.ReplicationConfig{SecondsPerGiB: 0.05, RegionBaseDelay: emulator.Duration(100 * time.Millisecond)},
		OperationDelay: emulator.Duration(20 * time.Millisecond),
		RequestLogSize: 200000,
	})
	hc, err := ready.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &azure.Config{ClientID: ready.ClientID, ClientSecret: ready.ClientSecret, TenantID: ready.TenantID, SubscriptionID: ready.SubscriptionID, MetadataHost: ready.MetadataHost}
	// The plugin's retry count; shorter base delays so 100 publishes fit in CI (429s still wait their
	// Retry-After, which azcore honours over RetryDelay).
	sess, err := azure.NewSession(ctx, cfg, azure.WithTransport(hc), azure.WithRetry(policy.RetryOptions{MaxRetries: 6, RetryDelay: 100 * time.Millisecond, MaxRetryDelay: 2 * time.Second, TryTimeout: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	return srv, sess
}

// r1PublishStreams publishes def-0 1.0.0 alone, then the rest in streams of perStream publishes in a
// row, failing on each error or non-created outcome; it returns every successful publish.
func r1PublishStreams(t *testing.T, srv *emulator.Server, pub func(def, version string) (*gallery.Result, error), streams, perStream int) []r1Published {
	// The first publish creates the gallery alone, so the streams do not race on it.
	var mu sync.Mutex
	var done []r1Published
	record := func(res *gallery.Result) {
		date := publishedDate(t, srv, res.VersionID)
		mu.Lock()
		done = append(done, r1Published{res.VersionID, date})
		mu.Unlock()
	}
	res, err := pub("def-0", "1.0.0")
	if err != nil {
		t.Fatalf("publish 1: %v", err)
	}
	record(res)
	var wg sync.WaitGroup
	errs := make(chan error, streams*perStream)
	for s := 0; s < streams; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			for i := 0; i < perStream; i++ {
				if s == 0 && i == 0 {
					continue // published above
				}
				v := fmt.Sprintf("1.0.%d", i)
				res, err := pub(fmt.Sprintf("def-%d", s), v)
				if err != nil {
					errs <- fmt.Errorf("def-%d %s: %w", s, v, err)
					continue
				}
				if res.Outcome != gallery.OutcomeCreated {
					errs <- fmt.Errorf("def-%d %s: outcome %s, want created", s, v, res.Outcome)
				}
				record(res)
			}
		}(s)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return done
}

// r1FaultsFired checks each injected fault fired and returns how often each did and how many requests
// were faulted.
func r1FaultsFired(t *testing.T, srv *emulator.Server) (map[string]int, int) {
	fired := map[string]int{}
	for _, f := range srv.Faults() {
		fired[fmt.Sprint(f.Status, f.Action)] = f.Fired
	}
	faulted := 0
	for _, r := range srv.Requests() {
		if len(r.Faults) > 0 {
			faulted++
		}
	}
	if faulted == 0 || fired["429status"] == 0 || fired["503status"] == 0 || fired["0reset"] == 0 {
		t.Errorf("the faults did not all fire: %v (%d faulted requests)", fired, faulted)
	}
	return fired, faulted
}

// r1CheckVersions checks exactly want versions exist, each published once, Succeeded, from src and
// unchanged since its publish; it returns how many versions exist.
func r1CheckVersions(t *testing.T, srv *emulator.Server, done []r1Published, src string, want int) int {
	versions := versionsInProcess(t, srv)
	if len(versions) != want {
		t.Errorf("want %d versions, got %d", want, len(versions))
	}
	ids := map[string]bool{}
	for _, p := range done {
		if ids[strings.ToLower(p.id)] {
			t.Errorf("version %s published twice", p.id)
		}
		ids[strings.ToLower(p.id)] = true
		v := versions[strings.ToLower(p.id)]
		if v == nil {
			t.Errorf("version %s is missing", p.id)
			continue
		}
		if v.Prop("provisioningState") != "Succeeded" {
			t.Errorf("version %s: %v", p.id, v.Prop("provisioningState"))
		}
		if d, _ := v.Prop("publishingProfile", "publishedDate").(string); d != p.date {
			t.Errorf("version %s was overwritten: publishedDate %s → %s", p.id, p.date, d)
		}
		if !strings.EqualFold(sourceOf(v), src) {
			t.Errorf("version %s has source %q", p.id, sourceOf(v))
		}
	}
	return len(versions)
}

// TestR1ThrottlingPacker runs three real packer builds in a row under the same faults.
func TestR1ThrottlingPacker(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	row := scenario(t, "R1 throttling, 3 packer builds", r1Injected)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f := newFixture(ctx, t, emulatorConfig("500ms", 0.5, map[string]any{"request_log_size": 100000}))
	row.Before = len(f.inventory(ctx, t).Versions())
	for _, r := range armFaults() {
		if err := f.emu.AddFault(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	versions := []string{"1.0.0", "1.0.1", "1.0.2"}
	dates := map[string]any{}
	for _, v := range versions {
		run := f.build(ctx, t, "PKR_VAR_image_version="+v)
		if run.ExitCode != 0 {
			t.Fatalf("build of %s failed under throttling (%d):\n%s", v, run.ExitCode, run.Output)
		}
		dates[v] = assertPublished(t, f.inventory(ctx, t), v, threeRegions).Prop("publishingProfile", "publishedDate")
	}
	after := f.inventory(ctx, t)
	row.After = len(after.Versions())
	if len(after.Versions()) != len(versions) {
		t.Errorf("want %d versions, got %d", len(versions), len(after.Versions()))
	}
	for _, v := range versions {
		if got := assertPublished(t, after, v, threeRegions).Prop("publishingProfile", "publishedDate"); got != dates[v] {
			t.Errorf("version %s was overwritten by a later build", v)
		}
	}
	reqs, err := f.emu.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	faulted := 0
	for _, r := range reqs {
		if fs, _ := r["faults"].([]any); len(fs) > 0 {
			faulted++
		}
	}
	if faulted == 0 {
		t.Errorf("no fault fired in %d requests", len(reqs))
	}
	row.Result = fmt.Sprintf("3/3 builds ok; %d of %d requests faulted and retried", faulted, len(reqs))
}

// sourceImageInProcess creates the gallery resource group and a 1 GiB managed image through sess.
func sourceImageInProcess(ctx context.Context, t *testing.T, sess *azure.Session) string {
	t.Helper()
	rf, err := sess.Resources("")
	if err != nil {
		t.Fatal(err)
	}
	for _, rg := range []string{sourceRG, galleryRG} {
		if _, err := rf.NewResourceGroupsClient().CreateOrUpdate(ctx, rg, armresources.ResourceGroup{Location: to.Ptr(location)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	cf, err := sess.Compute("")
	if err != nil {
		t.Fatal(err)
	}
	dp, err := cf.NewDisksClient().BeginCreateOrUpdate(ctx, sourceRG, "base-disk", armcompute.Disk{Location: to.Ptr(location),
		Properties: &armcompute.DiskProperties{CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)},
			DiskSizeGB: to.Ptr[int32](1), OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2)}}, nil)
	disk := pollDone(ctx, t, dp, err)
	ip, err := cf.NewImagesClient().BeginCreateOrUpdate(ctx, sourceRG, "base", armcompute.Image{Location: to.Ptr(location),
		Properties: &armcompute.ImageProperties{HyperVGeneration: to.Ptr(armcompute.HyperVGenerationTypesV2), StorageProfile: &armcompute.ImageStorageProfile{OSDisk: &armcompute.ImageOSDisk{
			OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			ManagedDisk: &armcompute.SubResource{ID: disk.ID}}}}}, nil)
	return *pollDone(ctx, t, ip, err).ID
}

func pollDone[T any](ctx context.Context, t *testing.T, p *runtime.Poller[T], err error) T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// versionsInProcess reads the in-process emulator's inventory: versions by lower-cased ID.
func versionsInProcess(t *testing.T, srv *emulator.Server) map[string]acctest.Resource {
	t.Helper()
	data, err := srv.ARM().Inventory()
	if err != nil {
		t.Fatal(err)
	}
	var inv acctest.Inventory
	if err := json.Unmarshal(data, &inv); err != nil {
		t.Fatal(err)
	}
	out := map[string]acctest.Resource{}
	for _, v := range inv.Versions() {
		out[strings.ToLower(v.ID())] = v
	}
	return out
}

func publishedDate(t *testing.T, srv *emulator.Server, id string) string {
	t.Helper()
	v := versionsInProcess(t, srv)[strings.ToLower(id)]
	if v == nil {
		t.Errorf("published version %s is not in the inventory", id)
		return ""
	}
	d, _ := v.Prop("publishingProfile", "publishedDate").(string)
	return d
}
