package vhd

import "testing"

func TestAlign(t *testing.T) {
	cases := []struct {
		n, align, up, down int64
		aligned            bool
	}{
		{0, 512, 0, 0, true},
		{1, 512, 512, 0, false},
		{511, 512, 512, 0, false},
		{512, 512, 512, 512, true},
		{513, 512, 1024, 512, false},
		{MiB - 1, MiB, MiB, 0, false},
		{MiB, MiB, MiB, MiB, true},
		{3*MiB + 7, MiB, 4 * MiB, 3 * MiB, false},
		{1 << 40, MiB, 1 << 40, 1 << 40, true},
	}
	for _, c := range cases {
		if got := AlignUp(c.n, c.align); got != c.up {
			t.Errorf("AlignUp(%d,%d)=%d want %d", c.n, c.align, got, c.up)
		}
		if got := AlignDown(c.n, c.align); got != c.down {
			t.Errorf("AlignDown(%d,%d)=%d want %d", c.n, c.align, got, c.down)
		}
		if got := IsAligned(c.n, c.align); got != c.aligned {
			t.Errorf("IsAligned(%d,%d)=%v want %v", c.n, c.align, got, c.aligned)
		}
	}
}

func TestVHDSizeForRaw(t *testing.T) {
	cases := map[int64]int64{
		1:               20*MiB + 512,
		MiB:             20*MiB + 512,
		20*MiB + 1:      21*MiB + 512,
		30*MiB - 3:      30*MiB + 512,
		1 << 30:         1<<30 + 512,
		(1 << 30) + 512: 1<<30 + MiB + 512,
	}
	for raw, want := range cases {
		if got := VHDSizeForRaw(raw); got != want {
			t.Errorf("VHDSizeForRaw(%d)=%d want %d", raw, got, want)
		}
	}
}

func TestCheckVirtualSize(t *testing.T) {
	for size, ok := range map[int64]bool{20 * MiB: true, 20*MiB - MiB: false, 4095 << 30: true, 4096 << 30: false, 30*MiB + 512: false} {
		if err := CheckVirtualSize(size); (err == nil) != ok {
			t.Errorf("CheckVirtualSize(%d) = %v", size, err)
		}
	}
}
