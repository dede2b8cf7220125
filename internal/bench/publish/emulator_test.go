package publish

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/bench/benchutil"
)

// BenchmarkEmulatorWriteCost times one synchronous ARM write (a resource group PUT, which the emulator
// commits by writing its whole state file: temp file, fsync, rename) beside one ARM read (a GET of the
// same group) through the same SDK client, in rotated order, with an empty store and with
// BENCH_EMULATOR_RESOURCES (default 300) resource groups in it: the write's cost grows with the store,
// the read's should not.
func BenchmarkEmulatorWriteCost(b *testing.B) {
	f := newFixture(b, emulator.ReplicationConfig{})
	rf, err := f.session(nil).Resources("")
	if err != nil {
		b.Fatal(err)
	}
	rg := rf.NewResourceGroupsClient()
	const ops = 20
	total := benchutil.IntOr(os.Getenv("BENCH_EMULATOR_RESOURCES"), 300)
	for _, size := range []int{1, total} {
		for i := 1; i < size; i++ {
			name := fmt.Sprintf("filler-%d", i)
			if _, err := rg.CreateOrUpdate(f.ctx, name, armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
				b.Fatal(err)
			}
		}
		load := benchutil.LoadAvg()
		var writes, reads []float64
		tag := 0
		benchutil.Rotate(benchutil.Rounds(3), []func(int){
			func(int) {
				start := time.Now()
				for range ops {
					tag++
					body := armresources.ResourceGroup{Location: to.Ptr("eastus"), Tags: map[string]*string{"n": to.Ptr(fmt.Sprint(tag))}}
					if _, err := rg.CreateOrUpdate(f.ctx, rgName, body, nil); err != nil {
						b.Fatal(err)
					}
				}
				writes = append(writes, float64(time.Since(start).Microseconds())/1000/ops)
			},
			func(int) {
				start := time.Now()
				for range ops {
					if _, err := rg.Get(f.ctx, rgName, nil); err != nil {
						b.Fatal(err)
					}
				}
				reads = append(reads, float64(time.Since(start).Microseconds())/1000/ops)
			},
		})
		benchutil.Emit(b.Logf, benchutil.Row{Section: "emulator",
			What:     fmt.Sprintf("ARM write (resource group PUT, ms) with %d resource groups in the store, vs a GET of one", size),
			Measured: benchutil.Summarize(writes).Format(1), Baseline: benchutil.Summarize(reads).Format(1),
			Ratio: benchutil.Summarize(benchutil.Ratios(writes, reads)).Format(1), Goal: "—", Verdict: "(no goal)",
			Rounds: len(writes), LoadBefore: load, LoadAfter: benchutil.LoadAvg()})
	}
}
