//go:build linux

package vhd

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// fileDataRegion asks the file system for the next data region with SEEK_DATA and SEEK_HOLE, so holes in
// a sparse image are skipped without reading them. File systems without support report the whole rest
// of the file as data, which the scanner then reads and checks for zeros.
func fileDataRegion(f *os.File, off, limit int64) (Range, error) {
	start, err := f.Seek(off, unix.SEEK_DATA)
	if errors.Is(err, unix.ENXIO) {
		return Range{limit, limit}, io.EOF // only a hole is left
	}
	if err != nil {
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
			return Range{off, limit}, nil
		}
		return Range{}, fmt.Errorf("finding data after offset %d: %w", off, err)
	}
	if start >= limit {
		return Range{limit, limit}, io.EOF
	}
	end, err := f.Seek(start, unix.SEEK_HOLE)
	if err != nil {
		return Range{}, fmt.Errorf("finding the hole after offset %d: %w", start, err)
	}
	return Range{start, min(end, limit)}, nil
}
