package vhd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// zeroPage is compared against; bytes.Equal is vectorised, so this is as fast as a hand-written loop.
var zeroPage = make([]byte, SectorSize)

// Window is one stretch of an image the scanner read: Data holds the bytes at Off, and Runs are the
// non-zero 512-byte-granular ranges inside it (absolute offsets, sorted, merged).
type Window struct {
	Off  int64
	Data []byte
	Runs []Range
}

// Scanner walks an image's data regions in windows no larger than the caller's buffer, so memory stays
// bounded by the buffers whatever the image size. It is not safe for concurrent use.
type Scanner struct {
	img    Image
	off    int64
	region Range
}

// NewScanner starts a scan at offset 0.
func NewScanner(img Image) *Scanner { return &Scanner{img: img} }

// Next reads the next window into buf (whose length should be a multiple of 512) and returns it; it
// returns io.EOF after the last window. Holes reported by the image are skipped without reading.
func (s *Scanner) Next(buf []byte) (Window, error) {
	r, err := s.Claim(int64(len(buf)))
	if err != nil {
		return Window{}, err
	}
	return ReadWindow(s.img, buf, r)
}

// Claim reserves the next window of at most limit bytes (a multiple of 512) without reading it, so
// that several goroutines can read the windows they claimed at once; it returns io.EOF after the last
// window. Holes reported by the image are skipped.
func (s *Scanner) Claim(limit int64) (Range, error) {
	if limit < SectorSize {
		return Range{}, fmt.Errorf("scan buffer of %d bytes is smaller than a page", limit)
	}
	size := s.img.Size()
	if s.off >= s.region.End {
		r, err := s.img.NextData(s.off)
		if err != nil {
			s.off = size
			return Range{}, err
		}
		r.Start = max(AlignDown(r.Start, SectorSize), s.off)
		r.End = min(AlignUp(r.End, SectorSize), size)
		if r.Start >= r.End {
			return Range{}, fmt.Errorf("image reported an empty data region at %d", r.Start)
		}
		s.region, s.off = r, r.Start
	}
	r := Range{s.off, s.off + min(limit, s.region.End-s.off)}
	s.off = r.End
	return r, nil
}

// ReadWindow reads the claimed range r of img into buf (at least r.Len() bytes) and finds its non-zero
// runs.
func ReadWindow(img Image, buf []byte, r Range) (Window, error) {
	data := buf[:r.Len()]
	if _, err := img.ReadAt(data, r.Start); err != nil && !(errors.Is(err, io.EOF) && r.End == img.Size()) {
		return Window{}, err
	}
	return Window{Off: r.Start, Data: data, Runs: NonZeroRuns(data, r.Start)}, nil
}

// NonZeroRuns returns the runs of non-zero 512-byte pages in data, which starts at offset base.
func NonZeroRuns(data []byte, base int64) []Range {
	var runs []Range
	for i := 0; i < len(data); i += SectorSize {
		page := data[i:min(len(data), i+SectorSize)]
		if bytes.Equal(page, zeroPage[:len(page)]) {
			continue
		}
		start, end := base+int64(i), base+int64(i+len(page))
		if k := len(runs) - 1; k >= 0 && runs[k].End == start {
			runs[k].End = end
		} else {
			runs = append(runs, Range{start, end})
		}
	}
	return runs
}

// ScanNonZero calls fn for every non-zero run of img, each at most MaxPageWrite bytes, reading with a
// single buffer.
func ScanNonZero(ctx context.Context, img Image, fn func(Range) error) error {
	s := NewScanner(img)
	buf := make([]byte, MaxPageWrite)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		w, err := s.Next(buf)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, r := range w.Runs {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
}

// MergeRanges sorts nothing: it merges adjacent or overlapping ranges of a sorted list in place.
func MergeRanges(rs []Range) []Range {
	out := rs[:0]
	for _, r := range rs {
		if r.Len() <= 0 {
			continue
		}
		if k := len(out) - 1; k >= 0 && r.Start <= out[k].End {
			out[k].End = max(out[k].End, r.End)
			continue
		}
		out = append(out, r)
	}
	return out
}
