package vhd

import (
	"bytes"
	"testing"
	"time"
)

// FuzzParseFooter checks that any footer ParseFooter accepts survives a marshal/parse round trip and that
// nothing panics. The committed corpus in testdata/fuzz/FuzzParseFooter holds valid fixed, dynamic and
// corrupt footers.
func FuzzParseFooter(f *testing.F) {
	fixed, _ := NewFixedFooter(30<<30, time.Unix(1e9, 0), [16]byte{1, 2, 3}).MarshalBinary()
	f.Add(fixed)
	f.Fuzz(func(t *testing.T, b []byte) {
		ft, err := ParseFooter(b)
		if err != nil {
			return
		}
		out, err := ft.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseFooter(out)
		if err != nil {
			t.Fatalf("re-parse of a marshalled footer failed: %v", err)
		}
		if again != ft {
			t.Fatalf("round trip changed the footer:\n%+v\n%+v", ft, again)
		}
		if !bytes.Equal(out, b) {
			t.Fatal("marshal changed the footer's bytes")
		}
	})
}

// FuzzDetect checks that sniffing arbitrary bytes never panics and never calls a file a fixed VHD
// without a valid footer at its end.
func FuzzDetect(f *testing.F) {
	f.Add([]byte("QFI\xfb"))
	f.Add(append(make([]byte, MiB), mustMarshal(NewFixedFooter(MiB, time.Unix(0, 0), [16]byte{}))...))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Detect(bytes.NewReader(b), int64(len(b)))
		if err == nil && got == FormatFixedVHD {
			if _, perr := ParseFooter(b[len(b)-FooterSize:]); perr != nil {
				t.Fatalf("accepted as fixed VHD with a bad footer: %v", perr)
			}
		}
	})
}
