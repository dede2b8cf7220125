package vhd

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

// handFooter lays out a fixed-VHD footer byte by byte from the specification's table, independently of
// MarshalBinary, and computes its checksum with its own loop.
func handFooter(size uint64, ts uint32, geo [4]byte, id [16]byte) []byte {
	b := make([]byte, 512)
	copy(b[0:8], "conectix")
	copy(b[8:12], []byte{0, 0, 0, 2})
	copy(b[12:16], []byte{0, 1, 0, 0})
	copy(b[16:24], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	b[24], b[25], b[26], b[27] = byte(ts>>24), byte(ts>>16), byte(ts>>8), byte(ts)
	copy(b[28:32], "pkag")
	copy(b[32:36], []byte{0, 1, 0, 0})
	copy(b[36:40], "Wi2k")
	for i := 0; i < 8; i++ {
		b[40+i] = byte(size >> (56 - 8*i))
		b[48+i] = byte(size >> (56 - 8*i))
	}
	copy(b[56:60], geo[:])
	copy(b[60:64], []byte{0, 0, 0, 2})
	copy(b[68:84], id[:])
	var sum uint32
	for _, c := range b {
		sum += uint32(c) // checksum field is still zero here
	}
	sum = ^sum
	b[64], b[65], b[66], b[67] = byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum)
	return b
}

func TestFooterKnownVectors(t *testing.T) {
	id := [16]byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 2, 3, 4, 5, 6, 7, 8}
	created := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	// 2026-11-25T12:00:00Z is 9825 days and 12 h after 2000-01-01: 9825*86400 + 43200.
	const ts = 9825*86400 + 43200
	cases := []struct {
		size uint64
		geo  [4]byte // cylinders (2 bytes BE), heads, sectors per track
	}{
		{1 << 20, [4]byte{0, 30, 4, 17}},          // 2048 sectors: 2048/17=120 → 4 heads, 30 cyl
		{10 << 20, [4]byte{0x01, 0x2d, 4, 17}},    // 20480/17=1204 → 4 heads, 301 cyl
		{1 << 30, [4]byte{0x08, 0x20, 16, 63}},    // 2097152/63=33288 → 2080 cyl
		{30 << 30, [4]byte{0xf3, 0xcf, 16, 63}},   // 62914560/63=998643 → 62415 cyl
		{127 << 30, [4]byte{0xfe, 0xfe, 16, 255}}, // 266338304/255=1044463 → 65278 cyl
		{4 << 40, [4]byte{0xff, 0xff, 16, 255}},   // capped at 65535*16*255 sectors
	}
	for _, c := range cases {
		want := handFooter(c.size, ts, c.geo, id)
		got, err := NewFixedFooter(int64(c.size), created, id).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got) != hex.EncodeToString(want) {
			t.Errorf("size %d:\n got %x\nwant %x", c.size, got[:96], want[:96])
		}
		f, err := ParseFooter(want)
		if err != nil {
			t.Fatalf("size %d: ParseFooter: %v", c.size, err)
		}
		if f.CurrentSize != c.size || f.DiskType != DiskTypeFixed || f.UniqueID != id || !f.Created().Equal(created) {
			t.Errorf("size %d: parsed %+v", c.size, f)
		}
		g := GeometryFor(int64(c.size))
		if g.Cylinders != binary.BigEndian.Uint16(c.geo[:2]) || g.Heads != c.geo[2] || g.SectorsPerTrack != c.geo[3] {
			t.Errorf("size %d: geometry %+v want %v", c.size, g, c.geo)
		}
	}
}

func TestParseFooterRejects(t *testing.T) {
	good := handFooter(1<<20, 1, [4]byte{0, 30, 4, 17}, [16]byte{})
	corrupt := append([]byte(nil), good...)
	corrupt[100] ^= 0xff
	var ce *ChecksumError
	if _, err := ParseFooter(corrupt); !errors.As(err, &ce) {
		t.Errorf("corrupt footer: got %v, want ChecksumError", err)
	}
	if _, err := ParseFooter(make([]byte, 512)); !errors.Is(err, ErrNotVHD) {
		t.Errorf("zeros: got %v, want ErrNotVHD", err)
	}
	if _, err := ParseFooter(good[:511]); err == nil {
		t.Error("short footer accepted")
	}
	badVersion := append([]byte(nil), good...)
	badVersion[15] = 2 // 0x00010002: a newer minor version; fix the checksum by hand
	binary.BigEndian.PutUint32(badVersion[64:], 0)
	var sum uint32
	for _, c := range badVersion {
		sum += uint32(c)
	}
	binary.BigEndian.PutUint32(badVersion[64:], ^sum)
	if _, err := ParseFooter(badVersion); err != nil {
		t.Errorf("minor version 2 should parse: %v", err)
	}
	badVersion[13] = 2 // 0x00020002: major version 2
	binary.BigEndian.PutUint32(badVersion[64:], 0)
	sum = 0
	for _, c := range badVersion {
		sum += uint32(c)
	}
	binary.BigEndian.PutUint32(badVersion[64:], ^sum)
	if _, err := ParseFooter(badVersion); err == nil {
		t.Error("major version 2 accepted")
	}
}

func TestFooterRoundTrip(t *testing.T) {
	f := NewFixedFooter(3<<20, time.Unix(1700000000, 0), [16]byte{9})
	f.DiskType = DiskTypeDynamic
	f.DataOffset = 512
	f.SavedState = 1
	b, _ := f.MarshalBinary()
	g, err := ParseFooter(b)
	if err != nil {
		t.Fatal(err)
	}
	f.Checksum = g.Checksum
	if f != g {
		t.Errorf("round trip:\n got %+v\nwant %+v", g, f)
	}
}
