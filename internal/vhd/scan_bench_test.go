package vhd

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkScanSparse scans a 30 GiB sparse raw image holding 2 GiB of data (32 blocks of 64 MiB) through
// the VHD view, as the uploader does. Holes are skipped with SEEK_DATA, so the time tracks the data,
// not the disk size. Run with -benchtime 1x; it reports, never asserts.
func BenchmarkScanSparse(b *testing.B) {
	const size, block, blocks = 30 << 30, 64 * MiB, 32
	path := filepath.Join(b.TempDir(), "sparse.raw")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, block)
	for i := range buf {
		buf[i] = byte(i | 1)
	}
	for i := int64(0); i < blocks; i++ {
		if _, err := f.WriteAt(buf, i*(size/blocks)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		s := NewStream(f, size)
		var nonZero, read int64
		start := time.Now()
		sc := NewScanner(s)
		win := make([]byte, MaxPageWrite)
		for {
			w, err := sc.Next(win)
			if err != nil {
				break
			}
			read += int64(len(w.Data))
			for _, r := range w.Runs {
				nonZero += r.Len()
			}
		}
		secs := time.Since(start).Seconds()
		b.ReportMetric(secs, "s")
		b.ReportMetric(float64(read)/(1<<30), "GiB-read")
		b.ReportMetric(float64(nonZero)/(1<<30), "GiB-nonzero")
		b.ReportMetric(float64(size)/secs/(1<<30), "GiB/s-virtual")
	}
}
