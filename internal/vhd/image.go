package vhd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/uuid"
)

// Image is a fixed VHD to upload, byte for byte as the page blob will hold it, that can also say where its
// holes are so the scanner never reads them.
type Image interface {
	io.ReaderAt
	// Size is the VHD's length including the footer: the page blob's size.
	Size() int64
	// NextData returns the next region starting at or after off that may hold non-zero bytes, or io.EOF
	// when none is left. Regions outside those returned are guaranteed to read as zeros.
	NextData(off int64) (Range, error)
}

// fileImage is a fixed VHD file uploaded as is.
type fileImage struct {
	r    io.ReaderAt
	size int64
}

// NewFileImage presents a validated fixed VHD (see Detect) of size bytes as an Image. When r is an
// *os.File, holes are found with SEEK_DATA/SEEK_HOLE where the OS supports them.
func NewFileImage(r io.ReaderAt, size int64) Image { return &fileImage{r: r, size: size} }

func (f *fileImage) ReadAt(p []byte, off int64) (int, error) { return f.r.ReadAt(p, off) }
func (f *fileImage) Size() int64                             { return f.size }
func (f *fileImage) NextData(off int64) (Range, error)       { return nextData(f.r, off, f.size) }

// nextData finds the next data region of r in [off, limit), asking the file system when r is a file.
func nextData(r io.ReaderAt, off, limit int64) (Range, error) {
	if off >= limit {
		return Range{limit, limit}, io.EOF
	}
	if f, ok := r.(*os.File); ok {
		return fileDataRegion(f, off, limit)
	}
	return Range{off, limit}, nil
}

// Stream presents a raw disk image as the fixed VHD Azure wants: the raw bytes, zeros up to the next MiB,
// then a footer. Nothing is copied; reads go to the raw file.
type Stream struct {
	raw     io.ReaderAt
	rawSize int64
	aligned int64 // rawSize rounded up to a MiB: the VHD's virtual size
	footer  []byte
}

// NewStream wraps a raw image of size bytes (padded to VirtualSizeForRaw), stamping a footer with the current time and a random ID.
func NewStream(raw io.ReaderAt, size int64) *Stream {
	return NewStreamWithFooter(raw, size, NewFixedFooter(VirtualSizeForRaw(size), time.Now(), uuid.New()))
}

// NewStreamWithFooter wraps a raw image with the footer given; the data is padded with zeros to the
// footer's CurrentSize (at least size rounded up to a MiB). Tests use it for reproducible bytes.
func NewStreamWithFooter(raw io.ReaderAt, size int64, f Footer) *Stream {
	b, _ := f.MarshalBinary()
	return &Stream{raw: raw, rawSize: size, aligned: max(AlignUp(size, MiB), int64(f.CurrentSize)), footer: b}
}

// Size is the VHD's size: the aligned data plus the footer.
func (s *Stream) Size() int64 { return s.aligned + FooterSize }

// VirtualSize is the disk's size as the VM sees it.
func (s *Stream) VirtualSize() int64 { return s.aligned }

// ReadAt reads the VHD view: raw bytes, then zero padding, then the footer.
func (s *Stream) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("negative offset %d", off)
	}
	n := 0
	for n < len(p) && off < s.Size() {
		var m int
		switch {
		case off < s.rawSize:
			want := p[n:min(len(p), n+int(s.rawSize-off))]
			k, err := s.raw.ReadAt(want, off)
			if k < len(want) {
				if err == nil || errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF // the raw file shrank under us
				}
				return n + k, fmt.Errorf("reading the raw image at %d: %w", off+int64(k), err)
			}
			m = k
		case off < s.aligned:
			m = int(min(int64(len(p)-n), s.aligned-off))
			clear(p[n : n+m])
		default:
			m = copy(p[n:], s.footer[off-s.aligned:])
		}
		n += m
		off += int64(m)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// NextData returns the raw file's data regions, then the footer; the padding is known to be zeros.
func (s *Stream) NextData(off int64) (Range, error) {
	if off < s.rawSize {
		r, err := nextData(s.raw, off, s.rawSize)
		if err == nil {
			return r, nil
		}
		if !errors.Is(err, io.EOF) {
			return r, err
		}
	}
	if off >= s.Size() {
		return Range{s.Size(), s.Size()}, io.EOF
	}
	return Range{max(off, s.aligned), s.Size()}, nil
}
