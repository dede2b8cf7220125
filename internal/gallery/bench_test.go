package gallery

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// armCounter counts ARM requests (not token or metadata requests) through one session.
type armCounter struct {
	next policy.Transporter
	n    atomic.Int64
}

func (c *armCounter) Do(req *http.Request) (*http.Response, error) {
	if strings.HasPrefix(req.URL.Path, "/subscriptions/") {
		c.n.Add(1)
	}
	return c.next.Do(req)
}

// Benchmark shape: 5 regions, one replica each, a 4 GiB image and a 1 s region delay; the seconds per
// GiB set the replication time of every region.
const (
	benchSizeGiB    = 4
	benchRegionBase = time.Second
)

var benchRegions = []string{"eastus", "westus", "northeurope", "westeurope", "uksouth"}

// inherentTime is the emulator's own time for the version operation: replication is a pure function of
// time there, so the slowest region's duration is exact.
func inherentTime(secPerGiB float64) time.Duration {
	return benchRegionBase + time.Duration(secPerGiB*benchSizeGiB*float64(time.Second))
}

// BenchmarkPublishOverhead publishes one version to 5 regions with 60 s of emulated replication and
// reports the plugin's overhead over the emulator's inherent time and its ARM requests, beside two
// baselines that wait on the same kind of LRO with fixed 10 s and 30 s polling, in the same run. A
// 1-region publish runs alongside to show requests do not grow with regions. Run with -benchtime=1x.
//
// Two replication times run: exactly 60 s, which fixed 10 s and 30 s polling happen to hit on the dot
// (their best case), and 62.5 s, where they pay the usual part of an interval.
func BenchmarkPublishOverhead(b *testing.B) {
	for _, secPerGiB := range []float64{14.75, 15.375} {
		b.Run(fmt.Sprintf("replication=%s", inherentTime(secPerGiB)), func(b *testing.B) { benchPublish(b, secPerGiB) })
	}
}

func benchPublish(b *testing.B, secPerGiB float64) {
	e := newEnv(b, emulator.Options{Replication: emulator.ReplicationConfig{SecondsPerGiB: secPerGiB, RegionBaseDelay: emulator.Duration(benchRegionBase)}})
	src := e.image("bench-img", "eastus", benchSizeGiB, armcompute.HyperVGenerationTypesV2)
	gp, err := e.compute.NewGalleriesClient().BeginCreateOrUpdate(e.ctx, testRG, testGallery, armcompute.Gallery{Location: to.Ptr("eastus")}, nil)
	done(b, "gallery", gp, err)
	dp, err := e.compute.NewGalleryImagesClient().BeginCreateOrUpdate(e.ctx, testRG, testGallery, testDef, armcompute.GalleryImage{Location: to.Ptr("eastus"),
		Properties: &armcompute.GalleryImageProperties{OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2), Identifier: &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("acme"), Offer: to.Ptr("ubuntu"), SKU: to.Ptr("24_04")}}}, nil)
	done(b, "definition", dp, err)

	type run struct {
		wall     time.Duration
		requests int64
		err      error
	}
	var sums [4]struct{ overhead, requests float64 }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		var runs [4]run
		// 0: the plugin, 5 regions; 1: the plugin, 1 region; 2, 3: fixed 10 s and 30 s polling, 5 regions.
		for k := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				version := fmt.Sprintf("%d.%d.0", i+1, k)
				counter := &armCounter{next: e.count.next}
				sess := e.benchSession(counter)
				start := time.Now()
				switch k {
				case 0, 1:
					regions := benchRegions
					if k == 1 {
						regions = benchRegions[:1]
					}
					req := e.request(src, version, regions...)
					req.CreateGallery, req.Timeout = false, 10*time.Minute
					_, runs[k].err = NewPublisher(sess, nil).Publish(context.Background(), req)
				default:
					runs[k].err = fixedPolling(sess, src, version, []time.Duration{10 * time.Second, 30 * time.Second}[k-2])
				}
				runs[k].wall = time.Since(start)
				runs[k].requests = counter.n.Load()
			}()
		}
		wg.Wait()
		for k, r := range runs {
			if r.err != nil {
				b.Fatalf("run %d: %v", k, r.err)
			}
			sums[k].overhead += (r.wall - inherentTime(secPerGiB)).Seconds()
			sums[k].requests += float64(r.requests)
		}
	}
	n := float64(b.N)
	inherent := inherentTime(secPerGiB).Seconds()
	b.ReportMetric(inherent, "inherent-s")
	b.ReportMetric(sums[0].overhead/n, "overhead-s")
	b.ReportMetric(100*sums[0].overhead/n/inherent, "overhead-%")
	b.ReportMetric(sums[0].requests/n, "arm-requests/publish")
	b.ReportMetric(sums[1].requests/n, "arm-requests/publish-1region")
	b.ReportMetric(sums[2].overhead/n, "poll10s-overhead-s")
	b.ReportMetric(sums[2].requests/n, "poll10s-arm-requests")
	b.ReportMetric(sums[3].overhead/n, "poll30s-overhead-s")
	b.ReportMetric(sums[3].requests/n, "poll30s-arm-requests")
	b.ReportMetric(0, "ns/op") // wall time per op is the replication itself; the metrics above say more
}

// benchSession is a session whose ARM requests go through counter.
func (e *env) benchSession(counter *armCounter) *azure.Session {
	cfg := &azure.Config{ClientID: e.ready.ClientID, ClientSecret: e.ready.ClientSecret, TenantID: e.ready.TenantID, SubscriptionID: e.ready.SubscriptionID, MetadataHost: e.ready.MetadataHost}
	sess, err := azure.NewSession(e.ctx, cfg, azure.WithTransport(counter))
	if err != nil {
		e.t.Fatal(err)
	}
	return sess
}

// fixedPolling is the baseline: the same single PUT, then the SDK poller polled every interval,
// ignoring Retry-After, as a tool with a fixed polling frequency does.
func fixedPolling(sess *azure.Session, src, version string, interval time.Duration) error {
	cf, err := sess.Compute("")
	if err != nil {
		return err
	}
	req := Request{TargetRegions: nil}
	a := &Actions{Location: "eastus", VersionName: version}
	for _, r := range benchRegions {
		a.Regions = append(a.Regions, RegionPlan{Name: r, Replicas: 1, StorageAccountType: DefaultStorageAccountType})
	}
	ctx := context.Background()
	poller, err := cf.NewGalleryImageVersionsClient().BeginCreateOrUpdate(ctx, testRG, testGallery, testDef, version, versionBody(req, a, Source{ID: src}), nil)
	if err != nil {
		return err
	}
	for !poller.Done() {
		time.Sleep(interval)
		if _, err := poller.Poll(ctx); err != nil {
			return err
		}
	}
	_, err = poller.Result(ctx)
	return err
}
