package vhd

// AlignUp rounds n up to a multiple of align, which must be a power of two.
func AlignUp(n, align int64) int64 { return (n + align - 1) &^ (align - 1) }

// AlignDown rounds n down to a multiple of align, which must be a power of two.
func AlignDown(n, align int64) int64 { return n &^ (align - 1) }

// IsAligned reports whether n is a multiple of align, which must be a power of two.
func IsAligned(n, align int64) bool { return n&(align-1) == 0 }

// VHDSizeForRaw is the size of the fixed VHD that wraps a raw image of rawSize bytes: the data padded to
// the next MiB, as Azure requires of a disk's virtual size, plus the footer.
func VHDSizeForRaw(rawSize int64) int64 { return AlignUp(rawSize, MiB) + FooterSize }
