package upload

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/bench/benchutil"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/azuritetest"
)

// Goals from issue 15.
const (
	goalDenseVsLoop   = 0.90 // uploader MB/s ÷ azblob loop MB/s, median
	goalSparseSpeedup = 1.5  // azcopy time ÷ uploader time, where the layout is not aligned to azcopy's chunks
)

// sample is one tool's results over the rounds on one file.
type sample struct{ mbps, wall, rss, inFlight []float64 }

// add records one run: secs is the upload's own time (MB/s), wall its process's start to exit.
func (s *sample) add(nonZero int64, secs, wall float64, rss int64) {
	s.mbps = append(s.mbps, float64(nonZero)/secs/1e6)
	s.wall = append(s.wall, wall)
	s.rss = append(s.rss, float64(rss)/mib)
}

// addChild records a child's run.
func (s *sample) addChild(nonZero int64, r childResult) {
	s.add(nonZero, r.Seconds, r.Wall, r.MaxRSS)
	s.inFlight = append(s.inFlight, r.InFlight)
}

// settle flushes dirty pages (the previous case's blob, which Azurite wrote to disk) before a case
// starts, so that no case pays for the writeback of the one before it.
func settle() { syscall.Sync() }

// BenchmarkUpload runs the uploader, the azblob loop (dense file) and azcopy (when $AZCOPY names it) on
// each layout in rotated order for BENCH_ROUNDS rounds against one Azurite, and prints a table row per
// comparison. BENCH_UPLOAD_COMPARE=N adds, on the dense file, the uploader at N writes in flight (say
// 8, the default before issue 15 cut its buffers).
func BenchmarkUpload(b *testing.B) {
	endpoint := azuritetest.Start(b)
	dir := b.TempDir()
	azcopy := os.Getenv("AZCOPY")
	if azcopy == "" && os.Getenv("ACCTEST_REQUIRED") == "1" {
		b.Fatal("AZCOPY is not set (make bench builds azcopy into .tools/bin)")
	}
	conc := vhd.DefaultConcurrency
	blobs := 0
	blob := func(size int64) string {
		blobs++
		return newPageBlob(b, endpoint, fmt.Sprintf("blob%d.vhd", blobs), vhd.VHDSizeForRaw(size))
	}
	rounds := benchutil.Rounds(3)
	only := os.Getenv("BENCH_LAYOUTS") // a comma-separated subset of layout names, for a longer run of one
	compare := benchutil.IntOr(os.Getenv("BENCH_UPLOAD_COMPARE"), 0)
	for _, l := range layouts(int64(benchutil.IntOr(os.Getenv("BENCH_DENSE_MIB"), 256)), int64(benchutil.IntOr(os.Getenv("BENCH_SPARSE_MIB"), 1024))) {
		if only != "" && !slices.Contains(strings.Split(only, ","), l.name) {
			continue
		}
		path, nonZero := l.write(b, dir)
		load := benchutil.LoadAvg()
		// Warm Azurite (Node's JIT, its extent store) and the page cache so no case pays for them alone.
		runUploadChild(b, "uploader", path, blob(l.size), conc)
		var up, loop, ac, upN sample
		cases := []func(int){func(int) {
			settle()
			r := runUploadChild(b, "uploader", path, blob(l.size), conc)
			if !r.Verified {
				b.Errorf("%s: the uploaded page ranges did not verify", l.name)
			}
			up.addChild(nonZero, r)
		}}
		if l.name == "dense" {
			cases = append(cases, func(int) {
				settle()
				loop.addChild(nonZero, runUploadChild(b, "loop", path, blob(l.size), conc))
			})
			if compare > 0 {
				cases = append(cases, func(int) {
					settle()
					upN.addChild(nonZero, runUploadChild(b, "uploader", path, blob(l.size), compare))
				})
			}
		}
		if azcopy != "" {
			cases = append(cases, func(int) {
				settle()
				blobs++
				secs, rss := azcopyUpload(b, azcopy, path, blobSAS(b, endpoint, fmt.Sprintf("azcopy%d.vhd", blobs)))
				ac.add(nonZero, secs, secs, rss)
			})
		}
		benchutil.Rotate(rounds, cases)
		after := benchutil.LoadAvg()
		emitUpload(b, l, nonZero, &up, &loop, &ac, rounds, load, after)
		if len(upN.mbps) > 0 {
			benchutil.Emit(b.Logf, benchutil.Row{Section: "upload",
				What:     fmt.Sprintf("upload dense %d MiB, MB/s: the uploader at %d writes in flight (default) vs at %d (%d MiB more buffers)", l.size/mib, conc, compare, (compare-conc)*vhd.MaxPageWrite/mib),
				Measured: benchutil.Summarize(up.mbps).Format(0), Baseline: benchutil.Summarize(upN.mbps).Format(0),
				Ratio: benchutil.Summarize(benchutil.Ratios(up.mbps, upN.mbps)).Format(2), Goal: "—", Verdict: "(no goal)",
				Rounds: rounds, LoadBefore: load, LoadAfter: after})
			b.Logf("uploader at %d per round (MB/s): %.0f; peak RSS %s MiB", compare, upN.mbps, benchutil.Summarize(upN.rss).Format(0))
		}
	}
}

func emitUpload(b *testing.B, l layout, nonZero int64, up, loop, ac *sample, rounds int, load, after string) {
	what := fmt.Sprintf("upload %s %d MiB (%d MiB non-zero), MB/s of non-zero bytes", l.name, l.size/mib, nonZero/mib)
	row := func(vs, measured, baseline string, ratio benchutil.Stats, goal string, ok bool) {
		benchutil.Emit(b.Logf, benchutil.Row{Section: "upload", What: what + " vs " + vs, Measured: measured,
			Baseline: baseline, Ratio: ratio.Format(2), Goal: goal, Verdict: map[bool]string{true: benchutil.Verdict(ok), false: "(no goal)"}[goal != "—"],
			Rounds: rounds, LoadBefore: load, LoadAfter: after})
	}
	if len(loop.mbps) > 0 {
		r := benchutil.Summarize(benchutil.Ratios(up.mbps, loop.mbps))
		row(fmt.Sprintf("azblob UploadPages loop (%d workers; mean writes in flight %s vs %s)", vhd.DefaultConcurrency,
			benchutil.Summarize(up.inFlight).Format(2), benchutil.Summarize(loop.inFlight).Format(2)), benchutil.Summarize(up.mbps).Format(0),
			benchutil.Summarize(loop.mbps).Format(0), r,
			fmt.Sprintf("uploader ÷ loop ≥ %.2f (median)", goalDenseVsLoop), r.Median >= goalDenseVsLoop)
	}
	if len(ac.mbps) > 0 {
		// Wall time for both: azcopy's is process start to exit, so the uploader's child is timed the same way.
		r := benchutil.Summarize(benchutil.Ratios(ac.wall, up.wall))
		goal := "—"
		if l.name != "dense" && !l.alignedToAzcopyChunks {
			goal = fmt.Sprintf("azcopy s ÷ uploader s ≥ %.1f (median)", goalSparseSpeedup)
		}
		upWall := make([]float64, len(up.wall))
		for i, w := range up.wall {
			upWall[i] = float64(nonZero) / w / 1e6
		}
		row("azcopy v10.22.2 (ratio = azcopy s ÷ uploader s, both process wall time)", benchutil.Summarize(upWall).Format(0),
			benchutil.Summarize(ac.mbps).Format(0), r, goal, r.Median >= goalSparseSpeedup)
	}
	b.Logf("%s per round (MB/s): uploader %.0f, loop %.0f; wall s: uploader %.1f, azcopy %.1f", l.name, up.mbps, loop.mbps, up.wall, ac.wall)
	b.Logf("%s: uploader peak RSS %s MiB, azcopy %s MiB", l.name, benchutil.Summarize(up.rss).Format(0), benchutil.Summarize(ac.rss).Format(0))
}
