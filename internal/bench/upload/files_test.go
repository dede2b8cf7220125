package upload

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"
)

const mib = 1 << 20

// layout is one benchmark file: size bytes whose data lies in pieces of piece bytes, one every stride
// bytes starting at offset; holes says whether the zeros between are holes or written out.
type layout struct {
	name                         string
	size, piece, stride, offset  int64
	holes, alignedToAzcopyChunks bool
}

// layouts are the dense file and the three sparse ones, all with the same data fraction (10%) in the
// sparse case so that only the layout differs between them.
func layouts(denseMiB, sparseMiB int64) []layout {
	return []layout{
		{name: "dense", size: denseMiB * mib, piece: denseMiB * mib, stride: denseMiB * mib, holes: true},
		// 4 MiB of data on every 10th 4 MiB chunk boundary: azcopy's 4 MiB page chunks hold data or
		// nothing, so it sends exactly the non-zero bytes (its best case).
		{name: "sparse-aligned", size: sparseMiB * mib, piece: 4 * mib, stride: 40 * mib, holes: true, alignedToAzcopyChunks: true},
		// 2.5 MiB of data every 25 MiB, starting 0.75 MiB into the stride: the pieces fall anywhere in
		// azcopy's chunks and often straddle two.
		{name: "sparse-unaligned", size: sparseMiB * mib, piece: 5 * mib / 2, stride: 25 * mib, offset: 3 * mib / 4, holes: true},
		// The same data with the zeros written out: no holes, so both tools read every byte.
		{name: "sparse-unaligned-no-holes", size: sparseMiB * mib, piece: 5 * mib / 2, stride: 25 * mib, offset: 3 * mib / 4},
	}
}

// write creates the file in dir and returns its path and the non-zero bytes of its VHD view (what
// every MB/s in the table counts).
func (l layout) write(tb testing.TB, dir string) (string, int64) {
	tb.Helper()
	p := filepath.Join(dir, l.name+".raw")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if l.holes {
		err = f.Truncate(l.size)
	} else {
		err = writeZeros(f, l.size)
	}
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, min(l.piece, 8*mib))
	for start := l.offset; start < l.size; start += l.stride {
		end := min(start+l.piece, l.size)
		for off := start; off < end; off += int64(len(buf)) {
			n := min(int64(len(buf)), end-off)
			_, _ = rng.Read(buf[:n])
			if _, err := f.WriteAt(buf[:n], off); err != nil {
				tb.Fatal(err)
			}
		}
	}
	var nonZero int64
	err = vhd.ScanNonZero(context.Background(), vhd.NewStream(f, l.size), func(r vhd.Range) error { nonZero += r.Len(); return nil })
	if err != nil {
		tb.Fatal(err)
	}
	return p, nonZero
}

func writeZeros(f *os.File, size int64) error {
	zeros := make([]byte, 8*mib)
	for off := int64(0); off < size; off += int64(len(zeros)) {
		if _, err := f.WriteAt(zeros[:min(int64(len(zeros)), size-off)], off); err != nil {
			return err
		}
	}
	return nil
}
