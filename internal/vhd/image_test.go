package vhd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestStreamLayout(t *testing.T) {
	raw := bytes.Repeat([]byte{0xab}, MiB+100)
	f := NewFixedFooter(2*MiB, time.Unix(1e9, 0), [16]byte{3})
	s := NewStreamWithFooter(bytes.NewReader(raw), int64(len(raw)), f)
	if s.Size() != 2*MiB+512 || s.VirtualSize() != 2*MiB {
		t.Fatalf("size %d virtual %d", s.Size(), s.VirtualSize())
	}
	all, err := io.ReadAll(io.NewSectionReader(s, 0, s.Size()))
	if err != nil {
		t.Fatal(err)
	}
	want := append(append(append([]byte(nil), raw...), make([]byte, 2*MiB-len(raw))...), mustMarshal(f)...)
	if !bytes.Equal(all, want) {
		t.Fatal("stream bytes differ from raw + padding + footer")
	}
	// The result is a valid fixed VHD.
	if got, err := Detect(bytes.NewReader(all), int64(len(all))); err != nil || got != FormatFixedVHD {
		t.Fatalf("Detect on stream output: %v %v", got, err)
	}
	// Reads that straddle each boundary.
	for _, off := range []int64{0, MiB + 50, 2*MiB - 10, 2*MiB + 500} {
		p := make([]byte, 64)
		n, err := s.ReadAt(p, off)
		end := min(off+64, s.Size())
		if n != int(end-off) || !bytes.Equal(p[:n], want[off:end]) {
			t.Errorf("ReadAt(%d): n=%d err=%v", off, n, err)
		}
		if end < off+64 && !errors.Is(err, io.EOF) {
			t.Errorf("ReadAt(%d) past the end: err=%v, want EOF", off, err)
		}
	}
}

func TestStreamShrunkFile(t *testing.T) {
	s := NewStream(bytes.NewReader(make([]byte, 100)), 1000) // claims 1000, holds 100
	if _, err := s.ReadAt(make([]byte, 512), 0); err == nil {
		t.Fatal("a raw file shorter than its stated size read without error")
	}
}

func mustMarshal(f Footer) []byte { b, _ := f.MarshalBinary(); return b }

func collectRuns(t *testing.T, img Image) []Range {
	t.Helper()
	var runs []Range
	if err := ScanNonZero(context.Background(), img, func(r Range) error { runs = append(runs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return runs
}

func TestNonZeroRuns(t *testing.T) {
	data := make([]byte, 8*512)
	data[0] = 1       // page 0
	data[512+511] = 1 // page 1 → merges with 0
	data[3*512+7] = 1 // page 3
	data[7*512] = 1   // page 7
	got := NonZeroRuns(data, 1000*512)
	want := []Range{{1000 * 512, 1002 * 512}, {1003 * 512, 1004 * 512}, {1007 * 512, 1008 * 512}}
	if !equalRanges(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	if r := NonZeroRuns(make([]byte, 4096), 0); len(r) != 0 {
		t.Fatalf("zeros gave %v", r)
	}
}

func equalRanges(a, b []Range) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestScanCapsRunsAt4MiB(t *testing.T) {
	raw := bytes.Repeat([]byte{1}, 10*MiB)
	s := NewStreamWithFooter(bytes.NewReader(raw), int64(len(raw)), NewFixedFooter(10*MiB, time.Unix(0, 0), [16]byte{}))
	runs := collectRuns(t, s)
	var total int64
	for _, r := range runs {
		if r.Len() > MaxPageWrite || r.Start%512 != 0 || r.End%512 != 0 {
			t.Errorf("bad run %v", r)
		}
		total += r.Len()
	}
	if total != 10*MiB+512 {
		t.Errorf("runs cover %d bytes, want %d", total, 10*MiB+512)
	}
}

// TestScanSparseFile writes a real sparse file and checks that the scan finds exactly the data written,
// whether holes come from SEEK_DATA or from reading zeros.
func TestScanSparseFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "disk.raw")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const size = 64*MiB + 300 // not aligned: padding and footer follow
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	writes := []struct {
		off int64
		n   int
	}{{0, 4096}, {5*MiB + 512, 1024}, {20 * MiB, 6 * MiB}, {size - 300, 300}}
	for _, w := range writes {
		if _, err := f.WriteAt(bytes.Repeat([]byte{0x5a}, w.n), w.off); err != nil {
			t.Fatal(err)
		}
	}
	// A page of zeros written explicitly inside a data block must still be skipped.
	if _, err := f.WriteAt(make([]byte, 512), 20*MiB+512); err != nil {
		t.Fatal(err)
	}
	ft := NewFixedFooter(65*MiB, time.Unix(0, 0), [16]byte{})
	want := []Range{{0, 4096}, {5*MiB + 512, 5*MiB + 1536}, {20 * MiB, 20*MiB + 512}, {20*MiB + 1024, 26 * MiB}, {size - 300, size - 300 + 512}, {65 * MiB, 65*MiB + 512}}
	for name, r := range map[string]io.ReaderAt{"file": f, "reader": io.NewSectionReader(f, 0, size)} {
		runs := MergeRanges(collectRuns(t, NewStreamWithFooter(r, size, ft)))
		if !equalRanges(runs, want) {
			t.Errorf("%s: runs %v\nwant %v", name, runs, want)
		}
	}
}

func TestMergeRanges(t *testing.T) {
	got := MergeRanges([]Range{{0, 512}, {512, 1024}, {2048, 4096}, {3000, 5000}, {6000, 6000}, {7000, 7512}})
	want := []Range{{0, 1024}, {2048, 5000}, {7000, 7512}}
	if !equalRanges(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}
