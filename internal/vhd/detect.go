package vhd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"
)

// UnsupportedFormatError refuses a disk format Azure cannot import, with the command that converts it.
type UnsupportedFormatError struct {
	Format  Format
	Command string
}

func (e *UnsupportedFormatError) Error() string {
	return fmt.Sprintf("the file is a %s image; Azure imports only fixed VHD or raw disks. Convert it first: %s", e.Format, e.Command)
}

// CorruptError means the file claims to be a fixed VHD but is not a valid one; it is caught before any
// upload so a broken disk never reaches Azure.
type CorruptError struct{ Reason string }

func (e *CorruptError) Error() string { return "corrupt or truncated VHD: " + e.Reason }

// ConvertCommand is the qemu-img invocation that turns an image of format from into a fixed VHD Azure
// accepts (force_size keeps the exact virtual size, so it stays a whole number of MiB).
func ConvertCommand(from string) string {
	return fmt.Sprintf("qemu-img convert -f %s -O vpc -o subformat=fixed,force_size in.%s out.vhd", from, from)
}

func refuse(f Format, qemuName string) error {
	return &UnsupportedFormatError{Format: f, Command: ConvertCommand(qemuName)}
}

// Magic numbers of the formats Detect refuses.
var (
	qcow2Magic     = []byte("QFI\xfb")
	vmdkMagic      = []byte("KDMV")
	vmdkDescriptor = []byte("# Disk DescriptorFile")
	vhdxMagic      = []byte("vhdxfile")
	cookie         = []byte(footerCookie)
)

// Detect sniffs the format of a disk image of size bytes. It returns FormatFixedVHD only for a valid
// fixed VHD (cookie, checksum, file size = current size + 512, and current size a multiple of 1 MiB, as
// Azure requires of uploaded disks) and FormatRaw for anything it does not recognise. Dynamic and
// differencing VHD, VHDX, qcow2 and VMDK yield an *UnsupportedFormatError naming the conversion command;
// a damaged fixed VHD yields a *CorruptError.
func Detect(r io.ReaderAt, size int64) (Format, error) {
	f, head, err := detect(r, size)
	if f == FormatRaw && err == nil && looksLikeText(head) {
		return FormatRaw, errors.New("the file starts with text, not a disk sector (its first 512 bytes are printable text with no NUL byte): it is not a disk image; give a raw disk or a fixed VHD")
	}
	return f, err
}

// detect does Detect's work and also returns the file's first sector.
func detect(r io.ReaderAt, size int64) (Format, []byte, error) {
	if size <= 0 {
		return FormatRaw, nil, errors.New("the file is empty")
	}
	head := make([]byte, min(size, FooterSize))
	if _, err := r.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return FormatRaw, nil, fmt.Errorf("reading the first bytes: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, qcow2Magic):
		return FormatQCOW2, head, refuse(FormatQCOW2, "qcow2")
	case bytes.HasPrefix(head, vmdkMagic), bytes.HasPrefix(head, vmdkDescriptor):
		return FormatVMDK, head, refuse(FormatVMDK, "vmdk")
	case bytes.HasPrefix(head, vhdxMagic):
		return FormatVHDX, head, refuse(FormatVHDX, "vhdx")
	case bytes.HasPrefix(head, cookie) && len(head) == FooterSize:
		// Dynamic and differencing disks keep a copy of the footer at offset 0.
		if f, err := ParseFooter(head); err == nil && f.DiskType != DiskTypeFixed {
			f, err := dynamicFormat(f.DiskType)
			return f, head, err
		}
	}
	if size < FooterSize {
		return FormatRaw, head, nil
	}
	// Read the last KiB: the footer should fill its second half; a footer elsewhere in it means the file
	// was cut short or padded after the footer.
	win := make([]byte, min(size, 2*FooterSize))
	if _, err := r.ReadAt(win, size-int64(len(win))); err != nil && !errors.Is(err, io.EOF) {
		return FormatRaw, head, fmt.Errorf("reading the last bytes: %w", err)
	}
	tail := win[len(win)-FooterSize:]
	if !bytes.HasPrefix(tail, cookie) {
		return FormatRaw, head, misplacedFooter(win, head)
	}
	f, err := checkFixed(tail, size)
	return f, head, err
}

func dynamicFormat(t DiskType) (Format, error) {
	if t == DiskTypeDifferencing {
		return FormatDifferencingVHD, refuse(FormatDifferencingVHD, "vpc")
	}
	return FormatDynamicVHD, refuse(FormatDynamicVHD, "vpc")
}

// checkFixed validates the footer at the end of a file that ends with the VHD cookie.
func checkFixed(tail []byte, size int64) (Format, error) {
	f, err := ParseFooter(tail)
	if err != nil {
		return FormatFixedVHD, &CorruptError{Reason: err.Error()}
	}
	switch f.DiskType {
	case DiskTypeFixed:
	case DiskTypeDynamic, DiskTypeDifferencing:
		return dynamicFormat(f.DiskType)
	default:
		return FormatFixedVHD, &CorruptError{Reason: fmt.Sprintf("unknown disk type %d in the footer", f.DiskType)}
	}
	if int64(f.CurrentSize)+FooterSize != size {
		return FormatFixedVHD, &CorruptError{Reason: fmt.Sprintf("the footer says the disk holds %d bytes, so the file should be %d bytes, but it is %d",
			f.CurrentSize, int64(f.CurrentSize)+FooterSize, size)}
	}
	if !IsAligned(int64(f.CurrentSize), MiB) {
		return FormatFixedVHD, fmt.Errorf("the VHD's virtual size %d bytes is not a whole number of MiB, which Azure requires of uploaded disks; resize it with: qemu-img resize -f vpc in.vhd %dM (or convert the raw disk with force_size)",
			f.CurrentSize, AlignUp(int64(f.CurrentSize), MiB)/MiB)
	}
	return FormatFixedVHD, nil
}

// misplacedFooter reports a VHD footer that is not where it belongs: nil when there is none, so the file
// is raw.
func misplacedFooter(win, head []byte) error {
	for i := len(win) - len(cookie); i >= 0; i-- {
		if i == len(win)-FooterSize || !bytes.HasPrefix(win[i:], cookie) {
			continue
		}
		if i+FooterSize > len(win) {
			return &CorruptError{Reason: fmt.Sprintf("a VHD footer starts %d bytes before the end instead of 512: the file was cut short", len(win)-i)}
		}
		if _, err := ParseFooter(win[i : i+FooterSize]); err == nil {
			return &CorruptError{Reason: fmt.Sprintf("the VHD footer ends %d bytes before the end of the file: the file was padded after it", len(win)-i-FooterSize)}
		}
	}
	if bytes.HasPrefix(head, cookie) {
		return &CorruptError{Reason: "the file starts with a VHD footer but does not end with one: it was cut short"}
	}
	return nil
}

// looksLikeText reports whether a raw file's first sector is printable text: a script, a note or a
// checksum list given by mistake. A sector that a partitioner or mkfs writes holds binary fields (an
// MBR's unused bytes, a GPT header's padding, a superblock), so a sector of only printable UTF-8 and
// line breaks is text, not a disk.
func looksLikeText(head []byte) bool {
	if len(head) == 0 || !utf8.Valid(head) {
		return false
	}
	for _, r := range string(head) {
		if !unicode.IsPrint(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}
