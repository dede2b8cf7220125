//go:build linux

package vhd

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFileDataRegionSkipsHoles: on a file with one written byte in a 1 GiB hole, whether the file system
// keeps holes is decided independently of SEEK_DATA, by the blocks it allocated (stat's st_blocks). Where
// it keeps them, fileDataRegion must find only the region around the byte and then io.EOF; where it does
// not, the whole file is data and fileDataRegion must report it all. In both cases the byte is never lost.
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
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	allocated := st.Blocks * 512 // st_blocks counts 512-byte units on Linux
	r, err := fileDataRegion(f, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	if r.Start > 512*MiB || r.End <= 512*MiB {
		t.Fatalf("data region %v does not hold the byte at 512 MiB", r)
	}
	if allocated >= size/2 {
		// No holes kept (st_blocks says the file is allocated): the fallback reports everything as data.
		t.Logf("file system allocated %d bytes of %d: no holes, the scanner reads it all", allocated, int64(size))
		if r != (Range{0, size}) {
			t.Fatalf("data region %v on a file without holes, want the whole file", r)
		}
		return
	}
	if r.Len() > 4*MiB {
		t.Fatalf("file system keeps holes (%d bytes allocated of %d) but the data region is %v: SEEK_DATA did not skip them",
			allocated, int64(size), r)
	}
	if _, err := fileDataRegion(f, r.End, size); !errors.Is(err, io.EOF) {
		t.Fatalf("after the only data region: %v, want io.EOF", err)
	}
}
