package publish

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/bench/benchutil"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

var regions = []string{"eastus", "westus", "northeurope", "westeurope", "uksouth"}

const (
	imageGiB   = 4
	regionBase = time.Second
)

// column is one way of waiting, measured over the rounds.
type column struct{ overshoot, requests []float64 }

// BenchmarkPublishOverhead publishes a 4 GiB image to 5 regions with the shipped plugin, beside two
// fixed pollers (10 s and 30 s) that PUT the same version and then poll the LRO at a uniformly random
// phase, all three at once in each round against the same emulator (so they share the machine's load).
// Overshoot is wall time minus the emulator's inherent replication time (a pure function of time
// there), measured the same way for every column; requests count every ARM request of each column.
func BenchmarkPublishOverhead(b *testing.B) {
	repl := benchutil.FloatOr(os.Getenv("BENCH_REPLICATION_S"), 60)
	inherent := time.Duration(repl * float64(time.Second))
	perGiB := (inherent - regionBase).Seconds() / imageGiB
	f := newFixture(b, emulator.ReplicationConfig{SecondsPerGiB: perGiB, RegionBaseDelay: emulator.Duration(regionBase)})
	f.definition("overhead")
	src := f.image("overhead-src", imageGiB)
	rounds := benchutil.Rounds(3)
	load := benchutil.LoadAvg()
	intervals := []time.Duration{10 * time.Second, 30 * time.Second}
	plugin, fixed := &column{}, []*column{{}, {}}
	rng := rand.New(rand.NewPCG(15, 15))
	for r := range rounds {
		var wg sync.WaitGroup
		measure := func(c *column, run func(*armCounter) error) {
			defer wg.Done()
			counter := &armCounter{}
			start := time.Now()
			if err := run(counter); err != nil {
				b.Errorf("round %d: %v", r, err)
				return
			}
			c.overshoot = append(c.overshoot, (time.Since(start) - inherent).Seconds())
			c.requests = append(c.requests, float64(counter.n.Load()))
		}
		wg.Add(3)
		go measure(plugin, func(c *armCounter) error {
			_, err := gallery.NewPublisher(f.session(c), nil).Publish(context.Background(), request(src, "overhead", fmt.Sprintf("%d.0.0", r+1), regions))
			return err
		})
		for i, iv := range intervals {
			phase := time.Duration(rng.Float64() * float64(iv))
			go measure(fixed[i], func(c *armCounter) error {
				return fixedPoll(f, f.session(c), src, fmt.Sprintf("%d.%d.1", r+1, i), iv, phase)
			})
		}
		wg.Wait()
	}
	emitOverhead(b, repl, plugin, fixed, intervals, load)
}

func emitOverhead(b *testing.B, repl float64, plugin *column, fixed []*column, intervals []time.Duration, load string) {
	after := benchutil.LoadAvg()
	goal := max(2, 0.02*repl)
	ov := benchutil.Summarize(plugin.overshoot)
	for i, iv := range intervals {
		avgOver, avgReq := fixedAverage(repl, iv.Seconds())
		base := benchutil.Summarize(fixed[i].overshoot)
		benchutil.Emit(b.Logf, benchutil.Row{Section: "publish",
			What:     fmt.Sprintf("wait past the end (s), %g s linear replication × 5 regions, vs fixed %s polling", repl, iv),
			Measured: ov.Format(2), Baseline: fmt.Sprintf("%s sampled; %.1f average (analytic)", base.Format(2), avgOver),
			Ratio: fmt.Sprintf("%.3f (plugin median ÷ poller average)", ov.Median/avgOver),
			Goal:  fmt.Sprintf("plugin ≤ %.1f s", goal), Verdict: benchutil.Verdict(ov.Max <= goal), Rounds: len(plugin.overshoot), LoadBefore: load, LoadAfter: after})
		req := benchutil.Summarize(plugin.requests)
		benchutil.Emit(b.Logf, benchutil.Row{Section: "publish",
			What:     fmt.Sprintf("ARM requests per publish (all, counted alike), vs fixed %s polling", iv),
			Measured: req.Format(0), Baseline: fmt.Sprintf("%s sampled; %.1f average (analytic: PUT + polls + final GET)", benchutil.Summarize(fixed[i].requests).Format(0), avgReq),
			Ratio: fmt.Sprintf("%.2f", req.Median/avgReq), Goal: "—", Verdict: "(no goal)", Rounds: len(plugin.requests), LoadBefore: load, LoadAfter: after})
	}
}

// fixedAverage is a fixed poller's expected wait past the end and request count over a uniformly random
// phase φ in [0, T): it polls at φ, φ+T, … and sees the end at the first poll at or after D. The
// expected overshoot is T/2; requests are the PUT, the polls, and the final GET of the result.
func fixedAverage(d, t float64) (overshoot, requests float64) {
	const samples = 10000
	for i := range samples {
		phi := (float64(i) + 0.5) / samples * t
		k := 0.0
		if d > phi {
			k = float64(int((d - phi + t - 1e-9) / t))
		}
		overshoot += phi + k*t - d
		requests += 1 + (k + 1) + 1
	}
	return overshoot / samples, requests / samples
}

// fixedPoll is the baseline: the same version PUT with the SDK's poller, then a poll at phase and every
// interval after it, ignoring Retry-After, as a tool with a fixed polling frequency does.
func fixedPoll(f *fixture, sess interface {
	Compute(string) (*armcompute.ClientFactory, error)
}, src, version string, interval, phase time.Duration) error {
	cf, err := sess.Compute("")
	if err != nil {
		return err
	}
	body := armcompute.GalleryImageVersion{Location: to.Ptr("eastus"), Properties: &armcompute.GalleryImageVersionProperties{
		StorageProfile:    &armcompute.GalleryImageVersionStorageProfile{Source: &armcompute.GalleryArtifactVersionFullSource{ID: to.Ptr(src)}},
		PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{}}}
	for _, r := range regions {
		body.Properties.PublishingProfile.TargetRegions = append(body.Properties.PublishingProfile.TargetRegions,
			&armcompute.TargetRegion{Name: to.Ptr(r), RegionalReplicaCount: to.Ptr[int32](1)})
	}
	poller, err := cf.NewGalleryImageVersionsClient().BeginCreateOrUpdate(f.ctx, rgName, galleryName, "overhead", version, body, nil)
	if err != nil {
		return err
	}
	for next := phase; !poller.Done(); next = interval {
		time.Sleep(next)
		if _, err := poller.Poll(f.ctx); err != nil {
			return err
		}
	}
	_, err = poller.Result(f.ctx)
	return err
}
