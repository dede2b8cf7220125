package publish

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/bench/benchutil"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

const (
	parallel      = 50
	goalFactory   = 1.2 // 50 parallel publishes ÷ one publish, at 20 s of replication or more
	factoryGoalAt = 20
)

var factoryRegions = []string{"westus", "northeurope"}

// BenchmarkAutoFactory is the image factory: 50 `auto` publishes at once into one definition, each
// from its own source with its own Publisher and session (the shipped wait options and retry policy;
// nothing tuned for the test), beside one publish of the same shape, in rotated order (single, batch;
// batch, single; …), each case in a fresh definition. It counts failures, distinct versions created,
// and the numbers each publish tried. Replication times come from BENCH_FACTORY_REPLICATIONS (seconds,
// default "3,20"; add 60 for the long run).
func BenchmarkAutoFactory(b *testing.B) {
	for _, s := range strings.Split(envOr(os.Getenv("BENCH_FACTORY_REPLICATIONS"), "3,20"), ",") {
		secs, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || secs <= 1 {
			b.Fatalf("BENCH_FACTORY_REPLICATIONS: %q", s)
		}
		b.Run(fmt.Sprintf("replication=%gs", secs), func(b *testing.B) { benchFactory(b, secs) })
	}
}

// factoryRun is one batch's outcome.
type factoryRun struct {
	wall               time.Duration
	failures, distinct int
	attempts           []float64
	requests           int64
}

func benchFactory(b *testing.B, secs float64) {
	f := newFixture(b, emulator.ReplicationConfig{SecondsPerGiB: secs - 1, RegionBaseDelay: emulator.Duration(time.Second)})
	var sources []string
	for i := range parallel {
		sources = append(sources, f.image(fmt.Sprintf("factory-%d", i), 1))
	}
	load := benchutil.LoadAvg()
	var singles, batches []float64
	var attempts []float64
	var failures, distinctShort int
	var reqs []float64
	defs := 0
	run := func(srcs []string) factoryRun {
		defs++
		def := fmt.Sprintf("factory%d", defs)
		f.definition(def)
		return f.batch(def, srcs)
	}
	benchutil.Rotate(benchutil.Rounds(3), []func(int){
		func(int) { singles = append(singles, run(sources[:1]).wall.Seconds()) },
		func(int) {
			r := run(sources)
			batches = append(batches, r.wall.Seconds())
			attempts = append(attempts, r.attempts...)
			failures += r.failures
			distinctShort += parallel - r.failures - r.distinct
			reqs = append(reqs, float64(r.requests)/parallel)
		},
	})
	ratio := benchutil.Summarize(benchutil.Ratios(batches, singles))
	goal, verdict := "—", "(no goal below 20 s)"
	if secs >= factoryGoalAt {
		goal = fmt.Sprintf("0 failures, ≤ %.1f× one publish (median)", goalFactory)
		verdict = benchutil.Verdict(failures == 0 && distinctShort == 0 && ratio.Median <= goalFactory)
	}
	att := benchutil.Summarize(attempts)
	benchutil.Emit(b.Logf, benchutil.Row{Section: "factory",
		What: fmt.Sprintf("%d parallel auto publishes, %g s replication × 2 regions: wall ÷ one publish; failures %d; versions not distinct %d; numbers tried per publish %s; ARM requests per publish %s",
			parallel, secs, failures, distinctShort, att.Format(0), benchutil.Summarize(reqs).Format(1)),
		Measured: benchutil.Summarize(batches).Format(1) + " s", Baseline: benchutil.Summarize(singles).Format(1) + " s (one publish)",
		Ratio: ratio.Format(2), Goal: goal, Verdict: verdict, Rounds: len(batches), LoadBefore: load, LoadAfter: benchutil.LoadAvg()})
}

// batch publishes every source as "auto" into def at once and checks the versions: one Succeeded
// version per successful publish, each with a distinct number.
func (f *fixture) batch(def string, srcs []string) factoryRun {
	var out factoryRun
	var mu sync.Mutex
	var wg sync.WaitGroup
	seen := map[string]bool{}
	counter := &armCounter{}
	start := time.Now()
	for _, src := range srcs {
		wg.Go(func() {
			res, err := gallery.NewPublisher(f.session(counter), nil).Publish(context.Background(), request(src, def, "auto", factoryRegions))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				out.failures++
				f.tb.Logf("publish from %s failed: %v", src, err)
				return
			}
			out.attempts = append(out.attempts, float64(res.Attempts))
			seen[res.Version] = true
		})
	}
	wg.Wait()
	out.wall = time.Since(start)
	out.requests = counter.n.Load()
	out.distinct = len(seen)
	f.checkVersions(def, len(srcs)-out.failures)
	return out
}

// checkVersions reads the definition back: it must hold want versions, all Succeeded.
func (f *fixture) checkVersions(def string, want int) {
	f.tb.Helper()
	pager := f.setup.NewGalleryImageVersionsClient().NewListByGalleryImagePager(rgName, galleryName, def, nil)
	var got []*armcompute.GalleryImageVersion
	for pager.More() {
		page, err := pager.NextPage(f.ctx)
		if err != nil {
			f.tb.Fatal(err)
		}
		got = append(got, page.Value...)
	}
	if len(got) != want {
		f.tb.Errorf("%s: %d versions in the definition, want %d (one per successful publish)", def, len(got), want)
	}
	for _, v := range got {
		if v.Properties == nil || v.Properties.ProvisioningState == nil || *v.Properties.ProvisioningState != armcompute.GalleryProvisioningStateSucceeded {
			f.tb.Errorf("%s: version %s is not Succeeded", def, *v.Name)
		}
	}
}

// envOr is an environment variable's value (read by the caller with its literal name), or def.
func envOr(value, def string) string {
	if v := strings.TrimSpace(value); v != "" {
		return v
	}
	return def
}
