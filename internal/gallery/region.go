package gallery

import (
	"fmt"
	"strings"
	"unicode"
)

// NormalizeRegion turns a region's display name or any casing of its name into Azure's canonical
// name: "East US 2" and "east-us-2" both become "eastus2".
func NormalizeRegion(s string) string {
	// One pass suffices for real region names; exotic Unicode can lower-case into runes that a
	// second pass changes again, so repeat until stable to keep the function idempotent.
	for i := 0; i < 4; i++ {
		n := normalizeOnce(s)
		if n == s {
			break
		}
		s = n
	}
	return s
}

func normalizeOnce(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsSpace(r) || r == '-' || r == '_' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CheckRegion normalizes a region name and rejects one that cannot be an Azure region name
// (canonical names are lower-case letters and digits only).
func CheckRegion(s string) (string, error) {
	n := NormalizeRegion(s)
	if n == "" {
		return "", fmt.Errorf("region name is empty; write a region such as eastus")
	}
	for _, r := range n {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return "", fmt.Errorf("region %q is not a region name; write one such as eastus or \"East US 2\"", s)
		}
	}
	return n, nil
}
