package vhd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// DiskType is the footer's disk type field.
type DiskType uint32

// Disk types defined by the VHD specification.
const (
	DiskTypeFixed        DiskType = 2
	DiskTypeDynamic      DiskType = 3
	DiskTypeDifferencing DiskType = 4
)

// Footer field values this package writes; readers accept any creator fields.
const (
	footerCookie       = "conectix"
	featuresReserved   = 0x00000002 // the spec says this bit must always be set
	formatVersion      = 0x00010000
	fixedDataOffset    = 0xFFFFFFFFFFFFFFFF
	defaultCreatorApp  = "pkag" // Packer azure-gallery
	defaultCreatorVer  = 0x00010000
	defaultCreatorHost = "Wi2k" // what Hyper-V writes; Azure accepts any value
)

// vhdEpoch is the zero of the footer's timestamp: 2000-01-01 00:00:00 UTC.
var vhdEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Geometry is the CHS geometry a VHD footer carries.
type Geometry struct {
	Cylinders       uint16
	Heads           uint8
	SectorsPerTrack uint8
}

// Footer is the 512-byte record at the end of every VHD (and, for dynamic disks, a copy at offset 0).
// All multi-byte fields are big-endian on disk.
type Footer struct {
	Cookie             [8]byte
	Features           uint32
	FormatVersion      uint32
	DataOffset         uint64
	Timestamp          uint32 // seconds since 2000-01-01 00:00:00 UTC
	CreatorApplication [4]byte
	CreatorVersion     uint32
	CreatorHostOS      [4]byte
	OriginalSize       uint64
	CurrentSize        uint64
	Geometry           Geometry
	DiskType           DiskType
	Checksum           uint32
	UniqueID           [16]byte
	SavedState         uint8
	// Reserved is the spec's 427-byte tail, zero in footers that follow it. It is kept so that a footer
	// re-encodes to the same bytes, and so the same checksum, as the one that was read.
	Reserved [FooterSize - offSavedState - 1]byte
}

// Field offsets inside the 512-byte footer, from the VHD specification.
const (
	offCookie     = 0
	offFeatures   = 8
	offVersion    = 12
	offDataOffset = 16
	offTimestamp  = 24
	offCreatorApp = 28
	offCreatorVer = 32
	offCreatorOS  = 36
	offOrigSize   = 40
	offCurSize    = 48
	offGeometry   = 56
	offDiskType   = 60
	offChecksum   = 64
	offUniqueID   = 68
	offSavedState = 84
)

// ErrNotVHD means the bytes do not start with the VHD cookie.
var ErrNotVHD = errors.New("no VHD footer (cookie \"conectix\" missing)")

// ChecksumError means a footer's stored checksum does not match its bytes: the file is corrupt.
type ChecksumError struct{ Stored, Computed uint32 }

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("VHD footer checksum mismatch (stored %#08x, computed %#08x): the file is corrupt", e.Stored, e.Computed)
}

// NewFixedFooter builds the footer of a fixed VHD whose data is size bytes (a multiple of 512; Azure also
// requires a multiple of 1 MiB), stamped with created and id.
func NewFixedFooter(size int64, created time.Time, id [16]byte) Footer {
	f := Footer{
		Features:       featuresReserved,
		FormatVersion:  formatVersion,
		DataOffset:     fixedDataOffset,
		Timestamp:      vhdTimestamp(created),
		CreatorVersion: defaultCreatorVer,
		OriginalSize:   uint64(size),
		CurrentSize:    uint64(size),
		Geometry:       GeometryFor(size),
		DiskType:       DiskTypeFixed,
		UniqueID:       id,
	}
	copy(f.Cookie[:], footerCookie)
	copy(f.CreatorApplication[:], defaultCreatorApp)
	copy(f.CreatorHostOS[:], defaultCreatorHost)
	return f
}

func vhdTimestamp(t time.Time) uint32 {
	s := t.Sub(vhdEpoch) / time.Second
	if s < 0 {
		return 0
	}
	return uint32(s)
}

// Created is the footer's timestamp as a time.
func (f Footer) Created() time.Time { return vhdEpoch.Add(time.Duration(f.Timestamp) * time.Second) }

// MarshalBinary encodes f into 512 bytes, computing the checksum (the stored Checksum is ignored).
func (f Footer) MarshalBinary() ([]byte, error) {
	b := make([]byte, FooterSize)
	be := binary.BigEndian
	copy(b[offCookie:], f.Cookie[:])
	be.PutUint32(b[offFeatures:], f.Features)
	be.PutUint32(b[offVersion:], f.FormatVersion)
	be.PutUint64(b[offDataOffset:], f.DataOffset)
	be.PutUint32(b[offTimestamp:], f.Timestamp)
	copy(b[offCreatorApp:], f.CreatorApplication[:])
	be.PutUint32(b[offCreatorVer:], f.CreatorVersion)
	copy(b[offCreatorOS:], f.CreatorHostOS[:])
	be.PutUint64(b[offOrigSize:], f.OriginalSize)
	be.PutUint64(b[offCurSize:], f.CurrentSize)
	be.PutUint16(b[offGeometry:], f.Geometry.Cylinders)
	b[offGeometry+2] = f.Geometry.Heads
	b[offGeometry+3] = f.Geometry.SectorsPerTrack
	be.PutUint32(b[offDiskType:], uint32(f.DiskType))
	copy(b[offUniqueID:], f.UniqueID[:])
	b[offSavedState] = f.SavedState
	copy(b[offSavedState+1:], f.Reserved[:])
	be.PutUint32(b[offChecksum:], footerChecksum(b))
	return b, nil
}

// ParseFooter decodes a 512-byte footer and checks its cookie and checksum. It accepts any disk type;
// callers decide which they support.
func ParseFooter(b []byte) (Footer, error) {
	var f Footer
	if len(b) != FooterSize {
		return f, fmt.Errorf("VHD footer is %d bytes, want %d", len(b), FooterSize)
	}
	if !bytes.Equal(b[:8], []byte(footerCookie)) {
		return f, ErrNotVHD
	}
	be := binary.BigEndian
	copy(f.Cookie[:], b[offCookie:])
	f.Features = be.Uint32(b[offFeatures:])
	f.FormatVersion = be.Uint32(b[offVersion:])
	f.DataOffset = be.Uint64(b[offDataOffset:])
	f.Timestamp = be.Uint32(b[offTimestamp:])
	copy(f.CreatorApplication[:], b[offCreatorApp:])
	f.CreatorVersion = be.Uint32(b[offCreatorVer:])
	copy(f.CreatorHostOS[:], b[offCreatorOS:])
	f.OriginalSize = be.Uint64(b[offOrigSize:])
	f.CurrentSize = be.Uint64(b[offCurSize:])
	f.Geometry = Geometry{be.Uint16(b[offGeometry:]), b[offGeometry+2], b[offGeometry+3]}
	f.DiskType = DiskType(be.Uint32(b[offDiskType:]))
	f.Checksum = be.Uint32(b[offChecksum:])
	copy(f.UniqueID[:], b[offUniqueID:])
	f.SavedState = b[offSavedState]
	copy(f.Reserved[:], b[offSavedState+1:])
	if c := footerChecksum(b); c != f.Checksum {
		return f, &ChecksumError{Stored: f.Checksum, Computed: c}
	}
	if f.FormatVersion>>16 != 1 {
		return f, fmt.Errorf("VHD footer has format version %#08x; only major version 1 exists", f.FormatVersion)
	}
	return f, nil
}

// footerChecksum is the one's complement of the sum of every footer byte except the checksum field.
func footerChecksum(b []byte) uint32 {
	var sum uint32
	for i, c := range b[:FooterSize] {
		if i >= offChecksum && i < offChecksum+4 {
			continue
		}
		sum += uint32(c)
	}
	return ^sum
}

// GeometryFor computes the CHS geometry of a disk of size bytes with the algorithm in the VHD
// specification (appendix "CHS calculation"); sizes past its limit get the largest geometry.
func GeometryFor(size int64) Geometry {
	total := size / SectorSize
	if total > 65535*16*255 {
		total = 65535 * 16 * 255
	}
	var spt, heads, cth int64
	if total >= 65535*16*63 {
		spt, heads = 255, 16
		cth = total / spt
	} else {
		spt = 17
		cth = total / spt
		heads = (cth + 1023) / 1024
		if heads < 4 {
			heads = 4
		}
		if cth >= heads*1024 || heads > 16 {
			spt, heads = 31, 16
			cth = total / spt
		}
		if cth >= heads*1024 {
			spt, heads = 63, 16
			cth = total / spt
		}
	}
	return Geometry{Cylinders: uint16(cth / heads), Heads: uint8(heads), SectorsPerTrack: uint8(spt)}
}
