package vhd

// AlignUp rounds n up to a multiple of align, which must be a power of two.
func AlignUp(n, align int64) int64 { return (n + align - 1) &^ (align - 1) }

// AlignDown rounds n down to a multiple of align, which must be a power of two.
func AlignDown(n, align int64) int64 { return n &^ (align - 1) }

// IsAligned reports whether n is a multiple of align, which must be a power of two.
func IsAligned(n, align int64) bool { return n&(align-1) == 0 }

// VirtualSizeForRaw is the virtual size of the disk that holds a raw image of rawSize bytes: rounded up to
// the next MiB, as Azure requires, and to at least MinUploadDiskSize.
func VirtualSizeForRaw(rawSize int64) int64 { return max(AlignUp(rawSize, MiB), MinUploadDiskSize) }

// VHDSizeForRaw is the size of the fixed VHD that wraps a raw image of rawSize bytes: the virtual size
// plus the footer. It is the upload disk's uploadSizeBytes.
func VHDSizeForRaw(rawSize int64) int64 { return VirtualSizeForRaw(rawSize) + FooterSize }
