package vhd

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func fixedVHD(t *testing.T, dataSize int64) []byte {
	t.Helper()
	b := make([]byte, dataSize)
	for i := range b {
		b[i] = byte(i*7 + 1)
	}
	ft, _ := NewFixedFooter(dataSize, time.Unix(1e9, 0), [16]byte{1}).MarshalBinary()
	return append(b, ft...)
}

func dynamicHead(t DiskType) []byte {
	f := NewFixedFooter(1<<30, time.Unix(1e9, 0), [16]byte{2})
	f.DiskType = t
	f.DataOffset = 512
	b, _ := f.MarshalBinary()
	b = append(b, []byte("cxsparse")...)
	return append(b, make([]byte, 4096)...)
}

func TestDetect(t *testing.T) {
	good := fixedVHD(t, MiB)
	badSum := append([]byte(nil), good...)
	badSum[len(badSum)-1] ^= 1 // reserved byte: still a cookie, checksum now wrong
	truncated := good[:len(good)-100]
	padded := append(append([]byte(nil), good...), make([]byte, 512)...)
	unaligned := fixedVHD(t, MiB+512)
	wrongSize := fixedVHD(t, 2*MiB)
	wrongSize = append(wrongSize[:MiB], wrongSize[2*MiB:]...) // data cut in the middle, footer intact
	dynTail := append(make([]byte, 4096), dynamicHead(DiskTypeDynamic)[:512]...)

	cases := []struct {
		name    string
		data    []byte
		want    Format
		errKind string // "", "unsupported", "corrupt", "other"
		errText string
	}{
		{"raw zeros", make([]byte, 3*MiB), FormatRaw, "", ""},
		{"raw tiny", []byte("he\x00lo"), FormatRaw, "", ""},
		{"fixed vhd", good, FormatFixedVHD, "", ""},
		{"qcow2", append([]byte("QFI\xfb\x00\x00\x00\x03"), make([]byte, 1000)...), FormatQCOW2, "unsupported", "qemu-img convert -f qcow2 -O vpc -o subformat=fixed,force_size"},
		{"vmdk sparse", append([]byte("KDMV"), make([]byte, 1000)...), FormatVMDK, "unsupported", "-f vmdk"},
		{"vmdk descriptor", []byte("# Disk DescriptorFile\nversion=1\n"), FormatVMDK, "unsupported", "-f vmdk"},
		{"vhdx", append([]byte("vhdxfile"), make([]byte, 1000)...), FormatVHDX, "unsupported", "-f vhdx"},
		{"dynamic vhd", dynamicHead(DiskTypeDynamic), FormatDynamicVHD, "unsupported", "-f vpc -O vpc -o subformat=fixed,force_size"},
		{"differencing vhd", dynamicHead(DiskTypeDifferencing), FormatDifferencingVHD, "unsupported", "-f vpc"},
		{"dynamic footer at end only", dynTail, FormatDynamicVHD, "unsupported", "-f vpc"},
		{"bad checksum", badSum, FormatFixedVHD, "corrupt", "checksum"},
		{"truncated", truncated, FormatRaw, "corrupt", "cut short"},
		{"padded", padded, FormatRaw, "corrupt", "padded"},
		{"size mismatch", wrongSize, FormatFixedVHD, "corrupt", "should be"},
		{"not MiB aligned", unaligned, FormatFixedVHD, "other", "whole number of MiB"},
		{"empty", nil, FormatRaw, "other", "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Detect(bytes.NewReader(c.data), int64(len(c.data)))
			if got != c.want {
				t.Errorf("format %v, want %v", got, c.want)
			}
			var ue *UnsupportedFormatError
			var ce *CorruptError
			switch c.errKind {
			case "":
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			case "unsupported":
				if !errors.As(err, &ue) {
					t.Fatalf("error %v, want UnsupportedFormatError", err)
				}
			case "corrupt":
				if !errors.As(err, &ce) {
					t.Fatalf("error %v, want CorruptError", err)
				}
			default:
				if err == nil || errors.As(err, &ce) || errors.As(err, &ue) {
					t.Fatalf("error %v, want a plain error", err)
				}
			}
			if !strings.Contains(err.Error(), c.errText) {
				t.Errorf("error %q does not mention %q", err, c.errText)
			}
		})
	}
}
