package upload

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/azuritetest"
)

const mib = 1 << 20

// makeFile writes a raw image of size bytes in which every stride-th MiB holds pseudo-random data (1 =
// dense); the rest are holes. It returns the path and the non-zero bytes of its VHD view.
func makeFile(tb testing.TB, dir, name string, size int64, stride int64) (string, int64) {
	tb.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		tb.Fatal(err)
	}
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, mib)
	for off := int64(0); off < size; off += stride * mib {
		_, _ = rng.Read(buf)
		if _, err := f.WriteAt(buf, off); err != nil {
			tb.Fatal(err)
		}
	}
	var nonZero int64
	err = vhd.ScanNonZero(context.Background(), vhd.NewStream(f, size), func(r vhd.Range) error { nonZero += r.Len(); return nil })
	if err != nil {
		tb.Fatal(err)
	}
	return p, nonZero
}

// BenchmarkUpload uploads a 1 GiB dense and an 8 GiB sparse (10% data) raw image to one Azurite with the
// import builder's uploader (in a child process, for its peak RSS), beside plain PUT loops.
func BenchmarkUpload(b *testing.B) {
	endpoint := azuritetest.Start(b)
	dir := b.TempDir()
	dense, denseNZ := makeFile(b, dir, "dense.raw", 1<<30, 1)
	sparse, sparseNZ := makeFile(b, dir, "sparse.raw", 8<<30, 10)
	blobs := 0
	blob := func(size int64) string {
		blobs++
		return newPageBlob(b, endpoint, fmt.Sprintf("blob%d.vhd", blobs), vhd.VHDSizeForRaw(size))
	}
	// Warm Azurite up (Node's JIT, its extent store) so that whichever case runs first is not penalised.
	putLoop(b, dense, blob(256*mib), 256*mib, vhd.DefaultConcurrency)

	for _, c := range []struct {
		name    string
		path    string
		size    int64
		nonZero int64
	}{{"dense-1GiB", dense, 1 << 30, denseNZ}, {"sparse-8GiB-10pct", sparse, 8 << 30, sparseNZ}} {
		b.Run("uploader/"+c.name, func(b *testing.B) {
			for range b.N {
				r, rss := uploadInChild(b, c.path, blob(c.size), vhd.DefaultConcurrency)
				b.ReportMetric(float64(r.BytesSent)/r.Seconds/1e6, "MB/s-sent")
				b.ReportMetric(float64(c.size)/r.Seconds/1e6, "MB/s-disk")
				b.ReportMetric(r.Seconds, "s")
				b.ReportMetric(float64(r.BytesSent)/float64(c.nonZero), "sent/nonzero")
				b.ReportMetric(float64(rss)/mib, "MiB-maxrss")
				if !r.Verified {
					b.Fatalf("%s: the uploaded page ranges did not verify against the image", c.name)
				}
			}
		})
	}
	if bin := os.Getenv("AZCOPY"); bin != "" {
		for _, c := range []struct {
			name string
			path string
			size int64
		}{{"dense-1GiB", dense, 1 << 30}, {"sparse-8GiB-10pct", sparse, 8 << 30}} {
			b.Run("azcopy/"+c.name, func(b *testing.B) {
				for range b.N {
					blobs++
					secs, rss := azcopyUpload(b, bin, c.path, blobSAS(b, endpoint, fmt.Sprintf("azcopy%d.vhd", blobs)))
					b.ReportMetric(float64(c.size)/secs/1e6, "MB/s-disk")
					b.ReportMetric(secs, "s")
					b.ReportMetric(float64(rss)/mib, "MiB-maxrss")
				}
			})
		}
	}
	for _, streams := range []int{1, vhd.DefaultConcurrency} {
		b.Run("putloop/dense-1GiB/streams="+strconv.Itoa(streams), func(b *testing.B) {
			for range b.N {
				secs := putLoop(b, dense, blob(1<<30), 1<<30, streams)
				b.ReportMetric(float64(1<<30)/secs/1e6, "MB/s-sent")
				b.ReportMetric(secs, "s")
			}
		})
	}
}
