//go:build linux

package vhd

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestFileDataRegionSkipsHoles(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "sparse"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const size = 1 << 30
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{1}, 512*MiB); err != nil {
		t.Fatal(err)
	}
	r, err := fileDataRegion(f, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	if r == (Range{0, size}) {
		t.Skip("this file system reports no holes (SEEK_DATA unsupported); the scanner falls back to reading")
	}
	if r.Start > 512*MiB || r.End <= 512*MiB || r.Len() > 4*MiB {
		t.Fatalf("data region %v does not tightly hold the byte at 512 MiB", r)
	}
	if _, err := fileDataRegion(f, r.End, size); err != io.EOF {
		t.Fatalf("after the only data region: %v, want io.EOF", err)
	}
}
