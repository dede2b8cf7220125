// Package vhd is the import builder's disk core: the fixed-VHD footer, format sniffing, a raw-to-VHD view
// with no temporary copy, a sparse-aware zero-range scanner and a parallel page-blob uploader.
//
// It imports nothing from packer-plugin-sdk: the builder adapter wires it to Packer's UI.
package vhd

import "fmt"

// Sizes Azure imposes on an uploaded managed disk.
const (
	// SectorSize is the VHD sector and the page-blob page: every write is aligned to it.
	SectorSize = 512
	// FooterSize is the length of a VHD footer.
	FooterSize = 512
	// MiB is the alignment Azure requires of a disk's virtual size.
	MiB = 1 << 20
	// MaxPageWrite is the largest single Put Page the blob service accepts.
	MaxPageWrite = 4 * MiB
	// MinUploadDiskSize is the smallest virtual size Azure accepts for a direct upload (uploadSizeBytes
	// must be at least 20 MiB plus the footer); smaller raw images are padded up to it.
	MinUploadDiskSize = 20 * MiB
	// MaxUploadDiskSize is the largest virtual size (without the footer) accepted for a direct upload of
	// an OS disk; Azure documents 4 TiB (4095 GiB for the disk) as the limit for uploaded OS disks, and
	// Hyper-V generation 1 images cannot boot from more than 2 TiB.
	MaxUploadDiskSize = 4095 * 1024 * MiB
)

// CheckVirtualSize says whether a disk of virtual size bytes (without the footer) can be uploaded as an
// OS disk, and how to fix it when not.
func CheckVirtualSize(size int64) error {
	switch {
	case size < MinUploadDiskSize:
		return fmt.Errorf("the disk is %d bytes; Azure needs at least 20 MiB for an uploaded disk: grow it with qemu-img resize -f vpc in.vhd 20M (or upload the raw image, which is padded automatically)", size)
	case size > MaxUploadDiskSize:
		return fmt.Errorf("the disk is %d GiB; an Azure OS disk holds at most %d GiB: shrink the file system and the disk, or import it as a data disk another way", size>>30, MaxUploadDiskSize>>30)
	case !IsAligned(size, MiB):
		return fmt.Errorf("the disk's size %d bytes is not a whole number of MiB, which Azure requires", size)
	}
	return nil
}

// Format is what Detect found in a file.
type Format int

// The formats Detect tells apart. Only FormatRaw and FormatFixedVHD can be uploaded.
const (
	FormatRaw Format = iota
	FormatFixedVHD
	FormatDynamicVHD
	FormatDifferencingVHD
	FormatVHDX
	FormatQCOW2
	FormatVMDK
)

func (f Format) String() string {
	switch f {
	case FormatRaw:
		return "raw"
	case FormatFixedVHD:
		return "fixed VHD"
	case FormatDynamicVHD:
		return "dynamic VHD"
	case FormatDifferencingVHD:
		return "differencing VHD"
	case FormatVHDX:
		return "VHDX"
	case FormatQCOW2:
		return "qcow2"
	case FormatVMDK:
		return "VMDK"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Range is a half-open byte range [Start, End).
type Range struct {
	Start, End int64
}

// Len is the number of bytes in r.
func (r Range) Len() int64 { return r.End - r.Start }

func (r Range) String() string { return fmt.Sprintf("[%d,%d)", r.Start, r.End) }
