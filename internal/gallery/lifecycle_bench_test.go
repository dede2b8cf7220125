package gallery

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

// BenchmarkAutoFactory is the image-factory figure: 50 auto-versioned publishes at once against one
// definition (goroutines, each with its own Publisher, each from its own source image), against a single
// publish of the same shape in the same emulator. It reports the wall time relative to the single publish,
// the ARM requests per publish, the numbers tried per publish, and the failures. Run with -benchtime=1x.
//
// Two replication times run: 3 s, where the retries' jitter and 50 publishes' polling on a shared machine
// show most, and 20 s, closer to a real (many-minute) replication.
func BenchmarkAutoFactory(b *testing.B) {
	for _, secPerGiB := range []float64{2, 19} {
		b.Run(fmt.Sprintf("replication=%s", time.Second+time.Duration(secPerGiB*float64(time.Second))), func(b *testing.B) { benchFactory(b, secPerGiB) })
	}
}

func benchFactory(b *testing.B, secPerGiB float64) {
	const parallel = 50
	e := newEnv(b, emulator.Options{Replication: emulator.ReplicationConfig{SecondsPerGiB: secPerGiB, RegionBaseDelay: emulator.Duration(time.Second)}})
	e.galleryAndDefinition()
	var sources []string
	for i := 0; i <= parallel; i++ {
		sources = append(sources, e.image(fmt.Sprintf("factory-%d", i), "eastus", 1, armcompute.HyperVGenerationTypesV2))
	}
	publish := func(src string) (*Result, error) {
		return e.publisher(nil).Publish(e.ctx, e.request(src, "auto", "westus", "northeurope"))
	}
	b.ResetTimer()
	var ratio, reqs, attempts, failures float64
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := publish(sources[0]); err != nil {
			b.Fatal(err)
		}
		single := time.Since(start)

		before := e.count.total.Load()
		var wg sync.WaitGroup
		var mu sync.Mutex
		start = time.Now()
		for _, src := range sources[1:] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := publish(src)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failures++
					b.Logf("publish failed: %v", err)
					return
				}
				attempts += float64(res.Attempts)
			}()
		}
		wg.Wait()
		ratio += float64(time.Since(start)) / float64(single)
		reqs += float64(e.count.total.Load()-before) / parallel
	}
	n := float64(b.N)
	b.ReportMetric(ratio/n, "wall/single")
	b.ReportMetric(reqs/n, "requests/publish")
	b.ReportMetric(attempts/n/parallel, "attempts/publish")
	b.ReportMetric(failures/n, "failures")
}
